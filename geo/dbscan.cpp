#include "geo/dbscan.hpp"

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "geo/format.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

// How it works (docs/methods/dbscan.md has the full note).
//
// Points are sorted into square cells of side just under eps/√2, so all the
// points of one cell are within eps of each other and a neighbour is at most
// two cells away. A cell whose total weight reaches min_weight makes all its
// points core without measuring a distance; elsewhere each point sums the
// weights of the points within eps in the 5x5 block of cells around it.
// Core points are joined by a union-find that several threads update at once
// (its final partition is the same whatever the order of the unions), and
// border points go to their nearest core point.
//
// Every shortcut that skips a distance test rests on the rounding of IEEE
// arithmetic being monotonic: if |a - b| <= |c - d| exactly, then the
// computed differences compare the same way, and so do their squares and
// sums. A bound computed from a cell's bounding box of points therefore
// brackets the computed squared distance of every point inside it, and the
// grid gives exactly the answers of `dx*dx + dy*dy <= eps*eps` on every pair.

namespace waymark::geo {
namespace {

using Index = std::uint32_t;
constexpr Index none = std::numeric_limits<Index>::max();

[[noreturn]] void fail(const std::string& message) {
    throw InputError("DBSCAN: " + message);
}

bool positive_finite(double value) {
    return std::isfinite(value) && value > 0;
}

struct Box {
    double min_x = std::numeric_limits<double>::infinity();
    double min_y = std::numeric_limits<double>::infinity();
    double max_x = -std::numeric_limits<double>::infinity();
    double max_y = -std::numeric_limits<double>::infinity();

    void add(double x, double y) {
        min_x = std::min(min_x, x);
        min_y = std::min(min_y, y);
        max_x = std::max(max_x, x);
        max_y = std::max(max_y, y);
    }
};

struct CellCoordinates {
    double origin_x = 0;
    double origin_y = 0;
    double inverse_side = 0;
    std::int64_t columns = 0;
    std::int64_t rows = 0;

    std::int64_t column_of(double x) const {
        return static_cast<std::int64_t>(std::floor((x - origin_x) * inverse_side));
    }
    std::int64_t row_of(double y) const {
        return static_cast<std::int64_t>(std::floor((y - origin_y) * inverse_side));
    }
};

CellCoordinates cell_coordinates(std::span<const Point> points, double eps) {
    Box extent;
    for (const Point& point : points) {
        extent.add(point.x, point.y);
    }
    // Just under eps/√2, so that a cell filled corner to corner still passes
    // the "all within eps" test of its points' bounding box.
    const double side = eps / std::sqrt(2.0) * (1 - 0x1p-20);
    CellCoordinates cells;
    cells.origin_x = extent.min_x;
    cells.origin_y = extent.min_y;
    cells.inverse_side = 1 / side;
    const double span_x = (extent.max_x - extent.min_x) * cells.inverse_side;
    const double span_y = (extent.max_y - extent.min_y) * cells.inverse_side;
    // Cell numbers must be computed to well within a cell for "a neighbour is
    // at most two cells away" to hold; beyond this eps is near the resolution
    // of the coordinates anyway.
    constexpr double max_span = 0x1p40;
    if (!(span_x < max_span && span_y < max_span)) {
        fail("eps = " + format_number(eps) + " is too small for the extent of the points (" +
             format_number(extent.max_x - extent.min_x) + " by " +
             format_number(extent.max_y - extent.min_y) + ")");
    }
    cells.columns = static_cast<std::int64_t>(span_x) + 1;
    cells.rows = static_cast<std::int64_t>(span_y) + 1;
    return cells;
}

void validate(std::span<const Point> points, std::span<const double> weights,
              const DbscanParams& params) {
    if (!positive_finite(params.eps)) {
        fail("eps must be a finite number greater than 0, got " + format_number(params.eps));
    }
    if (!positive_finite(params.min_weight)) {
        fail("min_weight must be a finite number greater than 0, got " +
             format_number(params.min_weight));
    }
    if (params.threads < 0) {
        fail("threads must be 0 (one per core) or more, got " + std::to_string(params.threads));
    }
    if (points.size() > static_cast<std::size_t>(INT_MAX)) {
        fail("too many points (" + std::to_string(points.size()) + "), at most " +
             std::to_string(INT_MAX));
    }
    if (!weights.empty() && weights.size() != points.size()) {
        fail("weights must be empty or one per point, got " + std::to_string(weights.size()) +
             " weights for " + std::to_string(points.size()) + " points");
    }
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (!std::isfinite(weights[i]) || weights[i] < 0) {
            fail("the weight of point " + std::to_string(i) +
                 " must be a finite number >= 0, got " + format_number(weights[i]));
        }
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!std::isfinite(points[i].x) || !std::isfinite(points[i].y)) {
            fail("point " + std::to_string(i) + " has a coordinate that is not finite (" +
                 format_number(points[i].x) + ", " + format_number(points[i].y) + ")");
        }
    }
    if (!points.empty()) {
        cell_coordinates(points, params.eps); // refuses an eps too small for the extent
    }
}

