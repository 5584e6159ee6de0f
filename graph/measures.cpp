#include "graph/measures.hpp"

#include "base/error.hpp"
#include "base/parallel.hpp"

#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <utility>

// docs/methods/network-measures.md gives every formula, default and reference.

namespace waymark::graph {
namespace {

/// The shortest text that reads back as `value` ("1e-13", "nan", "inf").
std::string number(double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return {buffer, result.ptr};
}

int resolve_threads(const char* what, int requested) {
    if (requested < 0) {
        throw InputError(std::string(what) + ": threads must be 0 (one per core) or more, got " +
                         std::to_string(requested));
    }
    return thread_count(requested);
}

/// Runs `work(thread, item)` for every item in [0, count) on up to `threads`
/// threads, handing out chunks of `chunk` items as threads become free. Which
/// thread takes which item varies from run to run, so callers either write
/// per-item outputs or accumulate in a way whose result does not depend on
/// the order (Betweenness: integers). The first exception is rethrown.
template <typename Work>
void parallel_items(int threads, std::size_t count, std::size_t chunk, const Work& work) {
    parallel_chunks(threads, count, chunk, [&work](int thread, std::size_t begin, std::size_t end) {
        for (std::size_t item = begin; item < end; ++item) {
            work(thread, item);
        }
    });
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small generator whose output
/// depends only on the seed, on every platform and standard library (the
/// standard distributions are implementation-defined).
class Random {
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, bound), without modulo bias (Lemire 2019).
    std::uint64_t below(std::uint64_t bound) {
        __extension__ using U128 = unsigned __int128;
        U128 product = static_cast<U128>(next()) * bound;
        auto low = static_cast<std::uint64_t>(product);
        if (low < bound) {
            const std::uint64_t threshold = (0 - bound) % bound;
            while (low < threshold) {
                product = static_cast<U128>(next()) * bound;
                low = static_cast<std::uint64_t>(product);
            }
        }
        return static_cast<std::uint64_t>(product >> 64);
    }

private:
    std::uint64_t m_state;
};

void check_node(const char* what, const Graph& graph, NodeId v) {
    if (v >= graph.node_count()) {
        throw InputError(std::string(what) + ": node " + std::to_string(v) +
                         " is not in the graph of " + std::to_string(graph.node_count()) +
                         " nodes");
    }
}

// ---------------------------------------------------------------- Brandes

// Dependencies are summed over sources in fixed point: 63 fractional bits in
// an unsigned 128-bit integer per node. Integer addition is associative, so
// the totals are the same bits whichever thread ran which source and in
// whatever order — the result does not depend on the number of threads or
// on scheduling, while the threads still take sources as they become free.
// A dependency is below n, so the integer part needs < 64 bits and the sum
// of n of them < 2 log2(n) + 63 bits; the truncation of each term at 2^-63
// (1.1e-19) is far below the 1e-9 agreement the tests ask of NetworkX.
__extension__ using Fixed = unsigned __int128;
constexpr double fixed_one = 0x1p63;

inline Fixed to_fixed(double x) {
    // 0 <= x < 2^63. x - whole is exact (Sterbenz), and so is the scaling.
    const auto whole = static_cast<std::uint64_t>(static_cast<std::int64_t>(x));
    const double fraction = x - static_cast<double>(whole);
    const auto part = static_cast<std::uint64_t>(static_cast<std::int64_t>(fraction * fixed_one));
    return (static_cast<Fixed>(whole) << 63) + part;
}

inline double from_fixed(Fixed x) {
    return static_cast<double>(x) / fixed_one;
}

/// The graph as the breadth-first kernels (Brandes, closeness) read it.
/// Nodes are renumbered in the order of a breadth-first search (from the
/// node of highest degree, each node's neighbours taken by decreasing degree;
/// other components likewise), so that nodes a search meets together sit
/// together in memory: on the 50,000-node benchmark graph a search runs about
/// 1.5× faster than in the order the generator numbered the nodes. Offset is
/// 32-bit below 2^32 arcs.
template <typename Offset>
struct SearchGraph {
    std::vector<Offset> offsets;
    std::vector<NodeId> targets;
    std::vector<NodeId> internal; ///< per node of the caller's graph: its number here
};

template <typename Offset>
SearchGraph<Offset> search_graph(const Graph& graph) {
    const std::size_t n = graph.node_count();
    constexpr NodeId unset = std::numeric_limits<NodeId>::max();
    auto busier = [&](NodeId x, NodeId y) {
        return graph.degree(x) != graph.degree(y) ? graph.degree(x) > graph.degree(y) : x < y;
    };
    std::vector<NodeId> by_degree(n);
    std::iota(by_degree.begin(), by_degree.end(), NodeId{0});
    std::sort(by_degree.begin(), by_degree.end(), busier);
    SearchGraph<Offset> g;
    g.internal.assign(n, unset);
    std::vector<NodeId> original(n); // internal number → caller's
    std::vector<NodeId> row;
    NodeId next = 0;
    for (const NodeId start : by_degree) {
        if (g.internal[start] != unset) {
            continue;
        }
        std::size_t head = next;
        g.internal[start] = next;
        original[next++] = start;
        while (head < next) {
            const auto neighbours = graph.neighbours(original[head++]);
            row.assign(neighbours.begin(), neighbours.end());
            std::sort(row.begin(), row.end(), busier);
            for (const NodeId w : row) {
                if (g.internal[w] == unset) {
                    g.internal[w] = next;
                    original[next++] = w;
                }
            }
        }
    }
    g.offsets.assign(n + 1, 0);
    g.targets.reserve(2 * graph.edge_count());
    for (std::size_t i = 0; i < n; ++i) {
        const auto begin = static_cast<std::ptrdiff_t>(g.targets.size());
        for (const NodeId w : graph.neighbours(original[i])) {
            g.targets.push_back(g.internal[w]);
        }
        std::sort(g.targets.begin() + begin, g.targets.end());
        g.offsets[i + 1] = static_cast<Offset>(g.targets.size());
    }
    return g;
}

/// One thread's scratch, reused for every source it runs.
///
/// `level` is 0 for a node not reached yet, else 1 + (distance mod 3): a
/// neighbour of a node at distance d is at d − 1, d or d + 1 (or not reached),
/// which three codes tell apart, so one byte per node does the work of an
/// int32 distance and the array stays in the core's L2 cache (it is read
/// for every arc). `value` holds σ (shortest paths from the source) in the
/// forward pass and (1 + δ)/σ in the backward pass, once the node's own δ
/// is known. `has_successor` lets the backward pass skip the neighbours of
/// nodes no shortest path continues from (their δ is 0).
struct BrandesScratch {
    std::vector<std::uint8_t> level;
    std::vector<std::uint8_t> has_successor;
    std::vector<double> value;
    std::vector<NodeId> order; ///< nodes in BFS order (the "stack" of Brandes)
    std::vector<Fixed> total;  ///< Σ over this thread's sources of δ_s(v)

