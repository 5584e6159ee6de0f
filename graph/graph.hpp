#pragma once

// An undirected weighted graph in compressed sparse row form: the container
// every measure in graph/ runs on. Nodes are 0..node_count()-1; the caller
// keeps its own mapping from these numbers to people, places and vehicles.
//
// Why our own CSR and not boost::adjacency_list: the measures walk every
// node's neighbours millions of times (Brandes runs one BFS per source), and a
// flat array of neighbours per node is what makes that fast and easy to share
// between threads read-only.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace waymark::graph {

using NodeId = std::uint32_t;

struct Edge {
    NodeId a = 0;
    NodeId b = 0;
    double weight = 1.0; ///< > 0
};

class Graph {
public:
    Graph() = default;
    /// Builds the graph of `node_count` nodes. Parallel edges (a–b given more
    /// than once, in either order) become one edge whose weight is the sum;
    /// self-loops are dropped. Throws InputError for a node number out of
    /// range or a weight that is not finite and > 0.
    Graph(std::size_t node_count, std::span<const Edge> edges);

    std::size_t node_count() const { return m_offsets.empty() ? 0 : m_offsets.size() - 1; }
    /// Undirected edges (each counted once).
    std::size_t edge_count() const { return m_targets.size() / 2; }

    /// The neighbours of `v`, in increasing order.
    std::span<const NodeId> neighbours(NodeId v) const {
        return {m_targets.data() + m_offsets[v], m_offsets[v + 1] - m_offsets[v]};
    }
    /// The weights of the edges to neighbours(v), in the same order.
    std::span<const double> weights(NodeId v) const {
        return {m_weights.data() + m_offsets[v], m_offsets[v + 1] - m_offsets[v]};
    }
    std::size_t degree(NodeId v) const { return m_offsets[v + 1] - m_offsets[v]; }
    /// Sum of the weights of all edges, each counted once.
    double total_weight() const { return m_total_weight; }

    /// The subgraph induced by `nodes` (renumbered in the order given),
    /// for ego networks and time windows.
    Graph induced(std::span<const NodeId> nodes) const;

private:
    std::vector<std::size_t> m_offsets; ///< node_count() + 1 entries
    std::vector<NodeId> m_targets;      ///< both directions of every edge
    std::vector<double> m_weights;
    double m_total_weight = 0.0;
};

} // namespace waymark::graph
