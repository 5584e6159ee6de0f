#include "graph/graph.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace waymark::graph {
namespace {

/// The shortest text that reads back as `value` ("1e-13", "nan", "inf").
std::string number(double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return {buffer, result.ptr};
}

} // namespace

Graph::Graph(std::size_t node_count, std::span<const Edge> edges) {
    if (node_count > std::numeric_limits<NodeId>::max()) {
        throw InputError("graph: " + std::to_string(node_count) + " nodes; at most " +
                         std::to_string(std::numeric_limits<NodeId>::max()) + " are supported");
    }
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const Edge& edge = edges[i];
        if (edge.a >= node_count || edge.b >= node_count) {
            std::string message = "graph: edge " + std::to_string(i) + " joins nodes " +
                                  std::to_string(edge.a) + " and " + std::to_string(edge.b) +
                                  ", but the graph has " + std::to_string(node_count) + " nodes";
            if (node_count > 0) {
                message += " (numbered 0 to " + std::to_string(node_count - 1) + ")";
            }
            throw InputError(message);
        }
        if (!std::isfinite(edge.weight) || edge.weight <= 0) {
            throw InputError("graph: edge " + std::to_string(i) + " (" + std::to_string(edge.a) +
                             "–" + std::to_string(edge.b) + ") has weight " + number(edge.weight) +
                             "; weights must be finite and greater than 0");
        }
    }

    // Arcs (both directions of every edge, self-loops dropped) sorted by
    // (source, target) with two stable counting sorts — by target, then by
    // source — so that copies of one edge stay in input order and their
    // weights are summed in that order in both directions: the row of a and
    // the row of b then hold bit-identical weights.
    std::vector<std::size_t> count(node_count + 1, 0);
    std::size_t arcs = 0;
    for (const Edge& edge : edges) {
        if (edge.a != edge.b) {
            ++count[edge.a + 1];
            ++count[edge.b + 1];
            arcs += 2;
        }
    }
    for (std::size_t v = 0; v < node_count; ++v) {
        count[v + 1] += count[v];
    }
    // First pass: arcs bucketed by target, in input order.
    std::vector<NodeId> by_target_source(arcs);
    std::vector<NodeId> by_target_target(arcs);
    std::vector<double> by_target_weight(arcs);
    {
        std::vector<std::size_t> next(count.begin(), count.end() - 1);
        for (const Edge& edge : edges) {
            if (edge.a == edge.b) {
                continue;
            }
            for (const auto& [from, to] : {std::pair{edge.a, edge.b}, std::pair{edge.b, edge.a}}) {
                const std::size_t at = next[to]++;
                by_target_source[at] = from;
                by_target_target[at] = to;
                by_target_weight[at] = edge.weight;
            }
        }
    }
    // Second pass: stable by source. `count` (arcs per node, as prefix sums)
    // is also each row's start before merging.
    std::vector<NodeId> targets(arcs);
    std::vector<double> weights(arcs);
    {
        std::vector<std::size_t> next(count.begin(), count.end() - 1);
        for (std::size_t i = 0; i < arcs; ++i) {
            const std::size_t at = next[by_target_source[i]]++;
            targets[at] = by_target_target[i];
            weights[at] = by_target_weight[i];
        }
    }
    by_target_source = {};
    by_target_target = {};
    by_target_weight = {};

    // Merge runs of equal targets within each row, compacting in place.
    m_offsets.assign(node_count + 1, 0);
    std::size_t out = 0;
    for (std::size_t v = 0; v < node_count; ++v) {
        m_offsets[v] = out;
        for (std::size_t i = count[v]; i < count[v + 1]; ++i) {
            if (out > m_offsets[v] && targets[out - 1] == targets[i]) {
                weights[out - 1] += weights[i];
            } else {
                targets[out] = targets[i];
                weights[out] = weights[i];
                ++out;
            }
        }
    }
    m_offsets[node_count] = out;
    targets.resize(out);
    weights.resize(out);
    targets.shrink_to_fit();
    weights.shrink_to_fit();
    m_targets = std::move(targets);
    m_weights = std::move(weights);
    for (std::size_t v = 0; v < node_count; ++v) {
        for (std::size_t i = m_offsets[v]; i < m_offsets[v + 1]; ++i) {
            if (m_targets[i] > v) {
                m_total_weight += m_weights[i];
            }
        }
    }
}

Graph Graph::induced(std::span<const NodeId> nodes) const {
    const std::size_t n = node_count();
    constexpr NodeId absent = std::numeric_limits<NodeId>::max();
    std::vector<NodeId> renumber(n, absent);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const NodeId v = nodes[i];
        if (v >= n) {
            throw InputError("graph: induced subgraph: node " + std::to_string(v) + " (position " +
                             std::to_string(i) + ") is not in the graph of " + std::to_string(n) +
                             " nodes");
        }
        if (renumber[v] != absent) {
            throw InputError("graph: induced subgraph: node " + std::to_string(v) +
                             " is given twice (positions " + std::to_string(renumber[v]) + " and " +
                             std::to_string(i) + ")");
        }
        renumber[v] = static_cast<NodeId>(i);
    }
    // Rows are built in the new numbering and sorted there; weights carry
    // over unchanged (the graph is already merged, so no sums are taken).
    Graph sub;
    sub.m_offsets.assign(nodes.size() + 1, 0);
    std::vector<std::pair<NodeId, double>> row;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const NodeId v = nodes[i];
        row.clear();
        for (std::size_t k = m_offsets[v]; k < m_offsets[v + 1]; ++k) {
            const NodeId w = renumber[m_targets[k]];
            if (w != absent) {
                row.emplace_back(w, m_weights[k]);
            }
        }
        std::sort(row.begin(), row.end(),
                  [](const auto& x, const auto& y) { return x.first < y.first; });
        for (const auto& [w, weight] : row) {
            sub.m_targets.push_back(w);
            sub.m_weights.push_back(weight);
            if (w > i) {
                sub.m_total_weight += weight;
            }
        }
        sub.m_offsets[i + 1] = sub.m_targets.size();
    }
    return sub;
}

} // namespace waymark::graph