    explicit BrandesScratch(std::size_t n)
        : level(n, 0), has_successor(n, 0), value(n, 0.0), order(n), total(n, 0) {}
};

inline std::uint8_t next_level(std::uint8_t code) {
    return code == 3 ? std::uint8_t{1} : static_cast<std::uint8_t>(code + 1);
}

/// Brandes (2001) from one source, hop distances. Forward: BFS counting
/// shortest paths σ. Backward, in reverse BFS order: δ(v) = σ(v) Σ (1 +
/// δ(w))/σ(w) over the successors w of v — neighbours one hop further —
/// found by their level, not stored in predecessor lists. Adds δ(v) to the
/// thread's totals for every v but the source.
template <typename Offset>
void brandes_source(const SearchGraph<Offset>& g, NodeId source, BrandesScratch& scratch) {
    std::uint8_t* const level = scratch.level.data();
    std::uint8_t* const has_successor = scratch.has_successor.data();
    double* const value = scratch.value.data();
    NodeId* const order = scratch.order.data();
    Fixed* const total = scratch.total.data();
    const Offset* const offsets = g.offsets.data();
    const NodeId* const targets = g.targets.data();

    level[source] = 1;
    value[source] = 1.0;
    order[0] = source;
    std::size_t head = 0;
    std::size_t tail = 1;
    while (head < tail) {
        const NodeId v = order[head++];
        const std::uint8_t next = next_level(level[v]);
        const double sigma = value[v];
        bool any = false;
        const NodeId* const end = targets + offsets[v + 1];
        for (const NodeId* w = targets + offsets[v]; w != end; ++w) {
            const std::uint8_t at = level[*w];
            if (at == 0) {
                level[*w] = next;
                value[*w] = sigma;
                order[tail++] = *w;
                any = true;
            } else if (at == next) {
                value[*w] += sigma;
                any = true;
            }
        }
        has_successor[v] = any ? 1 : 0;
    }
    for (std::size_t i = tail; i-- > 1;) {
        const NodeId v = order[i];
        const double sigma = value[v];
        if (!has_successor[v]) {
            value[v] = 1.0 / sigma; // δ(v) = 0
            continue;
        }
        const std::uint8_t next = next_level(level[v]);
        double sum = 0.0;
        const NodeId* const end = targets + offsets[v + 1];
        for (const NodeId* w = targets + offsets[v]; w != end; ++w) {
            if (level[*w] == next) {
                sum += value[*w];
            }
        }
        const double delta = sigma * sum;
        value[v] = (1.0 + delta) / sigma;
        total[v] += to_fixed(delta);
    }
    for (std::size_t i = 0; i < tail; ++i) {
        level[order[i]] = 0;
    }
}

/// Σ over `sources` of δ_s(v) for every node v, in fixed point, in the
/// caller's numbering.
template <typename Offset>
std::vector<Fixed> brandes(const Graph& graph, const std::vector<NodeId>& sources, int threads) {
    const std::size_t n = graph.node_count();
    const SearchGraph<Offset> g = search_graph<Offset>(graph);
    const auto workers = static_cast<int>(std::max<std::size_t>(
        1, std::min<std::size_t>(static_cast<std::size_t>(threads), sources.size())));
    std::vector<BrandesScratch> scratch;
    scratch.reserve(static_cast<std::size_t>(workers));
    for (int t = 0; t < workers; ++t) {
        scratch.emplace_back(n);
    }
    parallel_items(workers, sources.size(), 16, [&](int thread, std::size_t i) {
        brandes_source(g, g.internal[sources[i]], scratch[static_cast<std::size_t>(thread)]);
    });
    std::vector<Fixed> total(n, 0);
    for (std::size_t v = 0; v < n; ++v) {
        for (const BrandesScratch& s : scratch) {
            total[v] += s.total[g.internal[v]];
        }
    }
    return total;
}

/// Closeness and harmonic centrality of every node: one breadth-first
/// search per node, level by level, counting the nodes first reached at each
/// distance d (no distances stored: a byte per node marks it reached).
template <typename Offset>
void closeness_all(const Graph& graph, int threads, std::vector<double>& closeness,
                   std::vector<double>& harmonic) {
    const std::size_t n = graph.node_count();
    const SearchGraph<Offset> g = search_graph<Offset>(graph);
    const auto workers =
        static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), n));
    struct Scratch {
        std::vector<std::uint8_t> reached;
        std::vector<NodeId> order;
    };
    std::vector<Scratch> scratch(static_cast<std::size_t>(workers));
    for (Scratch& s : scratch) {
        s.reached.assign(n, 0);
        s.order.resize(n);
    }
    const auto nd = static_cast<double>(n);
    parallel_items(workers, n, 16, [&](int thread, std::size_t item) {
        Scratch& s = scratch[static_cast<std::size_t>(thread)];
        const auto node = static_cast<NodeId>(item);
        const NodeId source = g.internal[node];
        s.reached[source] = 1;
        s.order[0] = source;
        std::size_t head = 0;
        std::size_t tail = 1;
        std::uint64_t sum = 0; // of distances
        double h = 0.0;        // Σ_d (nodes at distance d) / d
        for (std::uint64_t d = 1; head < tail; ++d) {
            const std::size_t level_end = tail;
            for (; head < level_end; ++head) {
                const NodeId v = s.order[head];
                const NodeId* const end = g.targets.data() + g.offsets[v + 1];
                for (const NodeId* w = g.targets.data() + g.offsets[v]; w != end; ++w) {
                    if (!s.reached[*w]) {
                        s.reached[*w] = 1;
                        s.order[tail++] = *w;
                    }
                }
            }
            const std::size_t count = tail - level_end;
            sum += d * count;
            h += static_cast<double>(count) / static_cast<double>(d);
        }
        for (std::size_t i = 0; i < tail; ++i) {
            s.reached[s.order[i]] = 0;
        }
        // networkx.closeness_centrality(wf_improved=True), in its order of operations.
        const auto reached = static_cast<double>(tail);
        if (sum > 0 && n > 1) {
            double c = (reached - 1.0) / static_cast<double>(sum);
            c *= (reached - 1.0) / (nd - 1);
            closeness[node] = c;
        }
        harmonic[node] = h;
    });
}

