#pragma once

// Tessellations of the plane used to aggregate points before a hotspot
// statistic: flat-topped hexagons (the default, as in ArcGIS's Optimized Hot
// Spot Analysis) or squares (a fishnet). A cell is named by two integers;
// `cell_size` is the distance between the centres of neighbouring cells: a
// square's side, a hexagon's width across its flat sides.

#include "geo/point.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace waymark::geo {

enum class GridShape { hexagon, square };

struct CellId {
    std::int32_t col = 0;
    std::int32_t row = 0;
    friend bool operator==(const CellId&, const CellId&) = default;
    friend auto operator<=>(const CellId&, const CellId&) = default;
};

class Grid {
public:
    /// origin: a point the tessellation is anchored to (a cell centre for
    /// hexagons, a cell corner for squares). Throws InputError if size <= 0.
    Grid(GridShape shape, double cell_size, Point origin = {});

    GridShape shape() const { return m_shape; }
    double cell_size() const { return m_size; }
    /// Area of one cell in square units.
    double cell_area() const;

    CellId cell_of(Point p) const;
    Point centre(CellId cell) const;
    /// The cell's corners, counter-clockwise, not closed (6 or 4 points).
    std::vector<Point> corners(CellId cell) const;

private:
    GridShape m_shape;
    double m_size;
    Point m_origin;
};

} // namespace waymark::geo
