// Hexagon and square tessellations: a cell contains its own centre, a point
// belongs to the cell whose centre is nearest (the defining property of a
// tessellation by Voronoi cells), corners and areas follow from cell_size,
// and negative coordinates behave like positive ones.

#include "base/error.hpp"
#include "geo/grid.hpp"
#include "tests/support/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace waymark::geo {
namespace {

using waymark::testing::message_of;

double distance(Point a, Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

/// The shoelace area of a polygon (positive when counter-clockwise).
double signed_area(const std::vector<Point>& ring) {
    double twice = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const Point& a = ring[i];
        const Point& b = ring[(i + 1) % ring.size()];
        twice += a.x * b.y - b.x * a.y;
    }
    return twice / 2;
}

class BothShapes : public ::testing::TestWithParam<GridShape> {};

INSTANTIATE_TEST_SUITE_P(Grid, BothShapes, ::testing::Values(GridShape::hexagon, GridShape::square),
                         [](const auto& shape_info) {
                             return shape_info.param == GridShape::hexagon ? "hexagon" : "square";
                         });

TEST_P(BothShapes, EveryCellContainsItsCentreIncludingNegativeIndices) {
    const Grid grid(GetParam(), 250, {-1234.5, 987.25});
    for (std::int32_t col = -7; col <= 7; ++col) {
        for (std::int32_t row = -7; row <= 7; ++row) {
            const CellId cell{col, row};
            EXPECT_EQ(grid.cell_of(grid.centre(cell)), cell) << col << "," << row;
        }
    }
}

TEST_P(BothShapes, APointBelongsToTheCellWithTheNearestCentre) {
    // Points anywhere, including far into negative coordinates; near-ties
    // (within 1e-9 m of an edge) are left out as either answer is right.
    const Grid grid(GetParam(), 100, {3, -4});
    std::mt19937_64 random(42);
    std::uniform_real_distribution<double> coordinate(-5000, 5000);
    int checked = 0;
    for (int i = 0; i < 20000; ++i) {
        const Point p{coordinate(random), coordinate(random)};
        const CellId cell = grid.cell_of(p);
        const double own = distance(p, grid.centre(cell));
        double nearest_other = 1e300;
        for (int dc = -2; dc <= 2; ++dc) {
            for (int dr = -2; dr <= 2; ++dr) {
                const CellId other{cell.col + dc, cell.row + dr};
                if (other != cell) {
                    nearest_other = std::min(nearest_other, distance(p, grid.centre(other)));
                }
            }
        }
        if (std::abs(nearest_other - own) < 1e-9) {
            continue;
        }
        ++checked;
        ASSERT_LT(own, nearest_other) << p.x << " " << p.y;
    }
    EXPECT_GT(checked, 19000);
}

TEST(Grid, HexagonPointsJustInsideEachEdgeStayInTheCell) {
    // Just inside the middle of each of the six edges, and just inside each
    // corner towards the centre: these are the places a square-based lookup
    // gets wrong.
    const Grid grid(GridShape::hexagon, 100, {-50, -50});
    const CellId cell{-3, 2};
    const Point c = grid.centre(cell);
    const std::vector<Point> ring = grid.corners(cell);
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const Point& a = ring[i];
        const Point& b = ring[(i + 1) % ring.size()];
        const Point mid{(a.x + b.x) / 2, (a.y + b.y) / 2};
        const Point inside{mid.x + (c.x - mid.x) * 1e-6, mid.y + (c.y - mid.y) * 1e-6};
        const Point outside{mid.x - (c.x - mid.x) * 1e-6, mid.y - (c.y - mid.y) * 1e-6};
        EXPECT_EQ(grid.cell_of(inside), cell) << "edge " << i;
        EXPECT_NE(grid.cell_of(outside), cell) << "edge " << i;
        const Point near_corner{a.x + (c.x - a.x) * 1e-6, a.y + (c.y - a.y) * 1e-6};
        EXPECT_EQ(grid.cell_of(near_corner), cell) << "corner " << i;
    }
}

