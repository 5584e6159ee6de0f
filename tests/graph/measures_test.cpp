#include "base/error.hpp"
#include "graph/graph.hpp"
#include "graph/measures.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

// Every measure is compared with NetworkX 2.8 (tests/graph/reference/
// measures_networkx.py) and Louvain with igraph 0.10's multilevel
// (measures_igraph.py), run by /usr/bin/python3 on the same edge list. The
// graphs are generated here from fixed seeds and written to a temp dir.

namespace waymark::graph {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;

constexpr const char* python = "/usr/bin/python3";

std::string exact(double value) {
    std::array<char, 40> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.17g", value);
    return buffer.data();
}

/// SplitMix64: the same numbers on every platform (the standard
/// distributions are implementation-defined).
class Random {
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, bound); the modulo bias is immaterial for test graphs.
    std::uint32_t below(std::uint64_t bound) { return static_cast<std::uint32_t>(next() % bound); }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }

private:
    std::uint64_t m_state;
};

/// A graph as given to the constructor: repeated edges and self-loops left
/// in, so that the reference scripts merge them independently of Graph.
struct Input {
    std::size_t nodes = 0;
    std::vector<Edge> edges;
};

Input path(std::size_t n) {
    Input input{n, {}};
    for (NodeId v = 0; v + 1 < n; ++v) {
        input.edges.push_back({v, v + 1, 1.0});
    }
    return input;
}

Input star(std::size_t leaves) {
    Input input{leaves + 1, {}};
    for (NodeId v = 1; v <= leaves; ++v) {
        input.edges.push_back({0, v, 1.0});
    }
    return input;
}

/// Two cliques of `k` joined through a path of `between` nodes.
Input barbell(NodeId k, NodeId between) {
    Input input{2 * k + between, {}};
    for (NodeId side = 0; side < 2; ++side) {
        const NodeId base = side == 0 ? 0 : k + between;
        for (NodeId a = 0; a < k; ++a) {
            for (NodeId b = a + 1; b < k; ++b) {
                input.edges.push_back({base + a, base + b, 1.0});
            }
        }
    }
    NodeId previous = k - 1;
    for (NodeId i = 0; i < between; ++i) {
        input.edges.push_back({previous, k + i, 1.0});
        previous = k + i;
    }
    input.edges.push_back({previous, k + between, 1.0});
    return input;
}

double pick_weight(Random& random) {
    static const std::array<double, 6> weights = {0.5, 1.0, 1.0, 1.5, 2.0, 3.25};
    return weights[random.below(weights.size())];
}

/// G(n, m) with weights, plus repeats of some edges (half reversed) and
/// self-loops.
Input random_weighted(std::size_t n, std::size_t m, std::uint64_t seed) {
    Random random(seed);
    Input input{n, {}};
    while (input.edges.size() < m) {
        const NodeId a = random.below(n);
        const NodeId b = random.below(n);
        if (a != b) {
            input.edges.push_back({a, b, pick_weight(random)});
        }
    }
    for (int i = 0; i < 200; ++i) {
        const Edge e = input.edges[random.below(m)];
        input.edges.push_back(i % 2 ? Edge{e.a, e.b, pick_weight(random)}
                                    : Edge{e.b, e.a, pick_weight(random)});
    }
    for (int i = 0; i < 30; ++i) {
        const NodeId a = random.below(n);
        input.edges.push_back({a, a, 1.0});
    }
    return input;
}

/// Barabási–Albert: each new node links to `m` distinct earlier nodes
/// chosen in proportion to degree (from a list of edge ends).
Input barabasi_albert(std::size_t n, std::size_t m, std::uint64_t seed, bool weighted) {
    Random random(seed);
    Input input{n, {}};
    std::vector<NodeId> ends;
    for (NodeId a = 0; a <= m; ++a) {
        for (NodeId b = a + 1; b <= m; ++b) {
            input.edges.push_back({a, b, weighted ? pick_weight(random) : 1.0});
            ends.push_back(a);
            ends.push_back(b);
        }
    }
    for (auto v = static_cast<NodeId>(m + 1); v < n; ++v) {
        std::set<NodeId> chosen;
        while (chosen.size() < m) {
            chosen.insert(ends[random.below(ends.size())]);
        }
        for (const NodeId u : chosen) {
            input.edges.push_back({v, u, weighted ? pick_weight(random) : 1.0});
            ends.push_back(v);
            ends.push_back(u);
        }
    }
    return input;
}