double distance2(double x1, double y1, double x2, double y2) {
    const double dx = x1 - x2;
    const double dy = y1 - y2;
    return dx * dx + dy * dy;
}

/// Never above the computed squared distance from (x, y) to a point in `box`.
double min_distance2(double x, double y, const Box& box) {
    const double dx = x < box.min_x ? box.min_x - x : (x > box.max_x ? x - box.max_x : 0.0);
    const double dy = y < box.min_y ? box.min_y - y : (y > box.max_y ? y - box.max_y : 0.0);
    return dx * dx + dy * dy;
}

/// Never below the computed squared distance from (x, y) to a point in `box`.
double max_distance2(double x, double y, const Box& box) {
    const double dx = std::max(x - box.min_x, box.max_x - x);
    const double dy = std::max(y - box.min_y, box.max_y - y);
    return dx * dx + dy * dy;
}

/// Never above the computed squared distance between points of `a` and `b`.
double gap2(const Box& a, const Box& b) {
    const double dx = std::max({0.0, b.min_x - a.max_x, a.min_x - b.max_x});
    const double dy = std::max({0.0, b.min_y - a.max_y, a.min_y - b.max_y});
    return dx * dx + dy * dy;
}

double diagonal2(const Box& box) {
    const double dx = box.max_x - box.min_x;
    const double dy = box.max_y - box.min_y;
    return dx * dx + dy * dy;
}

/// The points sorted into cells: cells ordered by (row, column), the points
/// of a cell by input index. All per-point arrays are in this sorted order.
struct Grid {
    std::vector<Index> source; ///< sorted position -> input index
    std::vector<double> x;
    std::vector<double> y;
    std::vector<double> w;

    std::vector<Index> first; ///< cell -> first sorted position; one extra entry at the end
    std::vector<std::int64_t> column;
    std::vector<std::int64_t> row;
    std::vector<Box> box;
    std::vector<double> weight;        ///< total weight of the cell, summed in sorted order
    std::vector<std::uint8_t> compact; ///< 1: all its points are within eps of each other

    std::size_t cells() const { return column.size(); }
};

/// Counting sort over every cell of the bounding box (stable: input
/// order within a cell).
void sort_dense(std::span<const Point> points, const CellCoordinates& cells, Grid& grid) {
    const std::size_t n = points.size();
    const auto total = static_cast<std::size_t>(cells.columns * cells.rows);
    std::vector<std::uint64_t> key(n);
    std::vector<Index> start(total + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        key[i] = static_cast<std::uint64_t>(cells.row_of(points[i].y) * cells.columns +
                                            cells.column_of(points[i].x));
        ++start[key[i] + 1];
    }
    for (std::size_t k = 0; k < total; ++k) {
        if (start[k + 1] > 0) {
            grid.column.push_back(static_cast<std::int64_t>(k) % cells.columns);
            grid.row.push_back(static_cast<std::int64_t>(k) / cells.columns);
            grid.first.push_back(start[k]);
        }
        start[k + 1] += start[k];
    }
    grid.first.push_back(static_cast<Index>(n));
    grid.source.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        grid.source[start[key[i]]++] = static_cast<Index>(i);
    }
}

