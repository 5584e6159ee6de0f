// Key players on pairs (graph/key_players.hpp): the fragmentation of pairs on
// hand-built graphs (a star, a bridge, two paths), a case where greedy alone
// is not optimal and the swaps fix it, and the greedy-with-swaps set against
// a brute force over every set on small random graphs.

#include "base/error.hpp"
#include "graph/key_players.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

namespace waymark::graph {
namespace {

std::vector<std::vector<NodeId>> singletons(std::size_t n) {
    std::vector<std::vector<NodeId>> units;
    for (NodeId v = 0; v < n; ++v) {
        units.push_back({v});
    }
    return units;
}

/// Every pair of distinct nodes.
std::vector<NodePair> all_pairs(std::size_t n) {
    std::vector<NodePair> pairs;
    for (NodeId a = 0; a < n; ++a) {
        for (NodeId b = a + 1; b < n; ++b) {
            pairs.push_back({a, b});
        }
    }
    return pairs;
}

TEST(PairCut, StarCentreCutsEveryPair) {
    // 0 is the centre of a star of 5 leaves.
    const std::vector<Edge> edges{{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}};
    const Graph g(6, edges);
    const std::vector<NodePair> pairs{{1, 2}, {3, 4}, {1, 5}, {0, 3}};
    const std::vector<NodeId> centre{0};
    const PairCut cut = pair_cut(g, pairs, centre);
    EXPECT_EQ(cut.connected, 4U);
    EXPECT_EQ(cut.cut, 4U); // (0,3) too: a removed end counts as cut
    const std::vector<NodeId> leaf{1};
    EXPECT_EQ(pair_cut(g, pairs, leaf).cut, 2U);
    EXPECT_DOUBLE_EQ(pair_cut(g, pairs, leaf).share(), 0.5);
}

TEST(PairCut, BridgeAndTwoPaths) {
    // Two triangles joined by the bridge 2–3; 6 and 7 joined by two paths
    // (6–8–7 and 6–9–7), in a component of their own.
    const std::vector<Edge> edges{{0, 1}, {1, 2}, {0, 2}, {2, 3}, {3, 4}, {4, 5},
                                  {3, 5}, {6, 8}, {8, 7}, {6, 9}, {9, 7}};
    const Graph g(10, edges);
    const std::vector<NodePair> pairs{{0, 4}, {1, 5}, {0, 1}, {6, 7}, {0, 6}};
    const std::vector<NodeId> none;
    EXPECT_EQ(pair_cut(g, pairs, none).connected, 4U); // (0,6) was never connected
    EXPECT_EQ(pair_cut(g, pairs, none).cut, 0U);
    const std::vector<NodeId> bridge_end{2};
    EXPECT_EQ(pair_cut(g, pairs, bridge_end).cut, 2U); // (0,4) and (1,5)
    const std::vector<NodeId> one_path{8};
    EXPECT_EQ(pair_cut(g, pairs, one_path).cut, 0U);
    const std::vector<NodeId> both_paths{8, 9};
    EXPECT_EQ(pair_cut(g, pairs, both_paths).cut, 1U);

    KeyPlayers kp(g, pairs, singletons(10), {.set_size = 1});
    kp.run();
    EXPECT_EQ(kp.connected(), 4U);
    ASSERT_EQ(kp.set().size(), 1U);
    // 0, 1, 2 and 3 each cut two pairs: a tie the seed breaks.
    EXPECT_EQ(kp.set_cut(), 2U);
    EXPECT_DOUBLE_EQ(kp.fragmentation(), 0.5);
    EXPECT_EQ(kp.single_cut()[8], 0U);
    EXPECT_EQ(kp.single_cut()[0], 2U); // its own pairs (0,4) and (0,1)
}

TEST(KeyPlayers, SwapsFixWhatGreedyMisses) {
    // A star (centre 0, leaves 1–4; pairs between leaves: 6) and, apart, two
    // clusters {5,6,7} and {8,9,10} joined only through 11 and 12 (pairs
    // across: 9). Alone, 0 cuts 6 and 11 or 12 nothing; together 11 and 12
    // cut 9. Greedy takes 0 first; a swap replaces it.
    std::vector<Edge> edges{{0, 1}, {0, 2}, {0, 3}, {0, 4}};
    std::vector<NodePair> pairs{{1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 4}};
    for (NodeId l = 5; l <= 7; ++l) {
        for (NodeId r = 8; r <= 10; ++r) {
            pairs.push_back({l, r});
        }
        edges.push_back({l, 11});
        edges.push_back({l, 12});
        edges.push_back({l + 3, 11});
        edges.push_back({l + 3, 12});
    }
    const Graph g(13, edges);
    // Only the centres may be removed.
    const std::vector<std::vector<NodeId>> units{{0}, {11}, {12}};
    KeyPlayers kp(g, pairs, units, {.set_size = 2, .max_swap_rounds = 0});
    kp.run();
    EXPECT_EQ(kp.set_cut(), 6U); // greedy alone
    KeyPlayers swapped(g, pairs, units, {.set_size = 2});
    swapped.run();
    EXPECT_EQ(swapped.set_cut(), 9U);
    EXPECT_EQ(swapped.swaps(), 1);
    std::vector<std::size_t> set = swapped.set();
    std::sort(set.begin(), set.end());
    EXPECT_EQ(set, (std::vector<std::size_t>{1, 2}));
    EXPECT_DOUBLE_EQ(swapped.fragmentation(), 9.0 / 15.0);
    EXPECT_EQ(swapped.single_cut(), (std::vector<std::size_t>{6, 0, 0}));
}

TEST(KeyPlayers, UnitsRemoveAllTheirNodes) {
    // Two copies of one entity (1 and 3) in two paths 0–1–2 and 4–3–5.
    const std::vector<Edge> edges{{0, 1}, {1, 2}, {4, 3}, {3, 5}};
    const Graph g(6, edges);
    const std::vector<NodePair> pairs{{0, 2}, {4, 5}};
    KeyPlayers kp(g, pairs, {{1, 3}, {0}}, {.set_size = 1});
    kp.run();
    EXPECT_EQ(kp.single_cut(), (std::vector<std::size_t>{2, 1}));
    EXPECT_EQ(kp.set(), (std::vector<std::size_t>{0}));
    EXPECT_DOUBLE_EQ(kp.fragmentation(), 1.0);
}

TEST(KeyPlayers, MatchesBruteForceOnSmallRandomGraphs) {
    std::mt19937_64 random(42);
    int optimal = 0;
    for (int trial = 0; trial < 40; ++trial) {
        const std::size_t n = 9;
        std::vector<Edge> edges;
        for (NodeId a = 0; a < n; ++a) {
            for (NodeId b = a + 1; b < n; ++b) {
                if (random() % 100 < 28) {
                    edges.push_back({a, b});
                }
            }
        }
        const Graph g(n, edges);
        std::vector<NodePair> pairs;
        for (const NodePair& p : all_pairs(n)) {
            if (random() % 2 == 0) {
                pairs.push_back(p);
            }
        }
        const std::size_t k = 2 + static_cast<std::size_t>(trial % 2);
        KeyPlayers kp(g, pairs, singletons(n), {.set_size = k, .seed = 7});
        kp.run();
        // The set's cut as pair_cut() counts it.
        std::vector<NodeId> chosen(kp.set().begin(), kp.set().end());
        EXPECT_EQ(pair_cut(g, pairs, chosen).cut, kp.set_cut());
        // Single cuts as pair_cut() counts them.
        for (NodeId v = 0; v < n; ++v) {
            const std::vector<NodeId> one{v};
            EXPECT_EQ(pair_cut(g, pairs, one).cut, kp.single_cut()[v]) << "trial " << trial;
        }
        // Brute force over every set of k nodes.
        std::size_t best = 0;
        std::vector<bool> pick(n, false);
        std::fill(pick.end() - static_cast<std::ptrdiff_t>(k), pick.end(), true);
        do {
            std::vector<NodeId> set;
            for (NodeId v = 0; v < n; ++v) {
                if (pick[v]) {
                    set.push_back(v);
                }
            }
            best = std::max(best, pair_cut(g, pairs, set).cut);
        } while (std::next_permutation(pick.begin(), pick.end()));
        EXPECT_LE(kp.set_cut(), best);
        // Swaps reach a local optimum, at least 80% of the best here.
        EXPECT_GE(static_cast<double>(kp.set_cut()), 0.8 * static_cast<double>(best))
            << "trial " << trial;
        optimal += kp.set_cut() == best ? 1 : 0;
    }
    std::printf("greedy with swaps optimal in %d of 40 trials\n", optimal);
    EXPECT_GE(optimal, 34); // of 40
}

TEST(KeyPlayers, SameSeedSameSet) {
    // A ring: every node cuts the same, so only the seed decides.
    std::vector<Edge> edges;
    for (NodeId v = 0; v < 12; ++v) {
        edges.push_back({v, static_cast<NodeId>((v + 1) % 12)});
    }
    const Graph g(12, edges);
    const auto pairs = all_pairs(12);
    KeyPlayers a(g, pairs, singletons(12), {.set_size = 2, .seed = 3});
    KeyPlayers b(g, pairs, singletons(12), {.set_size = 2, .seed = 3});
    a.run();
    b.run();
    EXPECT_EQ(a.set(), b.set());
    EXPECT_EQ(a.set_cut(), b.set_cut());
}

TEST(KeyPlayers, RejectsNodesOutOfRange) {
    const std::vector<Edge> edges{{0, 1}};
    const Graph g(2, edges);
    EXPECT_THROW(KeyPlayers(g, {{0, 5}}, {}, {}), InputError);
    EXPECT_THROW(KeyPlayers(g, {}, {{2}}, {}), InputError);
}

} // namespace
} // namespace waymark::graph