/// `groups` planted communities of `size` nodes; edges inside with
/// probability p_in and between with p_out; nodes numbered in shuffled order
/// so that groups are not runs of numbers. `group` gets each node's group.
Input planted(std::size_t groups, std::size_t size, double p_in, double p_out, std::uint64_t seed,
              std::vector<int>& group) {
    Random random(seed);
    const std::size_t n = groups * size;
    std::vector<NodeId> label(n);
    std::iota(label.begin(), label.end(), NodeId{0});
    for (std::size_t i = n; i > 1; --i) {
        std::swap(label[i - 1], label[random.below(i)]);
    }
    group.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        group[label[i]] = static_cast<int>(i / size);
    }
    Input input{n, {}};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const double p = i / size == j / size ? p_in : p_out;
            if (random.uniform() < p) {
                input.edges.push_back({label[i], label[j], pick_weight(random)});
            }
        }
    }
    return input;
}

/// Several components: a Barabási–Albert graph, a triangle, a 4-clique, a
/// path and isolated nodes, with all nodes renumbered at random so that
/// components interleave. The BA part has the largest eigenvalue by far.
Input disconnected(std::uint64_t seed) {
    Input parts = barabasi_albert(700, 3, seed, true);
    auto add = [&](const std::vector<std::pair<NodeId, NodeId>>& edges, NodeId count) {
        const auto base = static_cast<NodeId>(parts.nodes);
        for (const auto& [a, b] : edges) {
            parts.edges.push_back({base + a, base + b, 1.0});
        }
        parts.nodes += count;
    };
    add({{0, 1}, {1, 2}, {2, 0}}, 3);
    add({{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}, 4);
    add({{0, 1}, {1, 2}, {2, 3}, {3, 4}}, 5);
    parts.nodes += 12; // isolated
    Random random(seed + 1);
    std::vector<NodeId> label(parts.nodes);
    std::iota(label.begin(), label.end(), NodeId{0});
    for (std::size_t i = label.size(); i > 1; --i) {
        std::swap(label[i - 1], label[random.below(i)]);
    }
    for (Edge& e : parts.edges) {
        e = {label[e.a], label[e.b], e.weight};
    }
    return parts;
}

/// A rows × columns lattice: bipartite, so −λ is an eigenvalue too.
Input grid(NodeId rows, NodeId columns) {
    Input input{static_cast<std::size_t>(rows) * columns, {}};
    for (NodeId r = 0; r < rows; ++r) {
        for (NodeId c = 0; c < columns; ++c) {
            const NodeId v = r * columns + c;
            if (c + 1 < columns) {
                input.edges.push_back({v, v + 1, 1.0});
            }
            if (r + 1 < rows) {
                input.edges.push_back({v, v + columns, 1.0});
            }
        }
    }
    return input;
}

void write_graph(const std::string& file, const Input& input) {
    std::ofstream out(file);
    out << "nodes " << input.nodes << '\n';
    for (const Edge& e : input.edges) {
        out << e.a << ' ' << e.b << ' ' << exact(e.weight) << '\n';
    }
}

/// A CSV of numbers with a header: column name → values.
std::map<std::string, std::vector<double>> read_columns(const std::string& file) {
    std::map<std::string, std::vector<double>> columns;
    std::ifstream in(file);
    std::string line;
    std::vector<std::string> names;
    if (std::getline(in, line)) {
        std::stringstream header(line);
        std::string name;
        while (std::getline(header, name, ',')) {
            names.push_back(name);
            columns[name];
        }
    }
    while (std::getline(in, line)) {
        std::stringstream row(line);
        std::string field;
        for (const std::string& name : names) {
            if (!std::getline(row, field, ',')) {
                break;
            }
            columns[name].push_back(std::strtod(field.c_str(), nullptr));
        }
    }
    return columns;
}

std::vector<double> read_numbers(const std::string& file, int column) {
    std::vector<double> numbers;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::stringstream row(line);
        double value = 0;
        for (int i = 0; i <= column && row >> value; ++i) {
        }
        numbers.push_back(value);
    }
    return numbers;
}

/// Runs a reference script; returns "" or what went wrong.
std::string run_script(const std::string& script, const std::string& arguments, const TempDir& dir,
                       const std::string& package) {
    if (!std::filesystem::exists(python)) {
        return std::string(python) + " is missing: `make test` installs it with " + package;
    }
    const std::string errors = dir.file("stderr.txt");
    const std::string command = std::string(python) + " " + WAYMARK_SOURCE_DIR +
                                "/tests/graph/reference/" + script + " " + arguments + " 2>" +
                                errors;
    if (std::system(command.c_str()) != 0) {
        return script + " failed (`make test` installs " + package + " for /usr/bin/python3):\n" +
               waymark::testing::read_file(errors);
    }
    return "";
}

