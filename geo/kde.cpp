#include "geo/kde.hpp"

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "geo/format.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <thread>

namespace waymark::geo {
namespace {

double weight_of(std::span<const double> weights, std::size_t i) {
    return weights.empty() ? 1.0 : weights[i];
}

// Shared by default_bandwidth and KernelDensity: the caller names itself in
// `operation` so that the message says which call refused the input.
void check_points_and_weights(const std::string& operation, std::span<const Point> points,
                              std::span<const double> weights) {
    if (!weights.empty() && weights.size() != points.size()) {
        throw InputError(operation + ": " + std::to_string(weights.size()) + " weights for " +
                         std::to_string(points.size()) + " points");
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!std::isfinite(points[i].x) || !std::isfinite(points[i].y)) {
            throw InputError(operation + ": point " + std::to_string(i) +
                             " has a non-finite coordinate");
        }
        const double weight = weight_of(weights, i);
        if (!std::isfinite(weight) || weight < 0) {
            throw InputError(operation + ": weight " + std::to_string(i) +
                             " must be finite and >= 0, got " + format_number(weight));
        }
    }
}

struct WeightedDistance {
    double distance;
    double weight;
};

// The weighted median: with the distances sorted ascending and W the total
// weight, the first distance at which the cumulative weight exceeds W/2; if
// the cumulative weight equals W/2 exactly there, the mean of that distance
// and the next one (of positive weight). With unit weights this is the
// ordinary median (the mean of the two middle values for an even count).
double weighted_median(std::vector<WeightedDistance> items, double total_weight) {
    std::erase_if(items, [](const WeightedDistance& item) { return item.weight == 0; });
    std::sort(items.begin(), items.end(), [](const WeightedDistance& a, const WeightedDistance& b) {
        return a.distance < b.distance;
    });
    const double half = total_weight / 2;
    double cumulative = 0;
    for (std::size_t k = 0; k < items.size(); ++k) {
        cumulative += items[k].weight;
        if (cumulative > half) {
            return items[k].distance;
        }
        if (cumulative == half && k + 1 < items.size()) {
            return (items[k].distance + items[k + 1].distance) / 2;
        }
    }
    return items.back().distance; // only reached through rounding of the sum
}

} // namespace

double default_bandwidth(std::span<const Point> points, std::span<const double> weights) {
    const std::string operation = "default bandwidth";
    check_points_and_weights(operation, points, weights);

    double total_weight = 0;
    double sum_x = 0;
    double sum_y = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const double w = weight_of(weights, i);
        total_weight += w;
        sum_x += w * points[i].x;
        sum_y += w * points[i].y;
    }
    if (!(total_weight > 0)) {
        throw InputError(operation + ": the points' total weight is 0 (" +
                         std::to_string(points.size()) + " points)");
    }
    const Point centre{sum_x / total_weight, sum_y / total_weight};

    // Standard distance (ArcGIS's Standard Distance tool, weighted):
    // sqrt(Σ w ((x − X̄)² + (y − Ȳ)²) / Σ w).
    double sum_squares = 0;
    std::vector<WeightedDistance> distances(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const double dx = points[i].x - centre.x;
        const double dy = points[i].y - centre.y;
        const double w = weight_of(weights, i);
        sum_squares += w * (dx * dx + dy * dy);
        distances[i] = {std::sqrt(dx * dx + dy * dy), w};
    }
    const double standard_distance = std::sqrt(sum_squares / total_weight);
    const double median_distance = weighted_median(std::move(distances), total_weight);

    const double spread =
        std::min(standard_distance, std::sqrt(1 / std::numbers::ln2) * median_distance);
    const double bandwidth = 0.9 * spread * std::pow(total_weight, -0.2);
    if (!(bandwidth > 0)) {
        throw InputError(operation + ": it is 0 because half the weight or more lies at the " +
                         "points' mean centre; give a bandwidth");
    }
    return bandwidth;
}