/// Sets the cells of `grid` from its points' cell keys in sorted order.
template <typename RowOf, typename ColumnOf>
void collect_cells(std::size_t n, const RowOf& row_of, const ColumnOf& column_of, Grid& grid) {
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t row = row_of(i);
        const std::int64_t column = column_of(i);
        if (i == 0 || row != grid.row.back() || column != grid.column.back()) {
            grid.column.push_back(column);
            grid.row.push_back(row);
            grid.first.push_back(static_cast<Index>(i));
        }
    }
    grid.first.push_back(static_cast<Index>(n));
}

/// Stable LSD radix sort on key = row * columns + column, 11 bits a pass,
/// for extents whose cells are too many to count over but whose keys fit in
/// 64 bits (any eps above a micrometre on Earth).
void sort_radix(std::span<const Point> points, const CellCoordinates& cells, Grid& grid) {
    struct Entry {
        std::uint64_t key;
        Index index;
    };
    const std::size_t n = points.size();
    std::vector<Entry> entries(n);
    std::vector<Entry> buffer(n);
    for (std::size_t i = 0; i < n; ++i) {
        entries[i] = Entry{static_cast<std::uint64_t>(cells.row_of(points[i].y)) *
                                   static_cast<std::uint64_t>(cells.columns) +
                               static_cast<std::uint64_t>(cells.column_of(points[i].x)),
                           static_cast<Index>(i)};
    }
    const auto max_key =
        static_cast<std::uint64_t>(cells.rows) * static_cast<std::uint64_t>(cells.columns);
    constexpr int digit_bits = 11;
    constexpr std::size_t buckets = std::size_t{1} << digit_bits;
    for (int shift = 0; shift < 64 && (max_key >> shift) != 0; shift += digit_bits) {
        std::vector<std::size_t> start(buckets + 1, 0);
        for (const Entry& entry : entries) {
            ++start[((entry.key >> shift) & (buckets - 1)) + 1];
        }
        for (std::size_t b = 0; b < buckets; ++b) {
            start[b + 1] += start[b];
        }
        for (const Entry& entry : entries) {
            buffer[start[(entry.key >> shift) & (buckets - 1)]++] = entry;
        }
        entries.swap(buffer);
    }
    grid.source.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        grid.source[i] = entries[i].index;
    }
    const auto columns = static_cast<std::uint64_t>(cells.columns);
    collect_cells(
        n, [&](std::size_t i) { return static_cast<std::int64_t>(entries[i].key / columns); },
        [&](std::size_t i) { return static_cast<std::int64_t>(entries[i].key % columns); }, grid);
}

/// Comparison sort on (row, column, input index), for extents whose cell
/// keys would not fit in 64 bits.
void sort_pairs(std::span<const Point> points, const CellCoordinates& cells, Grid& grid) {
    struct Entry {
        std::int64_t row;
        std::int64_t column;
        Index index;
    };
    const std::size_t n = points.size();
    std::vector<Entry> entries(n);
    for (std::size_t i = 0; i < n; ++i) {
        entries[i] =
            Entry{cells.row_of(points[i].y), cells.column_of(points[i].x), static_cast<Index>(i)};
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.row, a.column, a.index) < std::tie(b.row, b.column, b.index);
    });
    grid.source.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        grid.source[i] = entries[i].index;
    }
    collect_cells(
        n, [&](std::size_t i) { return entries[i].row; },
        [&](std::size_t i) { return entries[i].column; }, grid);
}

Grid build_grid(std::span<const Point> points, std::span<const double> weights, double eps) {
    Grid grid;
    const CellCoordinates cells = cell_coordinates(points, eps);
    const double dense_cells = static_cast<double>(cells.columns) * static_cast<double>(cells.rows);
    if (dense_cells <= 2.0 * static_cast<double>(points.size()) + 4096) {
        sort_dense(points, cells, grid);
    } else if (dense_cells < 0x1p63) {
        sort_radix(points, cells, grid);
    } else {
        sort_pairs(points, cells, grid);
    }
    const std::size_t n = points.size();
    grid.x.resize(n);
    grid.y.resize(n);
    grid.w.resize(n);
    for (std::size_t p = 0; p < n; ++p) {
        const Index i = grid.source[p];
        grid.x[p] = points[i].x;
        grid.y[p] = points[i].y;
        grid.w[p] = weights.empty() ? 1.0 : weights[i];
    }
    const double eps2 = eps * eps;
    grid.box.resize(grid.cells());
    grid.weight.assign(grid.cells(), 0.0);
    grid.compact.resize(grid.cells());
    for (std::size_t c = 0; c < grid.cells(); ++c) {
        for (Index p = grid.first[c]; p < grid.first[c + 1]; ++p) {
            grid.box[c].add(grid.x[p], grid.y[p]);
            grid.weight[c] += grid.w[p];
        }
        grid.compact[c] = diagonal2(grid.box[c]) <= eps2 ? 1 : 0;
    }
    return grid;
}