/// |ours − reference| ≤ 1e-9 relative, with an absolute floor of 1e-12 of
/// the largest reference value (ARPACK leaves ~1e-17 where the exact value
/// is 0). Reports the first few differences.
void expect_close(const std::vector<double>& ours, const std::vector<double>& reference,
                  const std::string& what, double relative = 1e-9) {
    ASSERT_EQ(ours.size(), reference.size()) << what;
    double largest = 0;
    for (const double r : reference) {
        largest = std::max(largest, std::abs(r));
    }
    const double floor = 1e-12 * largest;
    int reported = 0;
    int differ = 0;
    for (std::size_t v = 0; v < ours.size(); ++v) {
        const double tolerance =
            std::max(relative * std::max(std::abs(ours[v]), std::abs(reference[v])), floor);
        if (!(std::abs(ours[v] - reference[v]) <= tolerance)) {
            ++differ;
            if (reported++ < 5) {
                ADD_FAILURE() << what << ": node " << v << ": ours " << exact(ours[v])
                              << ", NetworkX " << exact(reference[v]);
            }
        }
    }
    EXPECT_EQ(differ, 0) << what << ": " << differ << " of " << ours.size() << " nodes differ";
}

template <typename T>
std::vector<double> as_doubles(const std::vector<T>& values) {
    return {values.begin(), values.end()};
}

/// Everything NetworkX says about one graph (measures_networkx.py).
struct NetworkxReference {
    std::string error;
    std::map<std::string, std::vector<double>> column;
    std::vector<double> modularity; ///< one per partition given
};

struct Partition {
    double resolution = 1.0;
    std::vector<int> labels;
};

/// NetworkX's measures of `input` (unless `measures` is false) and the
/// modularity of each partition.
NetworkxReference networkx(const Input& input, const std::vector<Partition>& partitions = {},
                           bool measures = true) {
    const TempDir dir;
    NetworkxReference reference;
    write_graph(dir.file("graph.txt"), input);
    std::string arguments = dir.file("graph.txt") + " " + (measures ? dir.file("out.csv") : "-");
    if (!partitions.empty()) {
        std::ofstream out(dir.file("partitions.txt"));
        for (const Partition& p : partitions) {
            out << exact(p.resolution);
            for (const int label : p.labels) {
                out << ' ' << label;
            }
            out << '\n';
        }
        arguments += " " + dir.file("partitions.txt") + " " + dir.file("modularity.txt");
    }
    reference.error = run_script("measures_networkx.py", arguments, dir, "NetworkX 2.8");
    if (reference.error.empty()) {
        if (measures) {
            reference.column = read_columns(dir.file("out.csv"));
        }
        if (!partitions.empty()) {
            reference.modularity = read_numbers(dir.file("modularity.txt"), 0);
        }
    }
    return reference;
}

/// Runs every measure on `input` and compares it with NetworkX.
void expect_networkx_measures(const Input& input) {
    const Graph graph(input.nodes, input.edges);
    const NetworkxReference reference = networkx(input);
    ASSERT_EQ(reference.error, "");
    const auto& column = reference.column;
    ASSERT_EQ(column.at("betweenness").size(), input.nodes);

    Betweenness normalized(graph, BetweennessParams{});
    normalized.run();
    EXPECT_FALSE(normalized.sampled());
    EXPECT_EQ(normalized.sources(), input.nodes);
    EXPECT_EQ(normalized.error_bound(), 0.0);
    expect_close(normalized.values(), column.at("betweenness"), "betweenness");
    BetweennessParams raw_params;
    raw_params.normalized = false;
    Betweenness raw(graph, raw_params);
    raw.run();
    expect_close(raw.values(), column.at("betweenness_raw"), "betweenness, not normalised");

    Closeness closeness(graph, ClosenessParams{});
    closeness.run();
    expect_close(closeness.closeness(), column.at("closeness"), "closeness");
    expect_close(closeness.harmonic(), column.at("harmonic"), "harmonic");

    Eigenvector eigenvector(graph, EigenvectorParams{});
    eigenvector.run();
    expect_close(eigenvector.values(), column.at("eigenvector"), "eigenvector");
    EigenvectorParams weighted_params;
    weighted_params.weighted = true;
    Eigenvector weighted(graph, weighted_params);
    weighted.run();
    expect_close(weighted.values(), column.at("eigenvector_w"), "eigenvector, weighted");

    EXPECT_EQ(as_doubles(core_numbers(graph)), column.at("core"));
    const Components components = connected_components(graph);
    EXPECT_EQ(as_doubles(components.component), column.at("component"));
    expect_close(weighted_degree(graph), column.at("degree_w"), "weighted degree");
}