KernelDensity::KernelDensity(std::span<const Point> points, std::span<const double> weights,
                             KdeParams params)
    : m_points(points), m_weights(weights), m_params(params) {
    const std::string operation = "kernel density";
    check_points_and_weights(operation, points, weights);
    if (!std::isfinite(params.bandwidth) || params.bandwidth <= 0) {
        throw InputError(operation + ": bandwidth must be > 0 metres, got " +
                         format_number(params.bandwidth));
    }
    const RasterGrid& grid = params.grid;
    if (!std::isfinite(grid.cell_size) || grid.cell_size <= 0) {
        throw InputError(operation + ": grid cell_size must be > 0, got " +
                         format_number(grid.cell_size));
    }
    if (grid.width <= 0 || grid.height <= 0) {
        throw InputError(operation + ": grid must have at least one cell, got " +
                         std::to_string(grid.width) + " x " + std::to_string(grid.height));
    }
    if (params.threads < 0) {
        throw InputError(operation + ": threads must be >= 0, got " +
                         std::to_string(params.threads));
    }
}

namespace {

struct WeightedPoint {
    double x;
    double y;
    double weight;
};

// Copies of the points, with their weights, in the order every cell sums them:
// by the grid row holding the point (north first), then input order. The order
// depends only on the input and the grid, never on the threads, so every
// cell's sum is bit-identical for any thread count. Sorted and contiguous, the
// points a band needs are read in sequence and the rows they touch stay in
// cache.
class RowBuckets {
public:
    RowBuckets(std::span<const Point> points, std::span<const double> weights,
               const RasterGrid& grid, int reach) {
        m_first_row = -reach;
        const int bucket_count = grid.height + 2 * reach;
        m_start.assign(static_cast<std::size_t>(bucket_count) + 1, 0);
        std::vector<int> bucket_of(points.size(), -1);
        for (std::size_t i = 0; i < points.size(); ++i) {
            const double row = std::floor((grid.max_y - points[i].y) / grid.cell_size);
            // Points farther than `reach` rows from the grid touch none of it.
            if (row >= m_first_row && row < m_first_row + bucket_count) {
                bucket_of[i] = static_cast<int>(row) - m_first_row;
                ++m_start[static_cast<std::size_t>(bucket_of[i]) + 1];
            }
        }
        for (std::size_t b = 1; b < m_start.size(); ++b) {
            m_start[b] += m_start[b - 1];
        }
        m_sorted.resize(m_start.back());
        std::vector<std::size_t> next(m_start.begin(), m_start.end() - 1);
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (bucket_of[i] >= 0) {
                m_sorted[next[static_cast<std::size_t>(bucket_of[i])]++] = {
                    points[i].x, points[i].y, weight_of(weights, i)};
            }
        }
    }

    /// The points whose row is in [first_row, last_row), in summing order.
    std::span<const WeightedPoint> rows(int first_row, int last_row) const {
        const int bucket_count = static_cast<int>(m_start.size()) - 1;
        const int from = std::clamp(first_row - m_first_row, 0, bucket_count);
        const int to = std::clamp(last_row - m_first_row, 0, bucket_count);
        return std::span(m_sorted).subspan(m_start[static_cast<std::size_t>(from)],
                                           m_start[static_cast<std::size_t>(to)] -
                                               m_start[static_cast<std::size_t>(from)]);
    }

private:
    int m_first_row = 0;
    std::vector<std::size_t> m_start;
    std::vector<WeightedPoint> m_sorted;
};

struct KernelSetup {
    double h;          // bandwidth
    double h2;         // bandwidth²
    double inverse_h2; // 1 / bandwidth²
    double scale;      // 3 / (π h²), the quartic kernel's normalising constant
};

