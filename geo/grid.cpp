#include "geo/grid.hpp"

#include "base/error.hpp"
#include "geo/format.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

namespace waymark::geo {

// Flat-topped hexagons in "odd-q" offset coordinates: columns are spaced
// 1.5 R apart (R = circumradius = side), rows `cell_size` apart, and odd
// columns are shifted up by half a row. Neighbouring centres are then exactly
// sqrt(3) R = cell_size apart in all six directions.
namespace {

constexpr double k_sqrt3 = std::numbers::sqrt3;

/// A rounded coordinate as a cell index, refusing what int32 cannot hold.
std::int32_t to_index(double value, Point p) {
    if (!std::isfinite(value) || value < std::numeric_limits<std::int32_t>::min() ||
        value > std::numeric_limits<std::int32_t>::max()) {
        throw InputError("Grid: point (" + format_number(p.x) + ", " + format_number(p.y) +
                         ") is too far from the grid origin for a cell index");
    }
    return static_cast<std::int32_t>(value);
}

bool is_odd(std::int64_t col) {
    return (col & 1) != 0;
}

} // namespace

Grid::Grid(GridShape shape, double cell_size, Point origin)
    : m_shape(shape), m_size(cell_size), m_origin(origin) {
    if (!(cell_size > 0) || !std::isfinite(cell_size)) {
        throw InputError("Grid: cell_size must be a finite number > 0 metres; got " +
                         format_number(cell_size));
    }
    if (!std::isfinite(origin.x) || !std::isfinite(origin.y)) {
        throw InputError("Grid: origin must be finite");
    }
}

double Grid::cell_area() const {
    if (m_shape == GridShape::square) {
        return m_size * m_size;
    }
    // A regular hexagon of width w across its flats has area (sqrt(3) / 2) w².
    return k_sqrt3 / 2 * m_size * m_size;
}

CellId Grid::cell_of(Point p) const {
    const double x = p.x - m_origin.x;
    const double y = p.y - m_origin.y;
    if (m_shape == GridShape::square) {
        return {to_index(std::floor(x / m_size), p), to_index(std::floor(y / m_size), p)};
    }
    // Fractional axial coordinates, then cube rounding: the hexagon containing
    // a point is the one whose centre is nearest (hexagons are the Voronoi
    // cells of their centres), and cube rounding finds exactly that one.
    const double radius = m_size / k_sqrt3;
    const double q = (2.0 / 3.0 * x) / radius;
    const double r = (-1.0 / 3.0 * x + k_sqrt3 / 3.0 * y) / radius;
    const double s = -q - r;
    double rq = std::round(q);
    double rr = std::round(r);
    const double rs = std::round(s);
    const double dq = std::abs(rq - q);
    const double dr = std::abs(rr - r);
    const double ds = std::abs(rs - s);
    if (dq > dr && dq > ds) {
        rq = -rr - rs;
    } else if (dr > ds) {
        rr = -rq - rs;
    }
    const std::int64_t col = to_index(rq, p);
    const std::int64_t axial_r = to_index(rr, p);
    // Offset row from axial: col - (col & 1) is even, so the halving is exact
    // for negative columns too.
    const std::int64_t row = axial_r + (col - (col & 1)) / 2;
    return {static_cast<std::int32_t>(col), to_index(static_cast<double>(row), p)};
}

Point Grid::centre(CellId cell) const {
    if (m_shape == GridShape::square) {
        return {m_origin.x + (cell.col + 0.5) * m_size, m_origin.y + (cell.row + 0.5) * m_size};
    }
    const double radius = m_size / k_sqrt3;
    const double shift = is_odd(cell.col) ? 0.5 : 0.0;
    return {m_origin.x + 1.5 * radius * cell.col, m_origin.y + (cell.row + shift) * m_size};
}

std::vector<Point> Grid::corners(CellId cell) const {
    const Point c = centre(cell);
    if (m_shape == GridShape::square) {
        const double h = m_size / 2;
        return {{c.x - h, c.y - h}, {c.x + h, c.y - h}, {c.x + h, c.y + h}, {c.x - h, c.y + h}};
    }
    // Flat-topped: corners at 0, 60, ..., 300 degrees, counter-clockwise.
    const double radius = m_size / k_sqrt3;
    const double half_flat = m_size / 2;
    return {{c.x + radius, c.y},
            {c.x + radius / 2, c.y + half_flat},
            {c.x - radius / 2, c.y + half_flat},
            {c.x - radius, c.y},
            {c.x - radius / 2, c.y - half_flat},
            {c.x + radius / 2, c.y - half_flat}};
}

} // namespace waymark::geo
