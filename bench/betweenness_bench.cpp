// Exact betweenness on a 50,000-node, 250,000-edge graph, beside igraph and
// NetworkX on the same edges (bench/reference/betweenness_igraph.py and
// betweenness_networkx.py).
//
//   bench_betweenness                            the Google Benchmark runs (1 and 2 threads)
//   bench_betweenness --write_graph=g.txt        also writes the graph for the reference scripts
//   bench_betweenness --once --threads=2         one run with its own timing
//   --write_values=b.txt                         --once also writes each node's value
//   --samples=K                                  --once from K sampled sources (a quick timing)
//   --nodes=N --per_node=M                       another size (default 50000 and 5: 5N edges)
//
// The graph is preferential attachment (Barabási–Albert): a seed of the
// first 2M+1 nodes each joined to the next M around a ring (M(2M+1) edges),
// then every further node joins M distinct earlier nodes drawn in proportion
// to their degree, so it has exactly M·N edges — 250,000 for the defaults —
// with hubs of degree in the hundreds and a small diameter, as contact
// networks have. Every draw comes from a counter-based stream keyed by
// (seed, node, draw), so the graph does not depend on the standard library.
// The values written (--write_values) are NetworkX's normalized=False ones,
// which is igraph's scale, so the two files can be compared.

#include "graph/graph.hpp"
#include "graph/measures.hpp"

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

using waymark::graph::Betweenness;
using waymark::graph::BetweennessParams;
using waymark::graph::Edge;
using waymark::graph::Graph;
using waymark::graph::NodeId;

constexpr std::uint64_t seed = 20261130;

std::size_t g_nodes = 50000;
std::size_t g_per_node = 5;
int g_threads = 2;
std::size_t g_samples = 0; ///< --once: sampled from this many sources (0: exact)

std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// Uniform in [0, bound), draw `k` for node `i`.
std::size_t below(std::uint64_t i, std::uint64_t k, std::size_t bound) {
    const std::uint64_t bits = mix(mix(mix(seed) + i) + k);
    return static_cast<std::size_t>((static_cast<double>(bits >> 11) * 0x1p-53) *
                                    static_cast<double>(bound));
}

std::vector<Edge> make_edges(std::size_t nodes, std::size_t per_node) {
    std::vector<Edge> edges;
    std::vector<NodeId> ends; // each edge's two ends: a degree-weighted urn
    const std::size_t ring = 2 * per_node + 1;
    auto add = [&](NodeId a, NodeId b) {
        edges.push_back({a, b, 1.0});
        ends.push_back(a);
        ends.push_back(b);
    };
    for (NodeId v = 0; v < ring; ++v) {
        for (std::size_t k = 1; k <= per_node; ++k) {
            add(v, static_cast<NodeId>((v + k) % ring));
        }
    }
    std::vector<NodeId> chosen;
    for (auto v = static_cast<NodeId>(ring); v < nodes; ++v) {
        chosen.clear();
        for (std::uint64_t draw = 0; chosen.size() < per_node; ++draw) {
            const NodeId u = ends[below(v, draw, ends.size())];
            if (std::find(chosen.begin(), chosen.end(), u) == chosen.end()) {
                chosen.push_back(u);
            }
        }
        for (const NodeId u : chosen) {
            add(v, u);
        }
    }
    return edges;
}

const Graph& graph() {
    static const Graph made = [] {
        const std::vector<Edge> edges = make_edges(g_nodes, g_per_node);
        return Graph(g_nodes, edges);
    }();
    return made;
}

/// CPU seconds of the whole process so far (user + system, all threads).
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_Betweenness(benchmark::State& state) {
    const Graph& input = graph();
    BetweennessParams params;
    params.threads = static_cast<int>(state.range(0));
    double top = 0;
    for (auto _ : state) {
        Betweenness betweenness(input, params);
        betweenness.run();
        top = *std::max_element(betweenness.values().begin(), betweenness.values().end());
        benchmark::DoNotOptimize(betweenness.values().data());
    }
    state.counters["nodes"] = static_cast<double>(input.node_count());
    state.counters["edges"] = static_cast<double>(input.edge_count());
    state.counters["max_normalized"] = top;
    state.counters["peak_rss_MB"] = peak_rss_mb();
}
BENCHMARK(BM_Betweenness)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

void write_graph(const std::string& path) {
    std::FILE* out = std::fopen(path.c_str(), "w");
    if (out == nullptr) {
        std::cerr << "cannot write " << path << '\n';
        std::exit(1);
    }
    const std::vector<Edge> edges = make_edges(g_nodes, g_per_node);
    std::fprintf(out, "nodes %zu\n", g_nodes);
    for (const Edge& e : edges) {
        std::fprintf(out, "%u %u 1\n", e.a, e.b);
    }
    std::fclose(out);
}

void run_once(const std::string& values) {
    const Graph& input = graph();
    BetweennessParams params;
    params.threads = g_threads;
    params.normalized = false;
    if (g_samples > 0) {
        params.exact_limit = 0;
        params.samples = g_samples;
    }
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    Betweenness betweenness(input, params);
    betweenness.run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const double cpu = cpu_seconds() - cpu_start;
    std::printf("nodes %zu edges %zu threads %d sources %zu seconds %.3f cpu_seconds %.3f "
                "ms_per_source %.3f peak_rss_MB %.1f\n",
                input.node_count(), input.edge_count(), g_threads, betweenness.sources(),
                took.count(), cpu, 1000 * took.count() / static_cast<double>(betweenness.sources()),
                peak_rss_mb());
    if (!values.empty()) {
        std::FILE* out = std::fopen(values.c_str(), "w");
        if (out == nullptr) {
            std::cerr << "cannot write " << values << '\n';
            std::exit(1);
        }
        for (const double v : betweenness.values()) {
            std::fprintf(out, "%.17g\n", v);
        }
        std::fclose(out);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::vector<char*> rest;
    std::string graph_file;
    std::string values;
    bool once = false;
    for (int i = 0; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value_of = [&](const char* name) -> const char* {
            const std::size_t length = std::strlen(name);
            return arg.compare(0, length, name) == 0 ? argv[i] + length : nullptr;
        };
        if (const char* v = value_of("--write_graph=")) {
            graph_file = v;
        } else if (const char* w = value_of("--write_values=")) {
            values = w;
        } else if (const char* n = value_of("--nodes=")) {
            g_nodes = std::stoul(n);
        } else if (const char* m = value_of("--per_node=")) {
            g_per_node = std::stoul(m);
        } else if (const char* k = value_of("--samples=")) {
            g_samples = std::stoul(k);
        } else if (const char* t = value_of("--threads=")) {
            g_threads = std::stoi(t);
        } else if (arg == "--once") {
            once = true;
        } else {
            rest.push_back(argv[i]);
        }
    }
    if (!graph_file.empty()) {
        write_graph(graph_file);
    }
    if (once) {
        run_once(values);
        return 0;
    }
    int count = static_cast<int>(rest.size());
    benchmark::Initialize(&count, rest.data());
    if (benchmark::ReportUnrecognizedArguments(count, rest.data())) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
