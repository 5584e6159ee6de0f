#pragma once

// Key players for fragmentation on pairs: Borgatti's KPP-Neg (Borgatti 2006,
// "Identifying sets of key players in a social network", Computational and
// Mathematical Organization Theory 12:21-34) restricted to given pairs of
// nodes. Of the pairs connected in the graph, the share that removing a set
// of nodes disconnects (a pair with a removed end counts as disconnected):
//
//     F(S) = |{(a,b) connected in G : a ∈ S or b ∈ S or a, b not connected in G − S}|
//            / |{(a,b) connected in G}|
//
// Nodes are removed in units: a unit is a set of nodes removed together (one
// node, or every copy of an entity in a graph that holds it more than once).
// KeyPlayers finds a set of `set_size` units with a large F: greedily (the
// unit cutting the most pairs first), then improved by swaps (Borgatti's
// procedure: exchange a unit in the set for one outside while F grows) until
// no swap helps. Every evaluation labels connected components; a candidate
// is evaluated by relabelling only the components its nodes are in.
// Deterministic: ties go to the unit first in an order shuffled with `seed`.

#include "graph/graph.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace waymark::graph {

struct NodePair {
    NodeId a = 0;
    NodeId b = 0;
};

struct PairCut {
    std::size_t connected = 0; ///< pairs connected in the whole graph (a ≠ b)
    std::size_t cut = 0;       ///< of those, disconnected once the nodes are removed
    double share() const {
        return connected == 0 ? 0.0 : static_cast<double>(cut) / static_cast<double>(connected);
    }
};

/// F for one set of removed nodes, by labelling components once: O(V + E + P).
/// Throws InputError for a node out of range.
PairCut pair_cut(const Graph& graph, std::span<const NodePair> pairs,
                 std::span<const NodeId> removed);

/// The indexes (into `pairs`) of the pairs connected in the graph that
/// removing `removed` disconnects, in order. Throws InputError as pair_cut().
std::vector<std::size_t> cut_pairs(const Graph& graph, std::span<const NodePair> pairs,
                                   std::span<const NodeId> removed);

struct KeyPlayerParams {
    std::size_t set_size = 1;  ///< units to choose (fewer when there are fewer units)
    std::uint64_t seed = 1;    ///< order in which ties are broken
    int max_swap_rounds = 100; ///< each round makes the best improving swap
};

class KeyPlayers {
public:
    /// `units`: the removable units, each a list of nodes. Throws InputError
    /// for a node out of range.
    KeyPlayers(const Graph& graph, std::vector<NodePair> pairs,
               std::vector<std::vector<NodeId>> units, KeyPlayerParams params);
    void run();

    /// Pairs connected in the whole graph.
    std::size_t connected() const { return m_connected; }
    /// Per unit: the pairs removing it alone cuts.
    const std::vector<std::size_t>& single_cut() const { return m_single; }
    /// The chosen units (indexes into `units`), in the order greedy chose
    /// them, swapped units in the place of those they replaced.
    const std::vector<std::size_t>& set() const { return m_set; }
    /// The pairs the chosen set cuts together, and F of the set.
    std::size_t set_cut() const { return m_set_cut; }
    double fragmentation() const {
        return m_connected == 0 ? 0.0
                                : static_cast<double>(m_set_cut) / static_cast<double>(m_connected);
    }
    /// Swaps made after the greedy selection.
    int swaps() const { return m_swaps; }

private:
    /// Labels the components of the graph without the nodes of `removed`
    /// units; returns the pairs cut.
    std::size_t label(const std::vector<std::size_t>& removed);
    /// With the current labels: the pairs cut in addition by removing `unit`.
    std::size_t extra_cut(std::size_t unit);
    /// The unit outside `exclude` with the largest extra_cut (ties: m_order).
    std::size_t best_unit(const std::vector<bool>& exclude, std::size_t& gain);

    const Graph& m_graph;
    std::vector<NodePair> m_pairs; ///< only the pairs connected in the whole graph
    std::vector<std::vector<NodeId>> m_units;
    KeyPlayerParams m_params;
    std::size_t m_connected = 0;
    std::vector<std::size_t> m_single, m_set;
    std::size_t m_set_cut = 0;
    int m_swaps = 0;
    std::vector<std::size_t> m_order; ///< tie-break rank of each unit

    // State of the current labelling.
    std::vector<bool> m_removed;
    std::vector<int> m_comp;                            ///< -1: removed
    std::vector<std::vector<NodeId>> m_comp_nodes;      ///< per component
    std::vector<std::vector<std::size_t>> m_comp_pairs; ///< live pairs per component
    // Scratch for extra_cut().
    std::vector<int> m_mark; ///< == m_stamp: removed with the unit evaluated
    std::vector<int> m_seen; ///< == m_stamp: relabelled for it
    std::vector<int> m_temp; ///< its label
    std::vector<NodeId> m_queue;
    int m_stamp = 0;
};

} // namespace waymark::graph