/// The sources of a sampled run: `k` distinct nodes, uniformly at random
/// (a partial Fisher–Yates shuffle), in increasing order.
std::vector<NodeId> sample_sources(std::size_t n, std::size_t k, std::uint64_t seed) {
    std::vector<NodeId> all(n);
    std::iota(all.begin(), all.end(), NodeId{0});
    Random random(seed);
    for (std::size_t i = 0; i < k; ++i) {
        const std::size_t j = i + static_cast<std::size_t>(random.below(n - i));
        std::swap(all[i], all[j]);
    }
    all.resize(k);
    std::sort(all.begin(), all.end());
    return all;
}

// ---------------------------------------------------------------- spectra

/// The leading eigenpair of one connected component's adjacency matrix.
struct Leading {
    double eigenvalue = 0.0;
    Eigen::VectorXd vector; ///< unit norm; the caller fixes the sign
    int products = 0;       ///< matrix–vector products taken
};

using SparseRows = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;

/// Components up to this size are solved densely (Eigen's self-adjoint
/// solver, exact to rounding); larger ones by thick-restart Lanczos.
constexpr std::size_t dense_limit = 256;

Leading leading_dense(const SparseRows& a) {
    const Eigen::MatrixXd dense = Eigen::MatrixXd(a);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(dense);
    if (solver.info() != Eigen::Success) {
        throw Error("eigenvector centrality: Eigen's dense eigensolver failed on a component of " +
                    std::to_string(a.rows()) + " nodes");
    }
    const Eigen::Index last = a.rows() - 1;
    return {solver.eigenvalues()(last), solver.eigenvectors().col(last), 0};
}