/// Up to 25 cells around a cell (itself included) whose boxes come within
/// eps of the cell's own box, in a fixed order: by row, then column.
struct Neighbours {
    std::array<Index, 25> cells{};
    std::size_t count = 0;
};

/// Finds the neighbours of cells visited in increasing order. A neighbour
/// within eps is at most two cells away (the side is > eps/2), and the cells
/// of row r + dy with columns c - 2 .. c + 2 are consecutive in the sorted
/// cell list; as (r, c) increases so does (r + dy, c - 2), so one cursor per
/// row offset only moves forward. No lookup table: O(cells) per sweep and
/// cache-friendly, whatever the extent.
class NeighbourSweep {
public:
    NeighbourSweep(const Grid& grid, std::size_t first_cell) : m_grid(grid) {
        for (std::int64_t dy = -reach; dy <= reach; ++dy) {
            const std::int64_t row = grid.row[first_cell] + dy;
            const std::int64_t column = grid.column[first_cell] - reach;
            Index low = 0;
            Index high = static_cast<Index>(grid.cells());
            while (low < high) {
                const Index middle = low + (high - low) / 2;
                if (before(middle, row, column)) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            m_cursor[static_cast<std::size_t>(dy + reach)] = low;
        }
    }

    /// `cell` must not be smaller than the previous one asked for.
    Neighbours around(std::size_t cell, const Box& own, const std::vector<Box>& boxes,
                      double eps2) {
        Neighbours result;
        const std::int64_t column = m_grid.column[cell];
        for (std::int64_t dy = -reach; dy <= reach; ++dy) {
            const std::int64_t row = m_grid.row[cell] + dy;
            Index& cursor = m_cursor[static_cast<std::size_t>(dy + reach)];
            while (cursor < m_grid.cells() && before(cursor, row, column - reach)) {
                ++cursor;
            }
            for (Index other = cursor; other < m_grid.cells() && m_grid.row[other] == row &&
                                       m_grid.column[other] <= column + reach;
                 ++other) {
                if (gap2(own, boxes[other]) <= eps2) {
                    result.cells[result.count++] = other;
                }
            }
        }
        return result;
    }

private:
    static constexpr std::int64_t reach = 2;

    bool before(Index cell, std::int64_t row, std::int64_t column) const {
        return m_grid.row[cell] < row || (m_grid.row[cell] == row && m_grid.column[cell] < column);
    }

    const Grid& m_grid;
    std::array<Index, 2 * reach + 1> m_cursor{};
};

/// Whether the points within eps of sorted point `p` weigh at least
/// `min_weight` together (p's own weight included).
bool reaches_min_weight(const Grid& grid, Index p, const Neighbours& around, double eps2,
                        double min_weight) {
    const double x = grid.x[p];
    const double y = grid.y[p];
    double sum = 0;
    for (std::size_t k = 0; k < around.count; ++k) {
        const Index cell = around.cells[k];
        const Box& box = grid.box[cell];
        if (min_distance2(x, y, box) > eps2) {
            continue;
        }
        if (max_distance2(x, y, box) <= eps2) {
            sum += grid.weight[cell];
        } else {
            for (Index q = grid.first[cell]; q < grid.first[cell + 1]; ++q) {
                if (distance2(x, y, grid.x[q], grid.y[q]) <= eps2) {
                    sum += grid.w[q];
                }
            }
        }
        // Weights are non-negative: the sum can only grow.
        if (sum >= min_weight) {
            return true;
        }
    }
    return false;
}

/// Per sorted point: 1 if core.
std::vector<std::uint8_t> find_core_points(const Grid& grid, double eps2, double min_weight,
                                           int threads) {
    std::vector<std::uint8_t> core(grid.x.size(), 0);
    parallel_chunks(threads, grid.cells(), 256, [&](std::size_t begin, std::size_t end) {
        NeighbourSweep sweep(grid, begin);
        for (std::size_t c = begin; c < end; ++c) {
            const Index first = grid.first[c];
            const Index last = grid.first[c + 1];
            if (grid.compact[c] && grid.weight[c] >= min_weight) {
                std::fill(core.begin() + first, core.begin() + last, std::uint8_t{1});
                continue;
            }
            const Neighbours around = sweep.around(c, grid.box[c], grid.box, eps2);
            for (Index p = first; p < last; ++p) {
                core[p] = reaches_min_weight(grid, p, around, eps2, min_weight) ? 1 : 0;
            }
        }
    });
    return core;
}

/// The core points alone, in sorted order, grouped by the cells of the grid.
struct Cores {
    std::vector<Index> first; ///< cell -> first core; one extra entry at the end
    std::vector<double> x;
    std::vector<double> y;
    std::vector<Index> source; ///< core -> input index
    std::vector<Box> box;      ///< per cell, of its core points only

