#include "graph/key_players.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

namespace waymark::graph {
namespace {

void check_node(const Graph& graph, NodeId v, const char* what) {
    if (v >= graph.node_count()) {
        throw InputError(std::string("key players: ") + what + " " + std::to_string(v) +
                         " is not a node of the graph (" + std::to_string(graph.node_count()) +
                         " nodes)");
    }
}

/// Component labels of the graph without the `removed` nodes (-1 for them).
std::vector<int> components_without(const Graph& graph, const std::vector<bool>& removed) {
    const std::size_t n = graph.node_count();
    std::vector<int> comp(n, -1);
    std::vector<NodeId> queue;
    queue.reserve(n);
    int next = 0;
    for (NodeId start = 0; start < n; ++start) {
        if (removed[start] || comp[start] >= 0) {
            continue;
        }
        queue.clear();
        queue.push_back(start);
        comp[start] = next;
        for (std::size_t head = 0; head < queue.size(); ++head) {
            for (const NodeId w : graph.neighbours(queue[head])) {
                if (!removed[w] && comp[w] < 0) {
                    comp[w] = next;
                    queue.push_back(w);
                }
            }
        }
        ++next;
    }
    return comp;
}

} // namespace

PairCut pair_cut(const Graph& graph, std::span<const NodePair> pairs,
                 std::span<const NodeId> removed) {
    std::vector<bool> gone(graph.node_count(), false);
    for (const NodeId v : removed) {
        check_node(graph, v, "removed node");
        gone[v] = true;
    }
    const std::vector<int> all = components_without(graph, std::vector<bool>(graph.node_count()));
    const std::vector<int> rest = components_without(graph, gone);
    PairCut out;
    for (const NodePair& p : pairs) {
        check_node(graph, p.a, "pair node");
        check_node(graph, p.b, "pair node");
        if (p.a == p.b || all[p.a] != all[p.b]) {
            continue;
        }
        ++out.connected;
        if (gone[p.a] || gone[p.b] || rest[p.a] != rest[p.b]) {
            ++out.cut;
        }
    }
    return out;
}

std::vector<std::size_t> cut_pairs(const Graph& graph, std::span<const NodePair> pairs,
                                   std::span<const NodeId> removed) {
    std::vector<bool> gone(graph.node_count(), false);
    for (const NodeId v : removed) {
        check_node(graph, v, "removed node");
        gone[v] = true;
    }
    const std::vector<int> all = components_without(graph, std::vector<bool>(graph.node_count()));
    const std::vector<int> rest = components_without(graph, gone);
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < pairs.size(); ++k) {
        const NodePair& p = pairs[k];
        check_node(graph, p.a, "pair node");
        check_node(graph, p.b, "pair node");
        if (p.a != p.b && all[p.a] == all[p.b] &&
            (gone[p.a] || gone[p.b] || rest[p.a] != rest[p.b])) {
            out.push_back(k);
        }
    }
    return out;
}

KeyPlayers::KeyPlayers(const Graph& graph, std::vector<NodePair> pairs,
                       std::vector<std::vector<NodeId>> units, KeyPlayerParams params)
    : m_graph(graph), m_pairs(std::move(pairs)), m_units(std::move(units)), m_params(params) {
    for (const NodePair& p : m_pairs) {
        check_node(graph, p.a, "pair node");
        check_node(graph, p.b, "pair node");
    }
    for (const auto& unit : m_units) {
        for (const NodeId v : unit) {
            check_node(graph, v, "unit node");
        }
    }
    const std::size_t n = graph.node_count();
    m_mark.assign(n, 0);
    m_seen.assign(n, 0);
    m_temp.assign(n, 0);
    // Ties go to the unit first in a seeded shuffle: no unit is favoured by
    // the order the caller listed them in, and the same seed gives the same set.
    std::vector<std::size_t> shuffled(m_units.size());
    std::iota(shuffled.begin(), shuffled.end(), std::size_t{0});
    std::mt19937_64 random(m_params.seed);
    for (std::size_t i = shuffled.size(); i > 1; --i) {
        std::swap(shuffled[i - 1], shuffled[random() % i]);
    }
    m_order.assign(m_units.size(), 0);
    for (std::size_t rank = 0; rank < shuffled.size(); ++rank) {
        m_order[shuffled[rank]] = rank;
    }
}

std::size_t KeyPlayers::label(const std::vector<std::size_t>& removed) {
    m_removed.assign(m_graph.node_count(), false);
    for (const std::size_t u : removed) {
        for (const NodeId v : m_units[u]) {
            m_removed[v] = true;
        }
    }
    m_comp = components_without(m_graph, m_removed);
    const int count = m_comp.empty() ? 0 : *std::max_element(m_comp.begin(), m_comp.end()) + 1;
    m_comp_nodes.assign(static_cast<std::size_t>(count), {});
    m_comp_pairs.assign(static_cast<std::size_t>(count), {});
    for (NodeId v = 0; v < m_graph.node_count(); ++v) {
        if (m_comp[v] >= 0) {
            m_comp_nodes[static_cast<std::size_t>(m_comp[v])].push_back(v);
        }
    }
    std::size_t cut = 0;
    for (std::size_t k = 0; k < m_pairs.size(); ++k) {
        const NodePair& p = m_pairs[k];
        if (m_removed[p.a] || m_removed[p.b] || m_comp[p.a] != m_comp[p.b]) {
            ++cut;
        } else {
            m_comp_pairs[static_cast<std::size_t>(m_comp[p.a])].push_back(k);
        }
    }
    return cut;
}