/// Thick-restart Lanczos in Rayleigh–Ritz form (Wu and Simon 2000): an
/// orthonormal basis V of up to `basis` vectors and W = A V; the Ritz pairs
/// of H = Vᵀ W (Eigen's dense solver); on restart the `keep` leading Ritz
/// vectors stay and the residual of the first extends the basis again.
/// Converged when ‖A x − θ x‖ ≤ tolerance · θ, checked with a fresh product.
Leading leading_lanczos(const SparseRows& a, double tolerance, int max_products) {
    const Eigen::Index n = a.rows();
    const Eigen::Index basis = std::min<Eigen::Index>(n, 24);
    const Eigen::Index keep = 8;
    Eigen::MatrixXd v(n, basis);
    Eigen::MatrixXd w(n, basis);
    // A positive start: the Perron vector is positive, so it overlaps fully.
    Eigen::VectorXd next = Eigen::VectorXd::Ones(n);
    Eigen::Index size = 0;
    int products = 0;
    auto product = [&](const Eigen::VectorXd& x) -> Eigen::VectorXd {
        if (products >= max_products) {
            throw Error("eigenvector centrality: no convergence after " + std::to_string(products) +
                        " matrix-vector products on a component of " + std::to_string(n) +
                        " nodes (tolerance " + number(tolerance) + ")");
        }
        ++products;
        return a * x;
    };
    for (;;) {
        bool invariant = false;
        while (size < basis) {
            // Classical Gram–Schmidt twice: orthogonal to rounding.
            const double before = next.norm();
            for (int pass = 0; pass < 2 && size > 0; ++pass) {
                next -= v.leftCols(size) * (v.leftCols(size).transpose() * next);
            }
            const double norm = next.norm();
            if (size > 0 && norm <= 1e-12 * before) {
                invariant = true; // the basis spans an invariant subspace
                break;
            }
            v.col(size) = next / norm;
            w.col(size) = product(v.col(size));
            next = w.col(size);
            ++size;
        }
        Eigen::MatrixXd h = v.leftCols(size).transpose() * w.leftCols(size);
        h = (0.5 * (h + h.transpose())).eval();
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ritz(h);
        if (ritz.info() != Eigen::Success) {
            throw Error("eigenvector centrality: Eigen's eigensolver failed on a Lanczos basis");
        }
        const Eigen::VectorXd y = ritz.eigenvectors().col(size - 1);
        Eigen::VectorXd x = v.leftCols(size) * y;
        x.normalize();
        const Eigen::VectorXd ax = product(x);
        const double theta = x.dot(ax);
        Eigen::VectorXd residual = ax - theta * x;
        if (residual.norm() <= tolerance * std::abs(theta)) {
            return {theta, x, products};
        }
        // Restart: keep the leading Ritz vectors, their products with A
        // carried over as W Y, and extend the basis from x's residual.
        const Eigen::Index kept = std::min<Eigen::Index>(keep, size - 1);
        const Eigen::MatrixXd y_kept = ritz.eigenvectors().rightCols(kept);
        Eigen::MatrixXd v_new(n, kept);
        Eigen::MatrixXd w_new(n, kept);
        v_new = v.leftCols(size) * y_kept;
        w_new = w.leftCols(size) * y_kept;
        v.leftCols(kept) = v_new;
        w.leftCols(kept) = w_new;
        size = kept;
        next = residual;
        if (invariant) {
            // Rounding stalled the basis before convergence: start afresh
            // from the best vector so far.
            size = 0;
            next = x;
        }
    }
}

// ---------------------------------------------------------------- Louvain

/// One level of Louvain: a weighted graph whose nodes are the communities of
/// the level below. `loop[i]` is the weight of edges inside node i (each
/// counted once); they add 2·loop[i] to its strength.
struct LevelGraph {
    std::vector<std::size_t> offsets;
    std::vector<NodeId> targets;
    std::vector<double> weights;
    std::vector<double> loop;

    std::size_t size() const { return loop.size(); }
};

LevelGraph level_from(const Graph& graph) {
    LevelGraph level;
    const std::size_t n = graph.node_count();
    level.offsets.resize(n + 1, 0);
    level.loop.assign(n, 0.0);
    for (NodeId v = 0; v < n; ++v) {
        for (const NodeId w : graph.neighbours(v)) {
            level.targets.push_back(w);
        }
        for (const double x : graph.weights(v)) {
            level.weights.push_back(x);
        }
        level.offsets[v + 1] = level.targets.size();
    }
    return level;
}