    Index count(std::size_t cell) const { return first[cell + 1] - first[cell]; }
};

Cores gather_cores(const Grid& grid, const std::vector<std::uint8_t>& core) {
    Cores cores;
    const auto count = static_cast<std::size_t>(std::count(core.begin(), core.end(), 1));
    cores.x.reserve(count);
    cores.y.reserve(count);
    cores.source.reserve(count);
    cores.first.reserve(grid.cells() + 1);
    cores.box.resize(grid.cells());
    for (std::size_t c = 0; c < grid.cells(); ++c) {
        cores.first.push_back(static_cast<Index>(cores.x.size()));
        for (Index p = grid.first[c]; p < grid.first[c + 1]; ++p) {
            if (core[p]) {
                cores.x.push_back(grid.x[p]);
                cores.y.push_back(grid.y[p]);
                cores.source.push_back(grid.source[p]);
                cores.box[c].add(grid.x[p], grid.y[p]);
            }
        }
    }
    cores.first.push_back(static_cast<Index>(cores.x.size()));
    return cores;
}

/// Union-find that several threads update at once without locks: a root is
/// only ever linked below a smaller root by compare-and-swap, so the root of
/// a set is its smallest element, and the final sets (the connected
/// components) do not depend on the order in which edges arrive.
class ConcurrentUnionFind {
public:
    explicit ConcurrentUnionFind(std::size_t size) : m_parent(size) {
        for (std::size_t i = 0; i < size; ++i) {
            m_parent[i].store(static_cast<Index>(i), std::memory_order_relaxed);
        }
    }

    /// Before any thread starts: puts the elements [first, last) in one set
    /// under `first`, which must still be a singleton.
    void join_range(Index first, Index last) {
        for (Index i = first + 1; i < last; ++i) {
            m_parent[i].store(first, std::memory_order_relaxed);
        }
    }

    Index find(Index x) {
        for (;;) {
            Index parent = m_parent[x].load(std::memory_order_acquire);
            if (parent == x) {
                return x;
            }
            const Index grandparent = m_parent[parent].load(std::memory_order_acquire);
            if (grandparent != parent) {
                // Path halving; losing this race to another thread is harmless.
                m_parent[x].compare_exchange_weak(parent, grandparent, std::memory_order_acq_rel);
            }
            x = grandparent;
        }
    }

    void unite(Index a, Index b) {
        for (;;) {
            a = find(a);
            b = find(b);
            if (a == b) {
                return;
            }
            if (a > b) {
                std::swap(a, b);
            }
            Index expected = b;
            if (m_parent[b].compare_exchange_strong(expected, a, std::memory_order_acq_rel)) {
                return;
            }
        }
    }

private:
    std::vector<std::atomic<Index>> m_parent;
};

/// Links the core points of neighbouring cells that are within eps. The
/// core points of a compact cell are within eps of each other, so one link
/// to any of them joins them all.
class CoreLinker {
public:
    CoreLinker(const Grid& grid, const Cores& cores, ConcurrentUnionFind& sets, double eps2,
               std::size_t first_cell)
        : m_grid(grid), m_cores(cores), m_sets(sets), m_eps2(eps2), m_sweep(grid, first_cell) {}