// ---------------------------------------------------------------- against NetworkX

TEST(MeasuresVsNetworkx, Path) {
    expect_networkx_measures(path(7));
}

TEST(MeasuresVsNetworkx, Star) {
    expect_networkx_measures(star(8));
}

TEST(MeasuresVsNetworkx, Barbell) {
    expect_networkx_measures(barbell(6, 3));
}

TEST(MeasuresVsNetworkx, RandomWeightedWithRepeatsAndLoops) {
    expect_networkx_measures(random_weighted(600, 2400, 11));
}

TEST(MeasuresVsNetworkx, BarabasiAlbert) {
    // 800 nodes: Lanczos (not the dense solver) for the eigenvector.
    expect_networkx_measures(barabasi_albert(800, 3, 5, true));
}

TEST(MeasuresVsNetworkx, Grid) {
    // Bipartite: the adjacency has eigenvalues ±λ; the leading one is +λ.
    expect_networkx_measures(grid(18, 22));
}

TEST(MeasuresVsNetworkx, PlantedPartition) {
    std::vector<int> group;
    expect_networkx_measures(planted(8, 60, 0.15, 0.004, 3, group));
}

TEST(MeasuresVsNetworkx, Disconnected) {
    // The documented disconnected case: the BA component has the largest
    // eigenvalue, so NetworkX's (ARPACK's) vector is its Perron vector and
    // ~0 elsewhere, which is what ours gives.
    expect_networkx_measures(disconnected(9));
}

TEST(MeasuresVsNetworkx, ModularityOfPartitions) {
    std::vector<int> group;
    const Input input = planted(6, 50, 0.2, 0.01, 4, group);
    const Graph graph(input.nodes, input.edges);
    Louvain louvain(graph, LouvainParams{});
    louvain.run();
    Random random(8);
    std::vector<int> arbitrary(input.nodes);
    for (int& label : arbitrary) {
        label = static_cast<int>(random.below(7)) * 3; // gaps in the numbering
    }
    const std::vector<Partition> partitions = {
        {1.0, group}, {1.0, louvain.communities()},           {1.0, arbitrary}, {0.5, group},
        {2.0, group}, {1.0, std::vector<int>(input.nodes, 0)}};
    const NetworkxReference reference = networkx(input, partitions, false);
    ASSERT_EQ(reference.error, "");
    ASSERT_EQ(reference.modularity.size(), partitions.size());
    for (std::size_t i = 0; i < partitions.size(); ++i) {
        const double ours = modularity(graph, partitions[i].labels, partitions[i].resolution);
        EXPECT_NEAR(ours, reference.modularity[i], 1e-12) << "partition " << i;
    }
    EXPECT_NEAR(louvain.modularity(), reference.modularity[1], 1e-12);
}

// ---------------------------------------------------------------- by hand

TEST(Measures, PathByHand) {
    const Input input = path(5);
    const Graph graph(input.nodes, input.edges);
    Betweenness betweenness(graph, BetweennessParams{});
    betweenness.run();
    // Pairs through node 1: (0,2) (0,3) (0,4); through 2: (0|1, 3|4); out of
    // (n−1)(n−2)/2 = 6.
    const std::vector<double> expected = {0, 3.0 / 6, 4.0 / 6, 3.0 / 6, 0};
    for (std::size_t v = 0; v < 5; ++v) {
        EXPECT_DOUBLE_EQ(betweenness.values()[v], expected[v]) << v;
    }
    Closeness closeness(graph, ClosenessParams{});
    closeness.run();
    EXPECT_DOUBLE_EQ(closeness.closeness()[0], 4.0 / 10);
    EXPECT_DOUBLE_EQ(closeness.closeness()[2], 4.0 / 6);
    EXPECT_DOUBLE_EQ(closeness.harmonic()[0], 1 + 0.5 + 1.0 / 3 + 0.25);
    EXPECT_EQ(core_numbers(graph), std::vector<int>(5, 1));
}