/// The move phase on one level: nodes in a seeded random order move to the
/// neighbouring community with the largest modularity gain, pass after pass,
/// until a pass gains less than `min_gain`. Starts from one community per
/// node, or from `community` as given when `from_given`. Returns whether any
/// node moved.
bool move_nodes(const LevelGraph& g, double resolution, double min_gain, double two_m,
                Random& random, std::vector<NodeId>& community, bool from_given) {
    const std::size_t n = g.size();
    const double m = two_m / 2;
    std::vector<double> strength(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        double k = 2 * g.loop[i];
        for (std::size_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
            k += g.weights[e];
        }
        strength[i] = k;
    }
    if (!from_given) {
        community.resize(n);
        std::iota(community.begin(), community.end(), NodeId{0});
    }
    std::vector<double> total(n, 0.0); ///< Σ strength per community
    for (std::size_t i = 0; i < n; ++i) {
        total[community[i]] += strength[i];
    }
    std::vector<NodeId> order(n);
    std::iota(order.begin(), order.end(), NodeId{0});
    for (std::size_t i = n; i > 1; --i) {
        std::swap(order[i - 1], order[static_cast<std::size_t>(random.below(i))]);
    }
    // The rows copied in visiting order (row j is node order[j]), so that each
    // pass reads the graph front to back instead of jumping to a random row
    // per node (about 5× faster on the 50,000-node benchmark graph). Neighbours
    // keep their order and communities their labels, so the moves are
    // exactly those of visiting the original rows in `order`.
    std::vector<NodeId> position(n);
    for (std::size_t j = 0; j < n; ++j) {
        position[order[j]] = static_cast<NodeId>(j);
    }
    std::vector<std::size_t> offsets(n + 1, 0);
    std::vector<NodeId> targets;
    std::vector<double> weights;
    targets.reserve(g.targets.size());
    weights.reserve(g.weights.size());
    std::vector<NodeId> label(n);        ///< per row: its node's community
    std::vector<double> row_strength(n); ///< per row: its node's strength
    for (std::size_t j = 0; j < n; ++j) {
        const NodeId i = order[j];
        row_strength[j] = strength[i];
        for (std::size_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
            targets.push_back(position[g.targets[e]]);
            weights.push_back(g.weights[e]);
        }
        offsets[j + 1] = targets.size();
        label[j] = community[i];
    }
    // Weight from the node being moved to each neighbouring community.
    std::vector<double> link(n, -1.0);
    std::vector<NodeId> seen;
    bool moved_any = false;
    for (;;) {
        double gained = 0.0;
        bool moved = false;
        for (std::size_t j = 0; j < n; ++j) {
            const NodeId own = label[j];
            const double k = row_strength[j];
            seen.clear();
            link[own] = 0.0;
            seen.push_back(own);
            for (std::size_t e = offsets[j]; e < offsets[j + 1]; ++e) {
                const NodeId c = label[targets[e]];
                if (link[c] < 0) {
                    link[c] = 0.0;
                    seen.push_back(c);
                }
                link[c] += weights[e];
            }
            total[own] -= k;
            // Gain of joining c, up to the factor 1/m: k_i,c − γ Σ_tot(c) k_i / 2m.
            // The node stays unless another community is strictly better;
            // among equals the first seen (by neighbour number) wins.
            NodeId best = own;
            double best_gain = link[own] - resolution * total[own] * k / two_m;
            const double stay_gain = best_gain;
            for (const NodeId c : seen) {
                const double gain = link[c] - resolution * total[c] * k / two_m;
                if (gain > best_gain) {
                    best_gain = gain;
                    best = c;
                }
            }
            total[best] += k;
            label[j] = best;
            if (best != own) {
                moved = true;
                gained += (best_gain - stay_gain) / m;
            }
            for (const NodeId c : seen) {
                link[c] = -1.0;
            }
        }
        moved_any = moved_any || moved;
        if (!moved || gained < min_gain) {
            for (std::size_t j = 0; j < n; ++j) {
                community[order[j]] = label[j];
            }
            return moved_any;
        }
    }
}

/// The graph of communities: renumbered 0.. in order of their first node.
LevelGraph aggregate(const LevelGraph& g, std::vector<NodeId>& community) {
    const std::size_t n = g.size();
    constexpr NodeId unset = std::numeric_limits<NodeId>::max();
    std::vector<NodeId> renumber(n, unset);
    NodeId count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (renumber[community[i]] == unset) {
            renumber[community[i]] = count++;
        }
        community[i] = renumber[community[i]];
    }
    std::vector<std::vector<NodeId>> members(count);
    for (std::size_t i = 0; i < n; ++i) {
        members[community[i]].push_back(static_cast<NodeId>(i));
    }
    LevelGraph up;
    up.offsets.assign(count + 1, 0);
    up.loop.assign(count, 0.0);
    std::vector<double> link(count, 0.0);
    std::vector<char> touched(count, 0);
    std::vector<NodeId> seen;
    for (NodeId c = 0; c < count; ++c) {
        seen.clear();
        for (const NodeId i : members[c]) {
            up.loop[c] += g.loop[i];
            for (std::size_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
                const NodeId d = community[g.targets[e]];
                if (d == c) {
                    up.loop[c] += g.weights[e] / 2; // seen from both ends
                    continue;
                }
                if (!touched[d]) {
                    touched[d] = 1;
                    seen.push_back(d);
                }
                link[d] += g.weights[e];
            }
        }
        std::sort(seen.begin(), seen.end());
        for (const NodeId d : seen) {
            up.targets.push_back(d);
            up.weights.push_back(link[d]);
            link[d] = 0.0;
            touched[d] = 0;
        }
        up.offsets[c + 1] = up.targets.size();
    }
    return up;
}

/// Renumbers labels 0.. in order of their lowest node; returns the count.
int number_by_first_node(std::vector<int>& labels) {
    std::vector<int> renumber(labels.size(), -1);
    int count = 0;
    for (int& label : labels) {
        const auto at = static_cast<std::size_t>(label);
        if (renumber[at] < 0) {
            renumber[at] = count++;
        }
        label = renumber[at];
    }
    return count;
}

} // namespace

// ---------------------------------------------------------------- degrees

std::vector<double> degree(const Graph& graph) {
    std::vector<double> result(graph.node_count());
    for (NodeId v = 0; v < graph.node_count(); ++v) {
        result[v] = static_cast<double>(graph.degree(v));
    }
    return result;
}

std::vector<double> weighted_degree(const Graph& graph) {
    std::vector<double> result(graph.node_count(), 0.0);
    for (NodeId v = 0; v < graph.node_count(); ++v) {
        for (const double w : graph.weights(v)) {
            result[v] += w;
        }
    }
    return result;
}

// ---------------------------------------------------------------- betweenness