    /// The cores of every compact cell in one set, before the threads start.
    static void join_compact_cells(const Grid& grid, const Cores& cores,
                                   ConcurrentUnionFind& sets) {
        for (std::size_t c = 0; c < grid.cells(); ++c) {
            if (grid.compact[c] && cores.count(c) > 1) {
                sets.join_range(cores.first[c], cores.first[c + 1]);
            }
        }
    }

    void link_cell(std::size_t cell) {
        if (m_cores.count(cell) == 0) {
            return;
        }
        link_within(cell);
        const Neighbours around = m_sweep.around(cell, m_cores.box[cell], m_cores.box, m_eps2);
        for (std::size_t k = 0; k < around.count; ++k) {
            const Index other = around.cells[k];
            // Each pair of cells once.
            if (other > cell) {
                link_between(cell, other);
            }
        }
    }

private:
    void link_within(std::size_t cell) {
        const Index first = m_cores.first[cell];
        const Index last = m_cores.first[cell + 1];
        if (m_grid.compact[cell]) {
            return; // joined by join_compact_cells
        }
        for (Index p = first; p < last; ++p) {
            for (Index q = p + 1; q < last; ++q) {
                if (within(p, q)) {
                    m_sets.unite(p, q);
                }
            }
        }
    }

    void link_between(std::size_t a, std::size_t b) {
        const bool a_whole = m_grid.compact[a] != 0;
        const bool b_whole = m_grid.compact[b] != 0;
        if (a_whole && b_whole) {
            const Index first_a = m_cores.first[a];
            const Index first_b = m_cores.first[b];
            if (m_sets.find(first_a) != m_sets.find(first_b) && any_pair_within(a, b)) {
                m_sets.unite(first_a, first_b);
            }
        } else if (a_whole || b_whole) {
            link_to_whole(a_whole ? a : b, a_whole ? b : a);
        } else {
            for (Index p = m_cores.first[a]; p < m_cores.first[a + 1]; ++p) {
                if (min_distance2(m_cores.x[p], m_cores.y[p], m_cores.box[b]) > m_eps2) {
                    continue;
                }
                for (Index q = m_cores.first[b]; q < m_cores.first[b + 1]; ++q) {
                    if (within(p, q)) {
                        m_sets.unite(p, q);
                    }
                }
            }
        }
    }

    void link_to_whole(std::size_t whole, std::size_t other) {
        const Index anchor = m_cores.first[whole];
        for (Index q = m_cores.first[other]; q < m_cores.first[other + 1]; ++q) {
            if (m_sets.find(q) != m_sets.find(anchor) && any_within(whole, q)) {
                m_sets.unite(anchor, q);
            }
        }
    }

    bool any_pair_within(std::size_t a, std::size_t b) const {
        for (Index p = m_cores.first[a]; p < m_cores.first[a + 1]; ++p) {
            if (any_within(b, p)) {
                return true;
            }
        }
        return false;
    }

    /// Whether some core point of `cell` is within eps of core point `q`.
    bool any_within(std::size_t cell, Index q) const {
        const double x = m_cores.x[q];
        const double y = m_cores.y[q];
        const Box& box = m_cores.box[cell];
        if (min_distance2(x, y, box) > m_eps2) {
            return false;
        }
        if (max_distance2(x, y, box) <= m_eps2) {
            return true;
        }
        for (Index p = m_cores.first[cell]; p < m_cores.first[cell + 1]; ++p) {
            if (within(p, q)) {
                return true;
            }
        }
        return false;
    }

    bool within(Index p, Index q) const {
        return distance2(m_cores.x[p], m_cores.y[p], m_cores.x[q], m_cores.y[q]) <= m_eps2;
    }