TEST(Measures, StarByHand) {
    const Input input = star(5);
    const Graph graph(input.nodes, input.edges);
    Betweenness betweenness(graph, BetweennessParams{});
    betweenness.run();
    EXPECT_DOUBLE_EQ(betweenness.values()[0], 1.0);
    EXPECT_EQ(betweenness.values()[3], 0.0);
    Eigenvector eigenvector(graph, EigenvectorParams{});
    eigenvector.run();
    // λ = √5; centre 1/√2, each leaf 1/√10.
    EXPECT_NEAR(eigenvector.eigenvalue(), std::sqrt(5.0), 1e-14);
    EXPECT_NEAR(eigenvector.values()[0], 1 / std::sqrt(2.0), 1e-14);
    EXPECT_NEAR(eigenvector.values()[4], 1 / std::sqrt(10.0), 1e-14);
    Closeness closeness(graph, ClosenessParams{});
    closeness.run();
    EXPECT_DOUBLE_EQ(closeness.closeness()[0], 1.0);
    EXPECT_DOUBLE_EQ(closeness.closeness()[1], 5.0 / 9);
    EXPECT_DOUBLE_EQ(closeness.harmonic()[1], 1 + 4 * 0.5);
    EXPECT_EQ(degree(graph), (std::vector<double>{5, 1, 1, 1, 1, 1}));
}

TEST(Measures, CoresAndComponentsByHand) {
    // A 4-clique {0,1,2,3} with a tail 3–4–5, a triangle {6,7,8}, node 9 alone.
    const std::vector<Edge> edges = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3},
                                     {3, 4}, {4, 5}, {6, 7}, {7, 8}, {8, 6}};
    const Graph graph(10, edges);
    EXPECT_EQ(core_numbers(graph), (std::vector<int>{3, 3, 3, 3, 1, 1, 2, 2, 2, 0}));
    const Components components = connected_components(graph);
    EXPECT_EQ(components.count, 3);
    EXPECT_EQ(components.component, (std::vector<int>{0, 0, 0, 0, 0, 0, 1, 1, 1, 2}));
    EXPECT_EQ(components.sizes, (std::vector<std::size_t>{6, 3, 1}));
}

TEST(Measures, EigenvectorTieBetweenComponentsGoesToTheLowestNode) {
    // Two identical triangles: λ = 2 for both. NetworkX returns whatever
    // combination ARPACK lands on; ours (documented) is the component of the
    // lowest node, 1/√3 on each of its nodes, 0 elsewhere.
    const std::vector<Edge> edges = {{3, 4}, {4, 5}, {5, 3}, {0, 1}, {1, 2}, {2, 0}};
    const Graph graph(6, edges);
    Eigenvector eigenvector(graph, EigenvectorParams{});
    eigenvector.run();
    EXPECT_NEAR(eigenvector.eigenvalue(), 2.0, 1e-14);
    for (std::size_t v = 0; v < 3; ++v) {
        EXPECT_NEAR(eigenvector.values()[v], 1 / std::sqrt(3.0), 1e-14);
        EXPECT_EQ(eigenvector.values()[v + 3], 0.0);
    }
}