Betweenness::Betweenness(const Graph& graph, BetweennessParams params)
    : m_graph(graph), m_params(params) {
    resolve_threads("betweenness", m_params.threads);
}

void Betweenness::run() {
    const std::size_t n = m_graph.node_count();
    const int threads = resolve_threads("betweenness", m_params.threads);
    m_values.assign(n, 0.0);
    m_sampled = false;
    m_sources = n;
    m_error_bound = 0.0;
    if (n == 0) {
        return;
    }
    std::size_t k = n;
    if (n > m_params.exact_limit) {
        // Auto: as many sources as keep the work (k BFS over n nodes) at that
        // of an exact run at the limit (exact_limit² / n), but at least 1000.
        const double budget = static_cast<double>(m_params.exact_limit) *
                              static_cast<double>(m_params.exact_limit) / static_cast<double>(n);
        k = m_params.samples > 0
                ? m_params.samples
                : std::max<std::size_t>(1000, static_cast<std::size_t>(std::ceil(budget)));
        k = std::min(k, n);
    }
    std::vector<NodeId> sources;
    if (k < n) {
        sources = sample_sources(n, k, m_params.seed);
        m_sampled = true;
    } else {
        sources.resize(n);
        std::iota(sources.begin(), sources.end(), NodeId{0});
    }
    m_sources = sources.size();

    const std::vector<Fixed> total =
        2 * m_graph.edge_count() <= std::numeric_limits<std::uint32_t>::max()
            ? brandes<std::uint32_t>(m_graph, sources, threads)
            : brandes<std::size_t>(m_graph, sources, threads);

    // NetworkX's _rescale, operation for operation.
    const auto nd = static_cast<double>(n);
    double scale = 1.0;
    bool rescale = true;
    if (m_params.normalized) {
        if (n <= 2) {
            rescale = false;
        } else {
            scale = 1.0 / ((nd - 1) * (nd - 2));
        }
    } else {
        scale = 0.5; // each pair was counted from both ends
    }
    if (rescale && m_sampled) {
        scale = scale * nd / static_cast<double>(k);
    }
    for (std::size_t v = 0; v < n; ++v) {
        m_values[v] = from_fixed(total[v]);
        if (rescale) {
            m_values[v] *= scale;
        }
    }
    if (m_sampled) {
        // Each sampled δ_s(v) lies in [0, n − 2]; scaled to normalised units
        // an estimate is the mean of k draws in [0, n/(n − 1)]. Hoeffding
        // with a union bound over the n nodes: P(some |error| ≥ ε) ≤
        // 2n exp(−2kε² / (n/(n − 1))²) = 0.05.
        const double range = nd / (nd - 1);
        const double epsilon =
            range * std::sqrt(std::log(2 * nd / 0.05) / (2 * static_cast<double>(k)));
        m_error_bound = m_params.normalized ? epsilon : epsilon * (nd - 1) * (nd - 2) / 2;
    }
}

// ---------------------------------------------------------------- closeness

Closeness::Closeness(const Graph& graph, ClosenessParams params)
    : m_graph(graph), m_params(params) {
    resolve_threads("closeness", m_params.threads);
}

void Closeness::run() {
    const std::size_t n = m_graph.node_count();
    const int threads = resolve_threads("closeness", m_params.threads);
    m_closeness.assign(n, 0.0);
    m_harmonic.assign(n, 0.0);
    if (n == 0) {
        return;
    }
    if (2 * m_graph.edge_count() <= std::numeric_limits<std::uint32_t>::max()) {
        closeness_all<std::uint32_t>(m_graph, threads, m_closeness, m_harmonic);
    } else {
        closeness_all<std::size_t>(m_graph, threads, m_closeness, m_harmonic);
    }
}

// ---------------------------------------------------------------- eigenvector

Eigenvector::Eigenvector(const Graph& graph, EigenvectorParams params)
    : m_graph(graph), m_params(params) {
    if (!std::isfinite(params.tolerance) || params.tolerance <= 0) {
        throw InputError("eigenvector centrality: tolerance must be a finite number greater "
                         "than 0, got " +
                         number(params.tolerance));
    }
    if (params.max_iterations < 1) {
        throw InputError("eigenvector centrality: max_iterations must be 1 or more, got " +
                         std::to_string(params.max_iterations));
    }
}