    const Grid& m_grid;
    const Cores& m_cores;
    ConcurrentUnionFind& m_sets;
    double m_eps2;
    NeighbourSweep m_sweep;
};

/// Per core point: its cluster, numbered in the order of each cluster's
/// lowest input index among its core points.
std::vector<int> number_clusters(const Cores& cores, ConcurrentUnionFind& sets, int& clusters) {
    const std::size_t count = cores.x.size();
    std::vector<Index> lowest(count, none);
    for (Index c = 0; c < count; ++c) {
        Index& slot = lowest[sets.find(c)];
        slot = std::min(slot, cores.source[c]);
    }
    std::vector<std::pair<Index, Index>> roots; // (lowest input index, root)
    for (Index c = 0; c < count; ++c) {
        if (lowest[c] != none) {
            roots.emplace_back(lowest[c], c);
        }
    }
    std::sort(roots.begin(), roots.end());
    std::vector<int> root_label(count, Dbscan::noise);
    for (std::size_t k = 0; k < roots.size(); ++k) {
        root_label[roots[k].second] = static_cast<int>(k);
    }
    std::vector<int> label(count);
    for (Index c = 0; c < count; ++c) {
        label[c] = root_label[sets.find(c)];
    }
    clusters = static_cast<int>(roots.size());
    return label;
}

/// The nearest core point within eps of sorted point `p` (ties: the lowest
/// input index), or `none`.
Index nearest_core(const Grid& grid, const Cores& cores, Index p, const Neighbours& around,
                   double eps2) {
    const double x = grid.x[p];
    const double y = grid.y[p];
    Index best = none;
    double best_distance2 = eps2;
    for (std::size_t k = 0; k < around.count; ++k) {
        const Index cell = around.cells[k];
        if (min_distance2(x, y, cores.box[cell]) > best_distance2) {
            continue;
        }
        for (Index q = cores.first[cell]; q < cores.first[cell + 1]; ++q) {
            const double d2 = distance2(x, y, cores.x[q], cores.y[q]);
            if (d2 < best_distance2 ||
                (d2 == best_distance2 && (best == none || cores.source[q] < cores.source[best]))) {
                best = q;
                best_distance2 = d2;
            }
        }
    }
    return best;
}

} // namespace

Dbscan::Dbscan(std::span<const Point> points, std::span<const double> weights, DbscanParams params)
    : m_points(points), m_weights(weights), m_params(params) {
    validate(points, weights, params);
}

void Dbscan::run() {
    const std::size_t n = m_points.size();
    m_labels.assign(n, noise);
    m_core.assign(n, 0);
    m_clusters = 0;
    if (n == 0) {
        return;
    }
    const int threads = thread_count(m_params.threads);
    const double eps2 = m_params.eps * m_params.eps;

    const Grid grid = build_grid(m_points, m_weights, m_params.eps);
    const std::vector<std::uint8_t> core =
        find_core_points(grid, eps2, m_params.min_weight, threads);
    const Cores cores = gather_cores(grid, core);

    ConcurrentUnionFind sets(cores.x.size());
    CoreLinker::join_compact_cells(grid, cores, sets);
    parallel_chunks(threads, grid.cells(), 256, [&](std::size_t begin, std::size_t end) {
        CoreLinker linker(grid, cores, sets, eps2, begin);
        for (std::size_t c = begin; c < end; ++c) {
            linker.link_cell(c);
        }
    });
    const std::vector<int> core_label = number_clusters(cores, sets, m_clusters);
    for (Index c = 0; c < core_label.size(); ++c) {
        m_labels[cores.source[c]] = core_label[c];
        m_core[cores.source[c]] = 1;
    }

    // Border points: each writes only its own label.
    parallel_chunks(threads, grid.cells(), 256, [&](std::size_t begin, std::size_t end) {
        NeighbourSweep sweep(grid, begin);
        for (std::size_t c = begin; c < end; ++c) {
            if (cores.count(c) == grid.first[c + 1] - grid.first[c]) {
                continue;
            }
            const Neighbours around = sweep.around(c, grid.box[c], cores.box, eps2);
            for (Index p = grid.first[c]; p < grid.first[c + 1]; ++p) {
                if (core[p]) {
                    continue;
                }
                const Index nearest = nearest_core(grid, cores, p, around, eps2);
                if (nearest != none) {
                    m_labels[grid.source[p]] = core_label[nearest];
                }
            }
        }
    });
}

} // namespace waymark::geo