TEST(Measures, EmptyAndEdgelessGraphs) {
    const Graph empty(0, {});
    Betweenness betweenness(empty, BetweennessParams{});
    betweenness.run();
    EXPECT_TRUE(betweenness.values().empty());
    Eigenvector eigenvector(empty, EigenvectorParams{});
    eigenvector.run();
    EXPECT_TRUE(eigenvector.values().empty());
    Louvain louvain(empty, LouvainParams{});
    louvain.run();
    EXPECT_EQ(louvain.count(), 0);

    const Graph edgeless(4, {});
    Eigenvector flat(edgeless, EigenvectorParams{});
    flat.run();
    EXPECT_EQ(flat.values(), std::vector<double>(4, 0.0));
    EXPECT_EQ(flat.eigenvalue(), 0.0);
    Louvain alone(edgeless, LouvainParams{});
    alone.run();
    EXPECT_EQ(alone.communities(), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_EQ(alone.modularity(), 0.0);
    EXPECT_EQ(modularity(edgeless, {0, 0, 1, 1}), 0.0);
    Closeness closeness(edgeless, ClosenessParams{});
    closeness.run();
    EXPECT_EQ(closeness.closeness(), std::vector<double>(4, 0.0));
    EXPECT_EQ(closeness.harmonic(), std::vector<double>(4, 0.0));
}

TEST(Measures, WithinHops) {
    // 0–1–2–3 and 0–4, 4–5, 2–6; node 7 alone.
    const std::vector<Edge> edges = {{0, 1}, {1, 2}, {2, 3}, {0, 4}, {4, 5}, {2, 6}};
    const Graph graph(8, edges);
    EXPECT_EQ(within_hops(graph, 0, 0), (std::vector<NodeId>{0}));
    EXPECT_EQ(within_hops(graph, 0, 1), (std::vector<NodeId>{0, 1, 4}));
    EXPECT_EQ(within_hops(graph, 0, 2), (std::vector<NodeId>{0, 1, 4, 2, 5}));
    EXPECT_EQ(within_hops(graph, 0, 9), (std::vector<NodeId>{0, 1, 4, 2, 5, 3, 6}));
    EXPECT_EQ(within_hops(graph, 2, 1), (std::vector<NodeId>{2, 1, 3, 6}));
    EXPECT_EQ(within_hops(graph, 7, 3), (std::vector<NodeId>{7}));
    const Graph ego = graph.induced(within_hops(graph, 0, 1));
    EXPECT_EQ(ego.node_count(), 3U);
    EXPECT_EQ(ego.edge_count(), 2U);
}

// ---------------------------------------------------------------- betweenness

/// The sampler docs/methods/network-measures.md documents for sampled
/// betweenness, written out again: SplitMix64 seeded with `seed`, a partial
/// Fisher–Yates shuffle of 0..n−1 drawing j uniformly from [i, n) with
/// Lemire's multiply-and-reject, the first k kept.
std::vector<NodeId> sampled_sources(std::size_t n, std::size_t k, std::uint64_t seed) {
    Random random(seed);
    auto below = [&](std::uint64_t bound) {
        __extension__ using U128 = unsigned __int128;
        U128 product = static_cast<U128>(random.next()) * bound;
        const std::uint64_t threshold = (0 - bound) % bound;
        while (static_cast<std::uint64_t>(product) < threshold) {
            product = static_cast<U128>(random.next()) * bound;
        }
        return static_cast<std::uint64_t>(product >> 64);
    };
    std::vector<NodeId> all(n);
    std::iota(all.begin(), all.end(), NodeId{0});
    for (std::size_t i = 0; i < k; ++i) {
        std::swap(all[i], all[i + below(n - i)]);
    }
    all.resize(k);
    return all;
}

TEST(Betweenness, SampledEqualsNetworkxOverTheSameSources) {
    // Sampling forced (exact_limit below n). NetworkX's own accumulation and
    // _rescale(k) over exactly our sources must give the same estimate, and
    // every estimate must lie within the stated bound of the exact value.
    const Input input = barabasi_albert(900, 3, 21, false);
    const Graph graph(input.nodes, input.edges);
    BetweennessParams params;
    params.exact_limit = 500;
    params.samples = 120;
    params.seed = 77;
    Betweenness sampled(graph, params);
    sampled.run();
    ASSERT_TRUE(sampled.sampled());
    ASSERT_EQ(sampled.sources(), 120U);
    const double n = 900;
    const double bound = n / (n - 1) * std::sqrt(std::log(2 * n / 0.05) / (2 * 120));
    EXPECT_DOUBLE_EQ(sampled.error_bound(), bound);

    Betweenness exact(graph, BetweennessParams{});
    exact.run();
    double worst = 0;
    for (std::size_t v = 0; v < input.nodes; ++v) {
        worst = std::max(worst, std::abs(sampled.values()[v] - exact.values()[v]));
    }
    EXPECT_LE(worst, sampled.error_bound());
    EXPECT_GT(worst, 0.0); // it really was an estimate

    params.normalized = false;
    Betweenness raw(graph, params);
    raw.run();
    EXPECT_DOUBLE_EQ(raw.error_bound(), bound * (n - 1) * (n - 2) / 2);

    // The sources, from the documented sampler (docs/methods/network-measures.md).
    const TempDir dir;
    write_graph(dir.file("graph.txt"), input);
    {
        std::ofstream out(dir.file("sources.txt"));
        for (const NodeId s : sampled_sources(input.nodes, params.samples, params.seed)) {
            out << s << '\n';
        }
    }
    const std::string error = run_script(
        "measures_networkx.py",
        dir.file("graph.txt") + " - - - " + dir.file("sources.txt") + " " + dir.file("sampled.csv"),
        dir, "NetworkX 2.8");
    ASSERT_EQ(error, "");
    const auto column = read_columns(dir.file("sampled.csv"));
    expect_close(sampled.values(), column.at("betweenness"), "sampled betweenness");
    expect_close(raw.values(), column.at("betweenness_raw"), "sampled betweenness, raw");
}

TEST(Betweenness, AutomaticSampleSize) {
    const Input input = barabasi_albert(3000, 2, 4, false);
    const Graph graph(input.nodes, input.edges);
    BetweennessParams params;
    params.exact_limit = 2000; // budget 2000² / 3000 = 1334 sources
    Betweenness betweenness(graph, params);
    betweenness.run();
    EXPECT_TRUE(betweenness.sampled());
    EXPECT_EQ(betweenness.sources(), 1334U);
    params.exact_limit = 100; // budget 4, but never fewer than 1000
    Betweenness floor(graph, params);
    floor.run();
    EXPECT_EQ(floor.sources(), 1000U);
    params.samples = 5000; // more than n: exact
    Betweenness all(graph, params);
    all.run();
    EXPECT_FALSE(all.sampled());
    EXPECT_EQ(all.sources(), 3000U);
    EXPECT_EQ(all.error_bound(), 0.0);
}

TEST(Betweenness, SameBitsForAnyNumberOfThreads) {
    const Input input = random_weighted(1500, 4500, 31);
    const Graph graph(input.nodes, input.edges);
    for (const std::size_t exact_limit : {std::size_t{100'000}, std::size_t{10}}) {
        BetweennessParams params;
        params.exact_limit = exact_limit;
        params.samples = 300;
        params.threads = 1;
        Betweenness one(graph, params);
        one.run();
        for (const int threads : {2, 3, 7}) {
            params.threads = threads;
            Betweenness many(graph, params);
            many.run();
            // Bitwise: EXPECT_EQ on vectors of doubles compares with ==.
            EXPECT_EQ(one.values(), many.values()) << threads << " threads";
        }
    }
    Closeness one(graph, ClosenessParams{1});
    one.run();
    Closeness two(graph, ClosenessParams{2});
    two.run();
    EXPECT_EQ(one.closeness(), two.closeness());
    EXPECT_EQ(one.harmonic(), two.harmonic());
}

// ---------------------------------------------------------------- Louvain vs igraph

/// igraph's multilevel modularity for seeds 1..count (measures_igraph.py).
std::vector<double> igraph_modularity(const Input& input, int count, std::string& error) {
    const TempDir dir;
    write_graph(dir.file("graph.txt"), input);
    error =
        run_script("measures_igraph.py",
                   dir.file("graph.txt") + " " + dir.file("out.txt") + " " + std::to_string(count),
                   dir, "python-igraph 0.10");
    return error.empty() ? read_numbers(dir.file("out.txt"), 1) : std::vector<double>{};
}

/// Ours, for seeds 1..5, must each reach 99 % of the best modularity igraph
/// finds over seeds 1..10 (the best rather than the median: it is the
/// stricter target and does not depend on igraph's luck with one seed).
void expect_louvain_like_igraph(const Input& input) {
    const Graph graph(input.nodes, input.edges);
    std::string error;
    const std::vector<double> theirs = igraph_modularity(input, 10, error);
    ASSERT_EQ(error, "");
    ASSERT_EQ(theirs.size(), 10U);
    const double best = *std::max_element(theirs.begin(), theirs.end());
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        LouvainParams params;
        params.seed = seed;
        Louvain louvain(graph, params);
        louvain.run();
        EXPECT_GE(louvain.modularity(), 0.99 * best)
            << "seed " << seed << ": ours " << louvain.modularity() << ", igraph's best " << best;
    }
}

TEST(LouvainVsIgraph, PlantedPartition) {
    std::vector<int> group;
    const Input input = planted(12, 80, 0.12, 0.003, 7, group);
    expect_louvain_like_igraph(input);
    // The planted groups are clear enough to be found: twelve communities,
    // each the majority community of one group, holding nearly every node of
    // it. (Not every node: by chance a few have more links into another group
    // than their own, and the modularity optimum puts them there.)
    const Graph graph(input.nodes, input.edges);
    Louvain louvain(graph, LouvainParams{});
    louvain.run();
    EXPECT_EQ(louvain.count(), 12);
    std::map<int, std::map<int, int>> counts; // group → community → nodes
    for (std::size_t v = 0; v < input.nodes; ++v) {
        ++counts[group[v]][louvain.communities()[v]];
    }
    std::set<int> majorities;
    int agree = 0;
    for (const auto& [g, by_community] : counts) {
        const auto top =
            std::max_element(by_community.begin(), by_community.end(),
                             [](const auto& x, const auto& y) { return x.second < y.second; });
        majorities.insert(top->first);
        agree += top->second;
    }
    EXPECT_EQ(majorities.size(), 12U);
    EXPECT_GE(agree, static_cast<int>(0.98 * static_cast<double>(input.nodes)))
        << agree << " of " << input.nodes << " nodes with their group";
    EXPECT_GE(louvain.modularity(), modularity(graph, group) - 1e-12);
}

TEST(LouvainVsIgraph, RandomGraph) {
    expect_louvain_like_igraph(random_weighted(2000, 6000, 13));
}

TEST(LouvainVsIgraph, BarabasiAlbert) {
    expect_louvain_like_igraph(barabasi_albert(3000, 2, 17, true));
}

TEST(Louvain, SameSeedSameCommunities) {
    const Input input = random_weighted(800, 2400, 5);
    const Graph graph(input.nodes, input.edges);
    LouvainParams params;
    params.seed = 42;
    Louvain first(graph, params);
    first.run();
    Louvain second(graph, params);
    second.run();
    EXPECT_EQ(first.communities(), second.communities());
    EXPECT_EQ(first.modularity(), second.modularity());
    // Numbered by lowest node: community k first appears after 0..k−1.
    int next = 0;
    for (const int c : first.communities()) {
        ASSERT_LE(c, next);
        next = std::max(next, c + 1);
    }
    EXPECT_EQ(next, first.count());
    EXPECT_GE(first.levels(), 2);
}

// ---------------------------------------------------------------- errors

TEST(Measures, ErrorMessages) {
    const Graph graph(3, std::vector<Edge>{{0, 1}, {1, 2}});
    EXPECT_EQ(message_of<InputError>([&] { within_hops(graph, 3, 1); }),
              "within_hops: node 3 is not in the graph of 3 nodes");
    EXPECT_EQ(message_of<InputError>([&] { within_hops(graph, 0, -1); }),
              "within_hops: hops must be 0 or more, got -1");
    EXPECT_EQ(message_of<InputError>([&] {
                  modularity(graph, {0, 1});
              }),
              "modularity: 2 community labels for a graph of 3 nodes");
    EXPECT_EQ(message_of<InputError>([&] {
                  modularity(graph, {0, -2, 1});
              }),
              "modularity: node 1 has community -2; communities are numbered from 0");
    EXPECT_EQ(message_of<InputError>([&] {
                  modularity(graph, {0, 0, 1}, NAN);
              }),
              "modularity: resolution must be a finite number, got nan");
    BetweennessParams betweenness;
    betweenness.threads = -1;
    EXPECT_EQ(message_of<InputError>([&] { Betweenness(graph, betweenness); }),
              "betweenness: threads must be 0 (one per core) or more, got -1");
    EXPECT_EQ(message_of<InputError>([&] { Closeness(graph, ClosenessParams{-3}); }),
              "closeness: threads must be 0 (one per core) or more, got -3");
    EigenvectorParams eigenvector;
    eigenvector.tolerance = 0;
    EXPECT_EQ(message_of<InputError>([&] { Eigenvector(graph, eigenvector); }),
              "eigenvector centrality: tolerance must be a finite number greater than 0, got 0");
    eigenvector.tolerance = 1e-10;
    eigenvector.max_iterations = 0;
    EXPECT_EQ(message_of<InputError>([&] { Eigenvector(graph, eigenvector); }),
              "eigenvector centrality: max_iterations must be 1 or more, got 0");
    LouvainParams louvain;
    louvain.resolution = -1;
    EXPECT_EQ(message_of<InputError>([&] { Louvain(graph, louvain); }),
              "Louvain: resolution must be a finite number greater than 0, got -1");
    louvain.resolution = 1;
    louvain.min_gain = INFINITY;
    EXPECT_EQ(message_of<InputError>([&] { Louvain(graph, louvain); }),
              "Louvain: min_gain must be a finite number of 0 or more, got inf");
}

TEST(Measures, EigenvectorThatCannotConvergeThrows) {
    const Input input = barabasi_albert(1000, 3, 2, false);
    const Graph graph(input.nodes, input.edges);
    EigenvectorParams params;
    params.max_iterations = 20;
    EXPECT_EQ(message_of<Error>([&] {
                  Eigenvector eigenvector(graph, params);
                  eigenvector.run();
              }),
              "eigenvector centrality: no convergence after 20 matrix-vector products on a "
              "component of 1000 nodes (tolerance 1e-13)");
}

} // namespace
} // namespace waymark::graph
