#include "base/error.hpp"
#include "graph/graph.hpp"
#include "tests/support/errors.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <utility>
#include <vector>

namespace waymark::graph {
namespace {

using waymark::testing::message_of;

std::vector<NodeId> row(const Graph& graph, NodeId v) {
    const auto neighbours = graph.neighbours(v);
    return {neighbours.begin(), neighbours.end()};
}

std::vector<double> row_weights(const Graph& graph, NodeId v) {
    const auto weights = graph.weights(v);
    return {weights.begin(), weights.end()};
}

TEST(Graph, EmptyAndEdgeless) {
    const Graph none;
    EXPECT_EQ(none.node_count(), 0U);
    EXPECT_EQ(none.edge_count(), 0U);
    EXPECT_EQ(none.total_weight(), 0.0);

    const Graph empty(0, {});
    EXPECT_EQ(empty.node_count(), 0U);

    const Graph alone(3, {});
    EXPECT_EQ(alone.node_count(), 3U);
    EXPECT_EQ(alone.edge_count(), 0U);
    for (NodeId v = 0; v < 3; ++v) {
        EXPECT_EQ(alone.degree(v), 0U);
        EXPECT_TRUE(alone.neighbours(v).empty());
        EXPECT_TRUE(alone.weights(v).empty());
    }
}

TEST(Graph, NeighboursSortedWithTheirWeights) {
    const std::vector<Edge> edges = {
        {2, 0, 1.5}, {0, 4, 2.0}, {3, 0, 0.25}, {0, 1, 4.0}, {4, 3, 1.0}};
    const Graph graph(5, edges);
    EXPECT_EQ(graph.node_count(), 5U);
    EXPECT_EQ(graph.edge_count(), 5U);
    EXPECT_EQ(row(graph, 0), (std::vector<NodeId>{1, 2, 3, 4}));
    EXPECT_EQ(row_weights(graph, 0), (std::vector<double>{4.0, 1.5, 0.25, 2.0}));
    EXPECT_EQ(row(graph, 3), (std::vector<NodeId>{0, 4}));
    EXPECT_EQ(row_weights(graph, 3), (std::vector<double>{0.25, 1.0}));
    EXPECT_EQ(row(graph, 4), (std::vector<NodeId>{0, 3}));
    EXPECT_EQ(graph.degree(0), 4U);
    EXPECT_EQ(graph.degree(1), 1U);
    EXPECT_DOUBLE_EQ(graph.total_weight(), 1.5 + 2.0 + 0.25 + 4.0 + 1.0);
}

TEST(Graph, ParallelEdgesMergedInEitherOrderAndLoopsDropped) {
    // 0–1 three times (twice as 1–0), 1–2 twice, two self-loops.
    const std::vector<Edge> edges = {{0, 1, 1.0},  {1, 0, 2.0}, {2, 2, 7.0}, {1, 2, 0.5},
                                     {0, 1, 0.25}, {2, 1, 0.5}, {0, 0, 3.0}};
    const Graph graph(3, edges);
    EXPECT_EQ(graph.edge_count(), 2U);
    EXPECT_EQ(row(graph, 0), (std::vector<NodeId>{1}));
    EXPECT_EQ(row(graph, 1), (std::vector<NodeId>{0, 2}));
    EXPECT_EQ(row(graph, 2), (std::vector<NodeId>{1}));
    EXPECT_EQ(row_weights(graph, 0), (std::vector<double>{3.25}));
    EXPECT_EQ(row_weights(graph, 1), (std::vector<double>{3.25, 1.0}));
    EXPECT_EQ(row_weights(graph, 2), (std::vector<double>{1.0}));
    EXPECT_EQ(graph.total_weight(), 4.25);
}

TEST(Graph, RepeatedWeightsSummedInInputOrderInBothDirections) {
    // 1 + 1e-16 + 1e-16 depends on the order of the additions: in input
    // order it is 1 (each tiny term is lost), while adding the tiny ones
    // first would give 1.0000000000000002. Both rows must hold the same bits.
    const std::vector<Edge> edges = {{0, 1, 1.0}, {1, 0, 1e-16}, {0, 1, 1e-16}};
    const Graph graph(2, edges);
    EXPECT_EQ(graph.weights(0)[0], (1.0 + 1e-16) + 1e-16);
    EXPECT_EQ(graph.weights(0)[0], graph.weights(1)[0]);
}

TEST(Graph, EveryEdgeAppearsInBothRows) {
    // A denser random-looking graph: row v lists w exactly when row w lists
    // v, with the same weight, and the degrees add up to twice the edges.
    std::vector<Edge> edges;
    std::uint64_t state = 12345;
    auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<NodeId>((state >> 33) % 60);
    };
    std::map<std::pair<NodeId, NodeId>, double> expected;
    for (int i = 0; i < 400; ++i) {
        const NodeId a = next();
        const NodeId b = next();
        const double w = 1 + i % 4;
        edges.push_back({a, b, w});
        if (a != b) {
            expected[{std::min(a, b), std::max(a, b)}] += w;
        }
    }
    const Graph graph(60, edges);
    EXPECT_EQ(graph.edge_count(), expected.size());
    std::size_t degrees = 0;
    for (NodeId v = 0; v < 60; ++v) {
        degrees += graph.degree(v);
        const auto neighbours = graph.neighbours(v);
        for (std::size_t i = 0; i < neighbours.size(); ++i) {
            const NodeId w = neighbours[i];
            if (i > 0) {
                EXPECT_LT(neighbours[i - 1], w);
            }
            EXPECT_EQ(graph.weights(v)[i], (expected[{std::min(v, w), std::max(v, w)}]));
        }
    }
    EXPECT_EQ(degrees, 2 * expected.size());
}

TEST(Graph, InducedSubgraphRenumbersInTheOrderGiven) {
    // A square 0–1–2–3–0 with a diagonal 0–2 and a tail 3–4.
    const std::vector<Edge> edges = {{0, 1, 1.0}, {1, 2, 2.0}, {2, 3, 3.0},
                                     {3, 0, 4.0}, {0, 2, 5.0}, {3, 4, 6.0}};
    const Graph graph(5, edges);
    const std::vector<NodeId> nodes = {3, 0, 2}; // new numbers 0, 1, 2
    const Graph sub = graph.induced(nodes);
    EXPECT_EQ(sub.node_count(), 3U);
    EXPECT_EQ(sub.edge_count(), 3U); // 3–0, 3–2, 0–2
    EXPECT_EQ(row(sub, 0), (std::vector<NodeId>{1, 2}));
    EXPECT_EQ(row_weights(sub, 0), (std::vector<double>{4.0, 3.0}));
    EXPECT_EQ(row(sub, 1), (std::vector<NodeId>{0, 2}));
    EXPECT_EQ(row_weights(sub, 1), (std::vector<double>{4.0, 5.0}));
    EXPECT_EQ(row(sub, 2), (std::vector<NodeId>{0, 1}));
    EXPECT_EQ(row_weights(sub, 2), (std::vector<double>{3.0, 5.0}));
    EXPECT_EQ(sub.total_weight(), 12.0);

    const Graph none = graph.induced({});
    EXPECT_EQ(none.node_count(), 0U);
    const std::vector<NodeId> apart = {4, 1};
    const Graph split = graph.induced(apart);
    EXPECT_EQ(split.node_count(), 2U);
    EXPECT_EQ(split.edge_count(), 0U);
}

TEST(Graph, ErrorMessages) {
    const std::vector<Edge> out_of_range = {{0, 1, 1.0}, {2, 5, 1.0}};
    EXPECT_EQ(message_of<InputError>([&] { Graph(4, out_of_range); }),
              "graph: edge 1 joins nodes 2 and 5, but the graph has 4 nodes (numbered 0 to 3)");
    const std::vector<Edge> any = {{0, 0, 1.0}};
    EXPECT_EQ(message_of<InputError>([&] { Graph(0, any); }),
              "graph: edge 0 joins nodes 0 and 0, but the graph has 0 nodes");
    const std::vector<Edge> nan = {{0, 1, 1.0}, {1, 2, 2.0}, {2, 0, std::nan("")}};
    EXPECT_EQ(message_of<InputError>([&] { Graph(3, nan); }),
              "graph: edge 2 (2–0) has weight nan; weights must be finite and greater than 0");
    const std::vector<Edge> infinite = {{0, 1, std::numeric_limits<double>::infinity()}};
    EXPECT_EQ(message_of<InputError>([&] { Graph(2, infinite); }),
              "graph: edge 0 (0–1) has weight inf; weights must be finite and greater than 0");
    const std::vector<Edge> zero = {{0, 1, 0.0}};
    EXPECT_EQ(message_of<InputError>([&] { Graph(2, zero); }),
              "graph: edge 0 (0–1) has weight 0; weights must be finite and greater than 0");
    const std::vector<Edge> negative = {{1, 0, -0.5}};
    EXPECT_EQ(message_of<InputError>([&] { Graph(2, negative); }),
              "graph: edge 0 (1–0) has weight -0.5; weights must be finite and greater than 0");
    const std::vector<Edge> self_loop_nan = {{1, 1, std::nan("")}};
    EXPECT_EQ(message_of<InputError>([&] { Graph(2, self_loop_nan); }),
              "graph: edge 0 (1–1) has weight nan; weights must be finite and greater than 0");

    const Graph graph(3, std::vector<Edge>{{0, 1, 1.0}});
    const std::vector<NodeId> missing = {0, 3};
    EXPECT_EQ(message_of<InputError>([&] { graph.induced(missing); }),
              "graph: induced subgraph: node 3 (position 1) is not in the graph of 3 nodes");
    const std::vector<NodeId> twice = {2, 0, 2};
    EXPECT_EQ(message_of<InputError>([&] { graph.induced(twice); }),
              "graph: induced subgraph: node 2 is given twice (positions 0 and 2)");
}

} // namespace
} // namespace waymark::graph