std::size_t KeyPlayers::extra_cut(std::size_t unit) {
    ++m_stamp;
    std::vector<int> affected;
    for (const NodeId v : m_units[unit]) {
        if (!m_removed[v]) {
            m_mark[v] = m_stamp;
            if (std::find(affected.begin(), affected.end(), m_comp[v]) == affected.end()) {
                affected.push_back(m_comp[v]);
            }
        }
    }
    std::size_t cut = 0;
    int next = 0;
    for (const int c : affected) {
        const auto at = static_cast<std::size_t>(c);
        if (m_comp_pairs[at].empty()) {
            continue; // nothing to cut here: no need to relabel
        }
        for (const NodeId start : m_comp_nodes[at]) {
            if (m_mark[start] == m_stamp || m_seen[start] == m_stamp) {
                continue;
            }
            m_queue.clear();
            m_queue.push_back(start);
            m_seen[start] = m_stamp;
            m_temp[start] = next;
            for (std::size_t head = 0; head < m_queue.size(); ++head) {
                for (const NodeId w : m_graph.neighbours(m_queue[head])) {
                    if (!m_removed[w] && m_mark[w] != m_stamp && m_seen[w] != m_stamp) {
                        m_seen[w] = m_stamp;
                        m_temp[w] = next;
                        m_queue.push_back(w);
                    }
                }
            }
            ++next;
        }
        for (const std::size_t k : m_comp_pairs[at]) {
            const NodePair& p = m_pairs[k];
            if (m_mark[p.a] == m_stamp || m_mark[p.b] == m_stamp || m_temp[p.a] != m_temp[p.b]) {
                ++cut;
            }
        }
    }
    return cut;
}

std::size_t KeyPlayers::best_unit(const std::vector<bool>& exclude, std::size_t& gain) {
    std::size_t best = m_units.size();
    gain = 0;
    for (std::size_t u = 0; u < m_units.size(); ++u) {
        if (exclude[u]) {
            continue;
        }
        const std::size_t g = extra_cut(u);
        if (best == m_units.size() || g > gain || (g == gain && m_order[u] < m_order[best])) {
            best = u;
            gain = g;
        }
    }
    return best;
}

void KeyPlayers::run() {
    // Keep only the pairs connected in the whole graph.
    label({});
    std::vector<NodePair> connected;
    for (const NodePair& p : m_pairs) {
        if (p.a != p.b && m_comp[p.a] == m_comp[p.b]) {
            connected.push_back(p);
        }
    }
    m_pairs = std::move(connected);
    m_connected = m_pairs.size();
    label({});
    m_single.assign(m_units.size(), 0);
    for (std::size_t u = 0; u < m_units.size(); ++u) {
        m_single[u] = extra_cut(u);
    }

    // Greedy: each step adds the unit that cuts the most pairs in addition.
    m_set.clear();
    m_swaps = 0;
    std::vector<bool> in_set(m_units.size(), false);
    const std::size_t size = std::min(m_params.set_size, m_units.size());
    std::size_t cut = 0;
    while (m_set.size() < size) {
        cut = label(m_set);
        std::size_t gain = 0;
        const std::size_t best = best_unit(in_set, gain);
        m_set.push_back(best);
        in_set[best] = true;
    }
    cut = label(m_set);

    // Swaps: for each member, the best replacement from outside the set with
    // the rest removed; make the best swap that cuts more, until none does.
    for (int round = 0; round < m_params.max_swap_rounds && !m_set.empty(); ++round) {
        std::size_t best_total = cut;
        std::size_t best_slot = m_set.size();
        std::size_t best_unit_in = 0;
        for (std::size_t slot = 0; slot < m_set.size(); ++slot) {
            std::vector<std::size_t> rest = m_set;
            rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(slot));
            const std::size_t base = label(rest);
            std::size_t gain = 0;
            const std::size_t unit = best_unit(in_set, gain);
            if (unit < m_units.size() && base + gain > best_total) {
                best_total = base + gain;
                best_slot = slot;
                best_unit_in = unit;
            }
        }
        if (best_slot == m_set.size()) {
            break;
        }
        in_set[m_set[best_slot]] = false;
        in_set[best_unit_in] = true;
        m_set[best_slot] = best_unit_in;
        ++m_swaps;
        cut = best_total;
    }
    m_set_cut = label(m_set);
}

} // namespace waymark::graph