void Eigenvector::run() {
    const std::size_t n = m_graph.node_count();
    m_values.assign(n, 0.0);
    m_eigenvalue = 0.0;
    m_iterations = 0;
    if (n == 0) {
        return;
    }
    const Components components = connected_components(m_graph);
    std::vector<std::vector<NodeId>> members(static_cast<std::size_t>(components.count));
    for (NodeId v = 0; v < n; ++v) {
        members[static_cast<std::size_t>(components.component[v])].push_back(v);
    }
    // The spectral radius of a component is at most its largest row sum, so
    // components are tried by that bound, largest first, and the search stops
    // once no component left can beat (or tie) the best eigenvalue found.
    std::vector<double> bound(members.size(), 0.0);
    for (std::size_t c = 0; c < members.size(); ++c) {
        for (const NodeId v : members[c]) {
            double row = 0.0;
            if (m_params.weighted) {
                for (const double w : m_graph.weights(v)) {
                    row += w;
                }
            } else {
                row = static_cast<double>(m_graph.degree(v));
            }
            bound[c] = std::max(bound[c], row);
        }
    }
    std::vector<std::size_t> by_bound(members.size());
    std::iota(by_bound.begin(), by_bound.end(), std::size_t{0});
    std::stable_sort(by_bound.begin(), by_bound.end(),
                     [&](std::size_t x, std::size_t y) { return bound[x] > bound[y]; });

    // Eigenvalues within this relative distance count as tied; a tie goes to
    // the component with the lowest node (NetworkX's answer is then any
    // combination ARPACK happens to return).
    constexpr double tie = 1e-10;
    std::size_t best = members.size();
    Leading leading;
    std::vector<int> local(n, -1);
    for (const std::size_t c : by_bound) {
        if (bound[c] <= 0 || (best < members.size() && bound[c] < leading.eigenvalue * (1 - tie))) {
            break;
        }
        const std::vector<NodeId>& nodes = members[c];
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            local[nodes[i]] = static_cast<int>(i);
        }
        std::vector<Eigen::Triplet<double, int>> entries;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            const auto row = m_graph.neighbours(nodes[i]);
            const auto weight = m_graph.weights(nodes[i]);
            for (std::size_t e = 0; e < row.size(); ++e) {
                entries.emplace_back(static_cast<int>(i), local[row[e]],
                                     m_params.weighted ? weight[e] : 1.0);
            }
        }
        const auto size = static_cast<Eigen::Index>(nodes.size());
        SparseRows a(size, size);
        a.setFromTriplets(entries.begin(), entries.end());
        Leading found = nodes.size() <= dense_limit
                            ? leading_dense(a)
                            : leading_lanczos(a, m_params.tolerance, m_params.max_iterations);
        m_iterations += found.products;
        const bool better = best == members.size() ||
                            found.eigenvalue > leading.eigenvalue * (1 + tie) ||
                            (found.eigenvalue >= leading.eigenvalue * (1 - tie) && c < best);
        if (better) {
            best = c;
            leading = std::move(found);
        }
    }
    if (best == members.size()) {
        return; // no edges: every eigenvalue is 0, and every value stays 0
    }
    Eigen::VectorXd& x = leading.vector;
    if (x.sum() < 0) {
        x = -x;
    }
    x /= x.norm();
    m_eigenvalue = leading.eigenvalue;
    const std::vector<NodeId>& nodes = members[best];
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        // The Perron vector is positive; a negative entry is rounding.
        m_values[nodes[i]] = std::max(0.0, x(static_cast<Eigen::Index>(i)));
    }
}

// ---------------------------------------------------------------- cores, components

std::vector<int> core_numbers(const Graph& graph) {
    // Batagelj and Zaversnik (2003): nodes in bins by current degree,
    // peeled in increasing order; O(n + m).
    const std::size_t n = graph.node_count();
    std::vector<int> degree(n);
    int max_degree = 0;
    for (NodeId v = 0; v < n; ++v) {
        degree[v] = static_cast<int>(graph.degree(v));
        max_degree = std::max(max_degree, degree[v]);
    }
    std::vector<std::size_t> bin(static_cast<std::size_t>(max_degree) + 1, 0);
    for (const int d : degree) {
        ++bin[static_cast<std::size_t>(d)];
    }
    std::size_t start = 0;
    for (std::size_t& b : bin) {
        const std::size_t count = b;
        b = start;
        start += count;
    }
    std::vector<std::size_t> position(n);
    std::vector<NodeId> sorted(n);
    for (NodeId v = 0; v < n; ++v) {
        const auto d = static_cast<std::size_t>(degree[v]);
        position[v] = bin[d];
        sorted[position[v]] = v;
        ++bin[d];
    }
    for (std::size_t d = bin.size() - 1; d > 0; --d) {
        bin[d] = bin[d - 1];
    }
    if (!bin.empty()) {
        bin[0] = 0;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const NodeId v = sorted[i];
        for (const NodeId u : graph.neighbours(v)) {
            if (degree[u] > degree[v]) {
                const auto du = static_cast<std::size_t>(degree[u]);
                const std::size_t pu = position[u];
                const std::size_t pw = bin[du];
                const NodeId w = sorted[pw];
                if (u != w) {
                    position[u] = pw;
                    sorted[pu] = w;
                    position[w] = pu;
                    sorted[pw] = u;
                }
                ++bin[du];
                --degree[u];
            }
        }
    }
    return degree;
}

Components connected_components(const Graph& graph) {
    const std::size_t n = graph.node_count();
    Components result;
    result.component.assign(n, -1);
    std::vector<NodeId> queue(n);
    for (NodeId start = 0; start < n; ++start) {
        if (result.component[start] >= 0) {
            continue;
        }
        const int label = result.count++;
        result.component[start] = label;
        queue[0] = start;
        std::size_t head = 0;
        std::size_t tail = 1;
        while (head < tail) {
            for (const NodeId w : graph.neighbours(queue[head++])) {
                if (result.component[w] < 0) {
                    result.component[w] = label;
                    queue[tail++] = w;
                }
            }
        }
        result.sizes.push_back(tail);
    }
    return result;
}

// ---------------------------------------------------------------- modularity