TEST(Grid, HexagonNeighboursAreCellSizeApartInSixDirections) {
    const Grid grid(GridShape::hexagon, 80, {});
    for (const CellId cell : {CellId{0, 0}, CellId{1, 0}, CellId{-1, -1}, CellId{-2, 3}}) {
        const Point c = grid.centre(cell);
        int at_cell_size = 0;
        for (int dc = -2; dc <= 2; ++dc) {
            for (int dr = -2; dr <= 2; ++dr) {
                const CellId other{cell.col + dc, cell.row + dr};
                if (other != cell && std::abs(distance(c, grid.centre(other)) - 80) < 1e-9) {
                    ++at_cell_size;
                }
            }
        }
        EXPECT_EQ(at_cell_size, 6) << cell.col << "," << cell.row;
    }
}

TEST(Grid, HexagonCornersAreFlatToppedCounterClockwiseAndGiveTheArea) {
    const double size = 120;
    const Grid grid(GridShape::hexagon, size, {10, 20});
    const CellId cell{-1, -2};
    const Point c = grid.centre(cell);
    const std::vector<Point> ring = grid.corners(cell);
    ASSERT_EQ(ring.size(), 6u);
    const double radius = size / std::numbers::sqrt3;
    for (const Point& corner : ring) {
        EXPECT_NEAR(distance(corner, c), radius, 1e-9);
    }
    // Flat top: the two highest corners share a y at half the width above c.
    EXPECT_NEAR(ring[1].y, c.y + size / 2, 1e-9);
    EXPECT_NEAR(ring[2].y, c.y + size / 2, 1e-9);
    EXPECT_NEAR(signed_area(ring), grid.cell_area(), 1e-6);
    EXPECT_NEAR(grid.cell_area(), 3 * std::numbers::sqrt3 / 2 * radius * radius, 1e-6);
}

TEST(Grid, SquareCornersAreCounterClockwiseFromTheOriginCorner) {
    const Grid grid(GridShape::square, 50, {-100, -100});
    const CellId cell{-1, 0};
    const std::vector<Point> ring = grid.corners(cell);
    ASSERT_EQ(ring.size(), 4u);
    EXPECT_DOUBLE_EQ(ring[0].x, -150);
    EXPECT_DOUBLE_EQ(ring[0].y, -100);
    EXPECT_DOUBLE_EQ(ring[2].x, -100);
    EXPECT_DOUBLE_EQ(ring[2].y, -50);
    EXPECT_DOUBLE_EQ(signed_area(ring), 2500);
    EXPECT_DOUBLE_EQ(grid.cell_area(), 2500);
    // Lower-left edges belong to the cell, upper-right ones to the next.
    EXPECT_EQ(grid.cell_of({-150, -100}), cell);
    EXPECT_EQ(grid.cell_of({-100, -100}), (CellId{0, 0}));
    EXPECT_EQ(grid.cell_of({-150.000001, -100}), (CellId{-2, 0}));
}

TEST(Grid, TessellationsCoverThePlaneWithoutGaps) {
    // The cells' areas add up to the area they cover: count the cells whose
    // centres fall in a large square and compare with square area / cell area.
    for (const GridShape shape : {GridShape::hexagon, GridShape::square}) {
        const Grid grid(shape, 10, {});
        std::mt19937_64 random(7);
        std::uniform_real_distribution<double> coordinate(-1000, 1000);
        std::vector<CellId> cells;
        for (int i = 0; i < 200000; ++i) {
            cells.push_back(grid.cell_of({coordinate(random), coordinate(random)}));
        }
        std::sort(cells.begin(), cells.end());
        cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
        const double expected = 2000.0 * 2000.0 / grid.cell_area();
        EXPECT_NEAR(static_cast<double>(cells.size()), expected, expected * 0.02);
    }
}

TEST(Grid, RefusesANonPositiveCellSize) {
    EXPECT_EQ(message_of<InputError>([] { Grid(GridShape::hexagon, 0); }),
              "Grid: cell_size must be a finite number > 0 metres; got 0");
    EXPECT_EQ(message_of<InputError>([] { Grid(GridShape::square, -5); }),
              "Grid: cell_size must be a finite number > 0 metres; got -5");
}

TEST(Grid, RefusesAPointBeyondTheRangeOfCellIndices) {
    const Grid grid(GridShape::square, 1e-3);
    EXPECT_EQ(message_of<InputError>([&] {
                  (void)grid.cell_of({1e12, 0});
              }),
              "Grid: point (1000000000000, 0) is too far from the grid origin "
              "for a cell index");
}

} // namespace
} // namespace waymark::geo