// Adds the kernels of `points` (in that order) to the rows
// [first_row, last_row) of `density`.
//
// Per point and row the dy² term is fixed, so the loop over columns is a
// straight multiply-add the compiler vectorises: out += w·3/(πh²)·t² with
// t = max(0, 1 − (dx² + dy²)/h²), the max replacing the d < h test. It is
// written (t + |t|)/2, exactly the same number, because a compare would keep
// GCC from vectorising under -ftrapping-math. An AVX2 clone of the whole
// function is picked at load time where the CPU has it; the "avx2" target has
// no FMA, so every clone rounds identically.
__attribute__((target_clones("avx2", "default"))) void
add_kernels(std::span<const WeightedPoint> points, const KernelSetup& kernel,
            const RasterGrid& grid, const double* column_x, int first_row, int last_row,
            double* density) {
    // Locals, not members read through references: `density` is a double*
    // the compiler would otherwise have to assume could alias them.
    const double h = kernel.h;
    const double h2 = kernel.h2;
    const double inverse_h2 = kernel.inverse_h2;
    const double cell = grid.cell_size;
    const double inverse_cell = 1 / cell;
    const double min_x = grid.min_x;
    const double max_y = grid.max_y;
    const int width = grid.width;
    for (const WeightedPoint p : points) {
        const double weighted_scale = p.weight * kernel.scale;
        const double north = max_y - p.y; // the point's distance below the north edge
        const int row_lo =
            std::max(first_row, static_cast<int>(std::floor((north - h) * inverse_cell)));
        const int row_hi =
            std::min(last_row - 1, static_cast<int>(std::ceil((north + h) * inverse_cell)));
        for (int row = row_lo; row <= row_hi; ++row) {
            const double dy = max_y - (row + 0.5) * cell - p.y;
            const double dy2 = dy * dy;
            if (dy2 >= h2) {
                continue;
            }
            // One column of slack each side: the max(t, 0) is what decides.
            const double half_chord = std::sqrt(h2 - dy2);
            const int col_lo = std::max(
                0, static_cast<int>(std::floor((p.x - half_chord - min_x) * inverse_cell)) - 1);
            const int col_hi = std::min(
                width - 1,
                static_cast<int>(std::ceil((p.x + half_chord - min_x) * inverse_cell)) + 1);
            double* __restrict out = density + static_cast<std::size_t>(row) * width;
            for (int col = col_lo; col <= col_hi; ++col) {
                const double dx = column_x[col] - p.x;
                double t = 1.0 - (dx * dx + dy2) * inverse_h2;
                t = 0.5 * (t + std::fabs(t));
                out[col] += weighted_scale * (t * t);
            }
        }
    }
}

} // namespace

void KernelDensity::run() {
    const RasterGrid& grid = m_params.grid;
    const double h = m_params.bandwidth;
    const KernelSetup kernel{h, h * h, 1 / (h * h), 3 / (std::numbers::pi * h * h)};
    m_density.assign(static_cast<std::size_t>(grid.width) * grid.height, 0.0);

    std::vector<double> column_x(static_cast<std::size_t>(grid.width));
    for (int col = 0; col < grid.width; ++col) {
        column_x[static_cast<std::size_t>(col)] = grid.centre(col, 0).x;
    }

    // A point reaches at most `reach` rows either side of its own.
    const int reach = static_cast<int>(std::ceil(h / grid.cell_size)) + 1;
    const RowBuckets buckets(m_points, m_weights, grid, reach);

    // Bands of rows handed out in turn; each band is written by one thread
    // only, so no two threads ever add to the same cell.
    constexpr int band_rows = 32;
    const int band_count = (grid.height + band_rows - 1) / band_rows;
    std::atomic<int> next_band{0};
    auto work = [&] {
        for (int band = next_band++; band < band_count; band = next_band++) {
            const int first_row = band * band_rows;
            const int last_row = std::min(grid.height, first_row + band_rows);
            add_kernels(buckets.rows(first_row - reach, last_row + reach), kernel, grid,
                        column_x.data(), first_row, last_row, m_density.data());
        }
    };
    const int threads = std::min(thread_count(m_params.threads), std::max(1, band_count));
    std::vector<std::jthread> pool;
    for (int t = 1; t < threads; ++t) {
        pool.emplace_back(work);
    }
    work();
}

} // namespace waymark::geo