double modularity(const Graph& graph, const std::vector<int>& community, double resolution) {
    const std::size_t n = graph.node_count();
    if (community.size() != n) {
        throw InputError("modularity: " + std::to_string(community.size()) +
                         " community labels for a graph of " + std::to_string(n) + " nodes");
    }
    if (!std::isfinite(resolution)) {
        throw InputError("modularity: resolution must be a finite number, got " +
                         number(resolution));
    }
    for (std::size_t v = 0; v < n; ++v) {
        if (community[v] < 0) {
            throw InputError("modularity: node " + std::to_string(v) + " has community " +
                             std::to_string(community[v]) + "; communities are numbered from 0");
        }
    }
    std::vector<int> labels(community);
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    std::vector<std::size_t> index(n);
    for (std::size_t v = 0; v < n; ++v) {
        index[v] = static_cast<std::size_t>(
            std::lower_bound(labels.begin(), labels.end(), community[v]) - labels.begin());
    }
    std::vector<double> inside(labels.size(), 0.0);
    std::vector<double> degree_sum(labels.size(), 0.0);
    double total_degree = 0.0;
    for (NodeId v = 0; v < n; ++v) {
        const auto row = graph.neighbours(v);
        const auto weight = graph.weights(v);
        for (std::size_t e = 0; e < row.size(); ++e) {
            degree_sum[index[v]] += weight[e];
            total_degree += weight[e];
            if (row[e] > v && index[row[e]] == index[v]) {
                inside[index[v]] += weight[e];
            }
        }
    }
    if (total_degree == 0) {
        return 0.0; // no edges: NetworkX divides by zero, igraph gives NaN
    }
    // networkx.community.modularity: Σ_c L_c/m − γ (d_c)² / (2m)².
    const double m = total_degree / 2;
    const double norm = 1 / (total_degree * total_degree);
    double q = 0.0;
    for (std::size_t c = 0; c < labels.size(); ++c) {
        q += inside[c] / m - resolution * degree_sum[c] * degree_sum[c] * norm;
    }
    return q;
}

// ---------------------------------------------------------------- Louvain

Louvain::Louvain(const Graph& graph, LouvainParams params) : m_graph(graph), m_params(params) {
    if (!std::isfinite(params.resolution) || params.resolution <= 0) {
        throw InputError("Louvain: resolution must be a finite number greater than 0, got " +
                         number(params.resolution));
    }
    if (!std::isfinite(params.min_gain) || params.min_gain < 0) {
        throw InputError("Louvain: min_gain must be a finite number of 0 or more, got " +
                         number(params.min_gain));
    }
}

void Louvain::run() {
    const std::size_t n = m_graph.node_count();
    m_communities.resize(n);
    std::iota(m_communities.begin(), m_communities.end(), 0);
    m_levels = 0;
    m_count = static_cast<int>(n);
    m_modularity = 0.0;
    if (m_graph.edge_count() == 0) {
        return;
    }
    const double two_m = 2 * m_graph.total_weight();
    Random random(m_params.seed);
    LevelGraph level = level_from(m_graph);
    // Per original node, its node on the current level.
    std::vector<NodeId> at_level(n);
    std::iota(at_level.begin(), at_level.end(), NodeId{0});
    std::vector<NodeId> community;
    for (;;) {
        if (!move_nodes(level, m_params.resolution, m_params.min_gain, two_m, random, community,
                        false)) {
            break;
        }
        ++m_levels;
        LevelGraph up = aggregate(level, community);
        for (NodeId& v : at_level) {
            v = community[v];
        }
        const bool shrank = up.size() < level.size();
        level = std::move(up);
        if (!shrank) {
            break;
        }
    }
    // Refinement (Rotta and Noack 2011): a last move phase on the original
    // nodes, starting from the communities found. A node that joined a
    // community early and was then carried along by aggregation can still
    // move to the community it now belongs with; modularity only rises.
    if (m_levels > 1) {
        move_nodes(level_from(m_graph), m_params.resolution, m_params.min_gain, two_m, random,
                   at_level, true);
    }
    for (std::size_t v = 0; v < n; ++v) {
        m_communities[v] = static_cast<int>(at_level[v]);
    }
    m_count = number_by_first_node(m_communities);
    m_modularity = waymark::graph::modularity(m_graph, m_communities, m_params.resolution);
}

// ---------------------------------------------------------------- ego networks

std::vector<NodeId> within_hops(const Graph& graph, NodeId centre, int hops) {
    check_node("within_hops", graph, centre);
    if (hops < 0) {
        throw InputError("within_hops: hops must be 0 or more, got " + std::to_string(hops));
    }
    std::vector<NodeId> result{centre};
    std::vector<char> seen(graph.node_count(), 0);
    seen[centre] = 1;
    std::size_t level_start = 0;
    for (int d = 0; d < hops; ++d) {
        const std::size_t level_end = result.size();
        for (std::size_t i = level_start; i < level_end; ++i) {
            for (const NodeId w : graph.neighbours(result[i])) {
                if (!seen[w]) {
                    seen[w] = 1;
                    result.push_back(w);
                }
            }
        }
        if (result.size() == level_end) {
            break;
        }
        std::sort(result.begin() + static_cast<std::ptrdiff_t>(level_end), result.end());
        level_start = level_end;
    }
    return result;
}

} // namespace waymark::graph
