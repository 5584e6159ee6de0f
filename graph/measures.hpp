#pragma once

// Network measures on a Graph (graph/graph.hpp). Definitions follow NetworkX
// so that its results are the reference the tests compare with (to 1e-9
// relative); docs/methods/network-measures.md gives each formula.
//
// Algorithms share one shape (design/ARCHITECTURE.md): construct with the
// graph and a params struct, run(), then query. Results never depend on the
// number of threads; randomness always takes a seed.

#include "graph/graph.hpp"

#include <cstdint>
#include <vector>

namespace waymark::graph {

/// Number of neighbours of each node.
std::vector<double> degree(const Graph& graph);
/// Sum of the weights of each node's edges.
std::vector<double> weighted_degree(const Graph& graph);

struct BetweennessParams {
    bool normalized = true; ///< NetworkX's normalisation: divide by (n-1)(n-2)/2
    /// Exact (one BFS from every node) up to this many nodes; beyond, sampled
    /// from `samples` sources drawn with `seed` (Brandes and Pich 2007).
    std::size_t exact_limit = 100'000;
    /// 0: max(1000, ⌈exact_limit² / n⌉), about the work of an exact run at
    /// the limit (docs/methods/network-measures.md)
    std::size_t samples = 0;
    std::uint64_t seed = 1;
    int threads = 0; ///< 0: hardware concurrency
};

/// Shortest-path betweenness, unweighted (hops), Brandes (2001), parallel over
/// sources. Equals networkx.betweenness_centrality(G, normalized=...).
class Betweenness {
public:
    Betweenness(const Graph& graph, BetweennessParams params);
    void run();
    const std::vector<double>& values() const { return m_values; }
    bool sampled() const { return m_sampled; }
    std::size_t sources() const { return m_sources; }
    /// For a sampled run: the bound ε such that every value is within ε of
    /// the exact one with probability ≥ 0.95 (Hoeffding, as in Brandes and
    /// Pich); 0 for an exact run.
    double error_bound() const { return m_error_bound; }

private:
    const Graph& m_graph;
    BetweennessParams m_params;
    std::vector<double> m_values;
    bool m_sampled = false;
    std::size_t m_sources = 0;
    double m_error_bound = 0.0;
};

struct ClosenessParams {
    int threads = 0;
};

/// Closeness (NetworkX closeness_centrality with wf_improved=True: scaled by
/// the share of the graph each node reaches) and harmonic centrality
/// (networkx.harmonic_centrality, unnormalised), both over hop distances.
class Closeness {
public:
    Closeness(const Graph& graph, ClosenessParams params);
    void run();
    const std::vector<double>& closeness() const { return m_closeness; }
    const std::vector<double>& harmonic() const { return m_harmonic; }

private:
    const Graph& m_graph;
    ClosenessParams m_params;
    std::vector<double> m_closeness;
    std::vector<double> m_harmonic;
};

struct EigenvectorParams {
    bool weighted = false; ///< use edge weights
    double tolerance = 1e-13;
    int max_iterations = 10'000; ///< matrix–vector products per component
};

/// Eigenvector centrality: the leading eigenvector of the adjacency matrix
/// (Eigen), unit Euclidean norm, non-negative — as
/// networkx.eigenvector_centrality_numpy. On a disconnected graph it is the
/// eigenvector of the component with the largest eigenvalue; other nodes get 0
/// (a tie goes to the component of the lowest node; no edges: all 0).
class Eigenvector {
public:
    Eigenvector(const Graph& graph, EigenvectorParams params);
    /// Throws Error if the iteration does not converge.
    void run();
    const std::vector<double>& values() const { return m_values; }
    double eigenvalue() const { return m_eigenvalue; }
    /// Matrix–vector products taken (Lanczos; 0 when every component was
    /// small enough for the dense solver).
    int iterations() const { return m_iterations; }

private:
    const Graph& m_graph;
    EigenvectorParams m_params;
    std::vector<double> m_values;
    double m_eigenvalue = 0.0;
    int m_iterations = 0;
};

/// Core number of each node (networkx.core_number; Batagelj and Zaversnik).
std::vector<int> core_numbers(const Graph& graph);

struct Components {
    std::vector<int> component; ///< per node, numbered by lowest node in it
    int count = 0;
    std::vector<std::size_t> sizes;
};
Components connected_components(const Graph& graph);

/// Modularity of a partition (networkx.community.modularity, weighted).
double modularity(const Graph& graph, const std::vector<int>& community, double resolution = 1.0);

struct LouvainParams {
    double resolution = 1.0;
    std::uint64_t seed = 1; ///< order in which nodes are visited
    double min_gain = 1e-7; ///< a level stops improving below this modularity gain
};

/// Louvain community detection (Blondel et al. 2008), weighted, seeded.
class Louvain {
public:
    Louvain(const Graph& graph, LouvainParams params);
    void run();
    /// Per node: its community, numbered 0.. by lowest node in it.
    const std::vector<int>& communities() const { return m_communities; }
    int count() const { return m_count; }
    double modularity() const { return m_modularity; }
    int levels() const { return m_levels; }

private:
    const Graph& m_graph;
    LouvainParams m_params;
    std::vector<int> m_communities;
    int m_count = 0;
    double m_modularity = 0.0;
    int m_levels = 0;
};

/// Nodes within `hops` edges of `centre` (centre first, then by distance,
/// then by number): an ego network's nodes.
std::vector<NodeId> within_hops(const Graph& graph, NodeId centre, int hops);

} // namespace waymark::graph
