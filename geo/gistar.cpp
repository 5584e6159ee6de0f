#include "geo/gistar.hpp"

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "geo/format.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <string>
#include <thread>

// Method note: docs/methods/gistar.md (formulas, the permutation scheme, the
// FDR bins and exactly what is taken from ArcGIS's Optimized Hot Spot
// Analysis).

namespace waymark::geo {
namespace {

constexpr int k_minimum_incidents = 30; // ArcGIS's minimum for Gi*

// ---------------------------------------------------------------------------
// Counter-based randomness: SplitMix64 seeded by a hash of (seed, key), so a
// location's stream depends on the seed and its index only.

std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Stream {
public:
    Stream(std::uint64_t seed, std::uint64_t key)
        : m_state(mix64(seed + 0x9e3779b97f4a7c15ULL) ^ mix64(key ^ 0x5851f42d4c957f2dULL)) {}

    std::uint64_t next() {
        m_state += 0x9e3779b97f4a7c15ULL;
        return mix64(m_state);
    }
    /// Uniform in [0, bound) by Lemire's multiply-shift (bias < bound / 2^64).
    std::uint64_t below(std::uint64_t bound) {
        __extension__ using wide = unsigned __int128;
        return static_cast<std::uint64_t>((static_cast<wide>(next()) * bound) >> 64);
    }

private:
    std::uint64_t m_state;
};

constexpr std::uint64_t k_matrix_key = 0;
std::uint64_t location_key(std::size_t i) {
    return 1 + static_cast<std::uint64_t>(i);
}

// ---------------------------------------------------------------------------
// A bucket grid over the points: never an O(n²) neighbour search. Buckets are
// at least `min_bucket` wide, and wide enough that there are at most about 4n
// of them whatever the spread of the points.

class BucketIndex {
public:
    BucketIndex(std::span<const Point> points, double min_bucket) : m_points(points) {
        double max_x = -std::numeric_limits<double>::infinity();
        double max_y = max_x;
        m_min_x = std::numeric_limits<double>::infinity();
        m_min_y = m_min_x;
        for (const Point& p : points) {
            m_min_x = std::min(m_min_x, p.x);
            m_min_y = std::min(m_min_y, p.y);
            max_x = std::max(max_x, p.x);
            max_y = std::max(max_y, p.y);
        }
        const double across = 2 * std::sqrt(static_cast<double>(points.size())) + 1;
        m_size = std::max({min_bucket, (max_x - m_min_x) / across, (max_y - m_min_y) / across});
        if (!(m_size > 0)) {
            m_size = 1;
        }
        m_nx = static_cast<std::int64_t>((max_x - m_min_x) / m_size) + 1;
        m_ny = static_cast<std::int64_t>((max_y - m_min_y) / m_size) + 1;
        std::vector<std::int64_t> bucket_of(points.size());
        m_start.assign(static_cast<std::size_t>(m_nx * m_ny + 1), 0);
        for (std::size_t i = 0; i < points.size(); ++i) {
            bucket_of[i] = bucket(points[i]);
            ++m_start[static_cast<std::size_t>(bucket_of[i]) + 1];
        }
        std::partial_sum(m_start.begin(), m_start.end(), m_start.begin());
        m_items.resize(points.size());
        std::vector<std::int64_t> fill(m_start.begin(), m_start.end() - 1);
        for (std::size_t i = 0; i < points.size(); ++i) {
            m_items[static_cast<std::size_t>(fill[static_cast<std::size_t>(bucket_of[i])]++)] =
                static_cast<std::int32_t>(i);
        }
    }

    double bucket_size() const { return m_size; }

    /// Calls visit(j) for every point in the buckets at Chebyshev distance
    /// exactly `ring` from p's bucket.
    template <typename F>
    void visit_ring(Point p, std::int64_t ring, F&& visit) const {
        const std::int64_t bx = column(p);
        const std::int64_t by = row(p);
        for (std::int64_t y = by - ring; y <= by + ring; ++y) {
            if (y < 0 || y >= m_ny) {
                continue;
            }
            const bool edge_row = (y == by - ring || y == by + ring);
            const std::int64_t step = edge_row || ring == 0 ? 1 : 2 * ring;
            for (std::int64_t x = bx - ring; x <= bx + ring; x += step) {
                if (x < 0 || x >= m_nx) {
                    continue;
                }
                const auto b = static_cast<std::size_t>(y * m_nx + x);
                for (auto k = m_start[b]; k < m_start[b + 1]; ++k) {
                    visit(m_items[static_cast<std::size_t>(k)]);
                }
            }
        }
    }

    /// Calls visit(j) for every point within `reach` buckets of p's bucket.
    template <typename F>
    void visit_near(Point p, std::int64_t reach, F&& visit) const {
        const std::int64_t bx = column(p);
        const std::int64_t by = row(p);
        for (std::int64_t y = std::max<std::int64_t>(0, by - reach);
             y <= std::min(m_ny - 1, by + reach); ++y) {
            const std::int64_t x0 = std::max<std::int64_t>(0, bx - reach);
            const std::int64_t x1 = std::min(m_nx - 1, bx + reach);
            const auto from = m_start[static_cast<std::size_t>(y * m_nx + x0)];
            const auto to = m_start[static_cast<std::size_t>(y * m_nx + x1 + 1)];
            for (auto k = from; k < to; ++k) {
                visit(m_items[static_cast<std::size_t>(k)]);
            }
        }
    }

    std::int64_t max_ring() const { return std::max(m_nx, m_ny); }

private:
    std::int64_t column(Point p) const {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>((p.x - m_min_x) / m_size), 0,
                                        m_nx - 1);
    }
    std::int64_t row(Point p) const {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>((p.y - m_min_y) / m_size), 0,
                                        m_ny - 1);
    }
    std::int64_t bucket(Point p) const { return row(p) * m_nx + column(p); }

    std::span<const Point> m_points;
    double m_min_x = 0;
    double m_min_y = 0;
    double m_size = 1;
    std::int64_t m_nx = 1;
    std::int64_t m_ny = 1;
    std::vector<std::int64_t> m_start;
    std::vector<std::int32_t> m_items;
};

/// dnearneigh's test, bit for bit: hypot(dx, dy) <= band. The squared
/// distance decides all but the pairs within a relative 1e-9 of the band
/// (far wider than the rounding of either), which hypot then settles.
class BandTest {
public:
    explicit BandTest(double band)
        : m_band(band), m_low(band * band * (1 - 1e-9)), m_high(band * band * (1 + 1e-9)) {}
    bool operator()(Point a, Point b) const {
        const double dx = a.x - b.x;
        const double dy = a.y - b.y;
        const double d2 = dx * dx + dy * dy;
        if (d2 < m_low) {
            return true;
        }
        if (d2 > m_high) {
            return false;
        }
        return std::hypot(dx, dy) <= m_band;
    }

private:
    double m_band;
    double m_low;
    double m_high;
};

/// Neighbour lists in compressed rows: location i's neighbours are
/// index[offset[i] .. offset[i + 1]), ascending.
struct Neighbours {
    std::vector<std::int64_t> offset;
    std::vector<std::int32_t> index;
    int size(std::size_t i) const { return static_cast<int>(offset[i + 1] - offset[i]); }
};

Neighbours distance_band_neighbours(std::span<const Point> points, double band, bool self,
                                    int threads) {
    const BucketIndex grid(points, band);
    const BandTest within(band);
    const std::size_t n = points.size();
    auto for_neighbours = [&](std::size_t i, auto&& visit) {
        grid.visit_near(points[i], 1, [&](std::int32_t j) {
            if ((static_cast<std::size_t>(j) != i || self) && within(points[i], points[j])) {
                visit(j);
            }
        });
    };
    Neighbours result;
    std::vector<std::int64_t> count(n, 0);
    parallel_chunks(threads, n, 4096, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            for_neighbours(i, [&](std::int32_t) { ++count[i]; });
        }
    });
    result.offset.assign(n + 1, 0);
    std::partial_sum(count.begin(), count.end(), result.offset.begin() + 1);
    result.index.resize(static_cast<std::size_t>(result.offset[n]));
    parallel_chunks(threads, n, 4096, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            auto* out = result.index.data() + result.offset[i];
            auto* first = out;
            for_neighbours(i, [&](std::int32_t j) { *out++ = j; });
            std::sort(first, out);
        }
    });
    return result;
}

/// Distance from each point to its k-th nearest other point, by searching
/// rings of buckets outwards until no closer point can remain.
std::vector<double> kth_neighbour_distances(std::span<const Point> points, std::size_t k,
                                            int threads) {
    const std::size_t n = points.size();
    std::vector<double> result(n, 0);
    if (n <= k) {
        return result;
    }
    const BucketIndex grid(points, 0);
    parallel_chunks(threads, n, 1024, [&](std::size_t begin, std::size_t end) {
        std::vector<double> best; // max-heap of the k smallest squared distances
        for (std::size_t i = begin; i < end; ++i) {
            best.clear();
            const Point p = points[i];
            for (std::int64_t ring = 0; ring <= grid.max_ring(); ++ring) {
                grid.visit_ring(p, ring, [&](std::int32_t j) {
                    if (static_cast<std::size_t>(j) == i) {
                        return;
                    }
                    const double dx = p.x - points[j].x;
                    const double dy = p.y - points[j].y;
                    const double d2 = dx * dx + dy * dy;
                    if (best.size() < k) {
                        best.push_back(d2);
                        std::push_heap(best.begin(), best.end());
                    } else if (d2 < best.front()) {
                        std::pop_heap(best.begin(), best.end());
                        best.back() = d2;
                        std::push_heap(best.begin(), best.end());
                    }
                });
                // Everything in the next ring is at least ring * size away.
                const double reach = static_cast<double>(ring) * grid.bucket_size();
                if (best.size() == k && best.front() <= reach * reach) {
                    break;
                }
            }
            result[i] = std::sqrt(best.front());
        }
    });
    return result;
}

// ---------------------------------------------------------------------------
// Small statistics.

double mean_of(std::span<const double> values) {
    double sum = 0;
    for (double v : values) {
        sum += v;
    }
    return sum / static_cast<double>(values.size());
}

/// Population variance (divisor n), two-pass.
double variance_of(std::span<const double> values) {
    const double mean = mean_of(values);
    double sum = 0;
    for (double v : values) {
        sum += (v - mean) * (v - mean);
    }
    return sum / static_cast<double>(values.size());
}

double median_of(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/// ArcGIS's standard distance: sqrt(var(x) + var(y)), population variances.
double standard_distance(std::span<const Point> points) {
    std::vector<double> xs;
    std::vector<double> ys;
    xs.reserve(points.size());
    ys.reserve(points.size());
    for (const Point& p : points) {
        xs.push_back(p.x);
        ys.push_back(p.y);
    }
    return std::sqrt(variance_of(xs) + variance_of(ys));
}

struct Extent {
    double width = 0;
    double height = 0;
    double longest() const { return std::max(width, height); }
};

Extent extent_of(std::span<const Point> points) {
    double min_x = std::numeric_limits<double>::infinity();
    double min_y = min_x;
    double max_x = -min_x;
    double max_y = -min_x;
    for (const Point& p : points) {
        min_x = std::min(min_x, p.x);
        min_y = std::min(min_y, p.y);
        max_x = std::max(max_x, p.x);
        max_y = std::max(max_y, p.y);
    }
    return {max_x - min_x, max_y - min_y};
}

std::vector<Point> unique_locations(std::span<const Point> points) {
    std::vector<Point> unique(points.begin(), points.end());
    auto less = [](const Point& a, const Point& b) {
        return a.x < b.x || (a.x == b.x && a.y < b.y);
    };
    auto same = [](const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; };
    std::sort(unique.begin(), unique.end(), less);
    unique.erase(std::unique(unique.begin(), unique.end(), same), unique.end());
    return unique;
}

/// Nearest-neighbour distances with ArcGIS's locational outliers (3 standard
/// deviations above the mean) removed.
struct NearestNeighbourInfo {
    std::vector<double> kept;
    double mean = 0;
    double spread = 0; ///< standard deviation of all distances
};

NearestNeighbourInfo nearest_neighbour_info(std::span<const Point> unique, int threads) {
    NearestNeighbourInfo info;
    const std::vector<double> distances = kth_neighbour_distances(unique, 1, threads);
    const double mean = mean_of(distances);
    info.spread = std::sqrt(variance_of(distances));
    for (double d : distances) {
        if (info.spread == 0 || (d - mean) / info.spread < 3) {
            info.kept.push_back(d);
        }
    }
    info.mean = mean_of(info.kept);
    return info;
}

void check_points(std::span<const Point> points, const char* what) {
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!std::isfinite(points[i].x) || !std::isfinite(points[i].y)) {
            throw InputError(std::string(what) + " " + std::to_string(i) +
                             " has a coordinate that is not a finite number");
        }
    }
}

void check_values(std::span<const double> values, const char* what) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            throw InputError(std::string(what) + " " + std::to_string(i) +
                             " is not a finite number");
        }
    }
}

double two_sided_normal_p(double z) {
    return std::erfc(std::abs(z) / std::numbers::sqrt2);
}

} // namespace

// ---------------------------------------------------------------------------
// Gi*

GiStar::GiStar(std::span<const Point> locations, std::span<const double> values,
               GiStarParams params)
    : m_locations(locations), m_values(values), m_params(params) {
    if (locations.size() != values.size()) {
        throw InputError("GiStar: " + std::to_string(locations.size()) + " locations but " +
                         std::to_string(values.size()) + " values");
    }
    if (!(params.distance_band > 0) || !std::isfinite(params.distance_band)) {
        throw InputError("GiStar: distance_band must be a finite number > 0 metres; got " +
                         format_number(params.distance_band));
    }
    if (params.permutations < 0) {
        throw InputError("GiStar: permutations must be >= 0; got " +
                         std::to_string(params.permutations));
    }
    if (params.threads < 0) {
        throw InputError("GiStar: threads must be >= 0; got " + std::to_string(params.threads));
    }
    if (locations.size() < 2) {
        throw InputError("GiStar: needs at least 2 locations; got " +
                         std::to_string(locations.size()));
    }
    check_points(locations, "GiStar: location");
    check_values(values, "GiStar: value");
    if (!(variance_of(values) > 0)) {
        throw InputError("GiStar: all " + std::to_string(values.size()) + " values are " +
                         format_number(values[0]) + " (no variance); Gi* is undefined");
    }
}

namespace {

/// The parts of Gi* that do not depend on the location.
struct GiMoments {
    double n = 0;
    double mean = 0;
    double s2 = 0; ///< sum of squared deviations / n, as spdep
};

/// Gi* for a location with k neighbours (itself included) summing to `sum`:
/// spdep::localG with include.self() and binary weights, where Wi = S1i = k:
///   z = (sum - k mean) / sqrt(s2 (n k - k²) / (n - 1)).
double gi_z(const GiMoments& m, double sum, double k) {
    const double variance = m.s2 * (m.n * k - k * k) / (m.n - 1);
    if (!(variance > 0)) {
        return 0; // every location is a neighbour: no contrast (spdep: NaN)
    }
    return (sum - k * m.mean) / std::sqrt(variance);
}

/// One pre-drawn matrix of `rows` permutation draws, each the first `width`
/// entries of a uniformly random ordering of 0 .. pool-1 (a partial
/// Fisher-Yates shuffle of a pool that stays a permutation throughout, so
/// every row is uniform whatever rows came before).
std::vector<std::int32_t> permutation_matrix(std::size_t rows, std::size_t width, std::size_t pool,
                                             std::uint64_t seed) {
    std::vector<std::int32_t> matrix(rows * width);
    std::vector<std::int32_t> order(pool);
    std::iota(order.begin(), order.end(), 0);
    Stream random(seed, k_matrix_key);
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t j = 0; j < width; ++j) {
            const std::size_t pick = j + random.below(pool - j);
            std::swap(order[j], order[pick]);
            matrix[r * width + j] = order[j];
        }
    }
    return matrix;
}

/// Whether float sums of up to `k` values are exact: integer values whose
/// sums stay below 2^24.
bool sums_are_exact(std::span<const double> values, double max_abs, int k) {
    if (max_abs * k >= 16777216.0) {
        return false;
    }
    return std::all_of(values.begin(), values.end(), [](double v) { return v == std::trunc(v); });
}

} // namespace

void GiStar::run() {
    const std::size_t n = m_values.size();
    const int threads = thread_count(m_params.threads);
    const Neighbours neighbours =
        distance_band_neighbours(m_locations, m_params.distance_band, true, threads);

    GiMoments moments;
    moments.n = static_cast<double>(n);
    moments.mean = mean_of(m_values);
    moments.s2 = variance_of(m_values);

    m_results.assign(n, {});
    std::vector<double> lag_sum(n);
    for (std::size_t i = 0; i < n; ++i) {
        double sum = 0;
        for (auto k = neighbours.offset[i]; k < neighbours.offset[i + 1]; ++k) {
            sum +=
                m_values[static_cast<std::size_t>(neighbours.index[static_cast<std::size_t>(k)])];
        }
        lag_sum[i] = sum;
        GiStarResult& r = m_results[i];
        r.neighbours = neighbours.size(i);
        r.z = gi_z(moments, sum, r.neighbours);
        r.p_normal = two_sided_normal_p(r.z);
    }

    if (m_params.permutations > 0) {
        run_permutations(neighbours.offset, lag_sum, moments.mean, threads);
    }

    std::vector<double> p(n);
    std::vector<double> z(n);
    for (std::size_t i = 0; i < n; ++i) {
        p[i] = m_params.permutations > 0 ? m_results[i].p_sim : m_results[i].p_normal;
        z[i] = m_results[i].z;
    }
    const std::vector<int> bins = confidence_bins(p, z, m_params.fdr);
    for (std::size_t i = 0; i < n; ++i) {
        m_results[i].bin = bins[i];
    }
}

// Conditional permutation (Anselin 1995), the esda way: one matrix of random
// draws made once and shared by every location. Location i keeps x_i and
// takes its k_i - 1 other "neighbours" from the first k_i - 1 entries of a
// row; a row holds distinct indices into the other n - 1 locations (index r
// means location r for r < i and r + 1 otherwise). Each location starts at
// its own row, drawn from its own stream of (seed, i), and walks the rows
// cyclically, so no two neighbouring locations reuse the same draws in step.
// Gi* is an increasing affine function of the neighbourhood sum (mean, s2
// and k_i are fixed under permutation), so the sums are compared directly.
void GiStar::run_permutations(const std::vector<std::int64_t>& offset,
                              const std::vector<double>& lag_sum, double mean, int threads) {
    const std::size_t n = m_values.size();
    const auto permutations = static_cast<std::size_t>(m_params.permutations);
    int largest = 1;
    double max_abs = 0;
    for (std::size_t i = 0; i < n; ++i) {
        largest = std::max(largest, static_cast<int>(offset[i + 1] - offset[i]));
        max_abs = std::max(max_abs, std::abs(m_values[i]));
    }
    const auto width = static_cast<std::size_t>(largest - 1);
    if (static_cast<double>(width) * static_cast<double>(permutations) > 268435456.0) {
        throw InputError("GiStar: " + std::to_string(permutations) + " permutations of up to " +
                         std::to_string(largest) +
                         " neighbours need more than 1 GiB of draws; use a smaller "
                         "distance_band or fewer permutations");
    }
    const std::vector<std::int32_t> matrix =
        permutation_matrix(permutations, width, n - 1, m_params.seed);
    // Values as floats in one compact array: the random gathers stay in cache.
    std::vector<float> values(m_values.begin(), m_values.end());
    const bool exact = sums_are_exact(m_values, max_abs, largest);

    parallel_chunks(threads, n, 512, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            const auto k = static_cast<std::size_t>(offset[i + 1] - offset[i]);
            const double expected = static_cast<double>(k) * mean;
            const double observed = lag_sum[i];
            // Two-sided: a draw counts when its sum is at least as far from
            // the expectation as the observed sum, on either side. The margin
            // absorbs float rounding (none at all for exact integer sums).
            const double margin =
                (exact ? 0.0 : static_cast<double>(k * k) * FLT_EPSILON * max_abs) +
                1e-9 * (std::abs(observed) + std::abs(expected));
            const double far = std::abs(observed - expected);
            const double high = expected + far;
            const double low = expected - far;
            const double at_least = (observed >= expected ? observed : 2 * expected - observed);
            const double at_most = (observed >= expected ? 2 * expected - observed : observed);
            const double upper = std::min(high, at_least) - margin;
            const double lower = std::max(low, at_most) + margin;

            const float own = values[i];
            const auto self = static_cast<std::int32_t>(i);
            Stream random(m_params.seed, location_key(i));
            std::size_t row = random.below(permutations);
            std::size_t extreme = 0;
            const std::size_t draws = k - 1;
            for (std::size_t p = 0; p < permutations; ++p) {
                const std::int32_t* draw = matrix.data() + row * width;
                float s0 = own;
                float s1 = 0;
                std::size_t j = 0;
                for (; j + 1 < draws; j += 2) {
                    const std::int32_t a = draw[j] + (draw[j] >= self ? 1 : 0);
                    const std::int32_t b = draw[j + 1] + (draw[j + 1] >= self ? 1 : 0);
                    s0 += values[static_cast<std::size_t>(a)];
                    s1 += values[static_cast<std::size_t>(b)];
                }
                if (j < draws) {
                    const std::int32_t a = draw[j] + (draw[j] >= self ? 1 : 0);
                    s0 += values[static_cast<std::size_t>(a)];
                }
                const double sum = static_cast<double>(s0) + static_cast<double>(s1);
                extreme += (sum >= upper || sum <= lower) ? 1 : 0;
                row = row + 1 == permutations ? 0 : row + 1;
            }
            m_results[i].p_sim =
                static_cast<double>(extreme + 1) / static_cast<double>(permutations + 1);
        }
    });
}

std::vector<int> confidence_bins(std::span<const double> p_values, std::span<const double> z,
                                 bool fdr) {
    if (p_values.size() != z.size()) {
        throw InputError("confidence_bins: " + std::to_string(p_values.size()) + " p-values but " +
                         std::to_string(z.size()) + " z-scores");
    }
    const std::size_t m = p_values.size();
    // 90, 95, 99 % confidence: bins 1, 2, 3.
    constexpr double alpha[3] = {0.10, 0.05, 0.01};
    double threshold[3] = {alpha[0], alpha[1], alpha[2]};
    if (fdr) {
        // Benjamini-Hochberg: with p sorted ascending, the largest rank r with
        // p_(r) <= r / m * alpha; every p <= p_(r) is significant.
        std::vector<double> sorted(p_values.begin(), p_values.end());
        std::sort(sorted.begin(), sorted.end());
        for (int level = 0; level < 3; ++level) {
            threshold[level] = -1; // nothing significant
            for (std::size_t r = m; r >= 1; --r) {
                if (sorted[r - 1] <=
                    static_cast<double>(r) / static_cast<double>(m) * alpha[level]) {
                    threshold[level] = sorted[r - 1];
                    break;
                }
            }
        }
    }
    std::vector<int> bins(m, 0);
    for (std::size_t i = 0; i < m; ++i) {
        int level = 0;
        for (int l = 0; l < 3; ++l) {
            if (p_values[i] <= threshold[l]) {
                level = l + 1;
            }
        }
        bins[i] = z[i] > 0 ? level : (z[i] < 0 ? -level : 0);
    }
    return bins;
}

// ---------------------------------------------------------------------------
// Moran's I, one or several distance bands from one neighbour search.

std::vector<MoranResult> incremental_morans_i(std::span<const Point> locations,
                                              std::span<const double> values,
                                              std::span<const double> distance_bands) {
    if (locations.size() != values.size()) {
        throw InputError("morans_i: " + std::to_string(locations.size()) + " locations but " +
                         std::to_string(values.size()) + " values");
    }
    if (distance_bands.empty() || !std::is_sorted(distance_bands.begin(), distance_bands.end()) ||
        !(distance_bands.front() > 0) || !std::isfinite(distance_bands.back())) {
        throw InputError("morans_i: distance bands must be finite, > 0 and ascending");
    }
    if (distance_bands.size() > 255) {
        throw InputError("morans_i: at most 255 distance bands; got " +
                         std::to_string(distance_bands.size()));
    }
    check_points(locations, "morans_i: location");
    check_values(values, "morans_i: value");
    const std::size_t n = locations.size();
    const std::size_t bands = distance_bands.size();
    const Neighbours neighbours =
        distance_band_neighbours(locations, distance_bands.back(), false, 0);

    // For each pair, the first band that holds it; then per location the
    // neighbour count of each band (cumulative).
    std::vector<std::uint8_t> first_band(neighbours.index.size());
    std::vector<double> count(n * bands, 0);
    std::vector<BandTest> tests;
    for (double band : distance_bands) {
        tests.emplace_back(band);
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (auto k = neighbours.offset[i]; k < neighbours.offset[i + 1]; ++k) {
            const auto j = static_cast<std::size_t>(neighbours.index[static_cast<std::size_t>(k)]);
            std::size_t b = 0;
            while (!tests[b](locations[i], locations[j])) {
                ++b;
            }
            first_band[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(b);
            count[i * bands + b] += 1;
        }
        for (std::size_t b = 1; b < bands; ++b) {
            count[i * bands + b] += count[i * bands + b - 1];
        }
    }

    std::vector<MoranResult> results(bands);
    for (std::size_t b = 0; b < bands; ++b) {
        // Locations without a neighbour at this band are left out entirely.
        double used = 0;
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (count[i * bands + b] > 0) {
                used += 1;
                total += values[i];
            }
        }
        MoranResult& r = results[b];
        r.distance_band = distance_bands[b];
        r.locations = static_cast<int>(used);
        if (used < 4) {
            r.i = r.expected = r.variance = r.z = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        const double mean = total / used;
        double numerator = 0;
        double m2 = 0;
        double m4 = 0;
        double s1 = 0;
        double s2 = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double ki = count[i * bands + b];
            if (ki == 0) {
                continue;
            }
            const double dev = values[i] - mean;
            m2 += dev * dev;
            m4 += dev * dev * dev * dev;
            double lag = 0;
            double column = 0;
            for (auto k = neighbours.offset[i]; k < neighbours.offset[i + 1]; ++k) {
                if (first_band[static_cast<std::size_t>(k)] > b) {
                    continue;
                }
                const auto j =
                    static_cast<std::size_t>(neighbours.index[static_cast<std::size_t>(k)]);
                const double kj = count[j * bands + b];
                lag += values[j] - mean;
                column += 1 / kj;
                s1 += (1 / ki + 1 / kj) * (1 / ki + 1 / kj);
            }
            numerator += dev * lag / ki;
            s2 += (1 + column) * (1 + column);
        }
        s1 /= 2;
        // Row-standardised weights: S0 = n. Cliff and Ord's moments under
        // randomisation, as spdep::moran.test and ArcGIS compute them.
        const double nn = used;
        const double s0 = nn;
        r.i = (nn / s0) * numerator / m2;
        r.expected = -1 / (nn - 1);
        const double kurtosis = (m4 / nn) / ((m2 / nn) * (m2 / nn));
        const double left = nn * ((nn * nn - 3 * nn + 3) * s1 - nn * s2 + 3 * s0 * s0);
        const double right = kurtosis * ((nn * nn - nn) * s1 - 2 * nn * s2 + 6 * s0 * s0);
        const double expected_square = (left - right) / ((nn - 1) * (nn - 2) * (nn - 3) * s0 * s0);
        r.variance = expected_square - r.expected * r.expected;
        r.z = r.variance > 0 ? (r.i - r.expected) / std::sqrt(r.variance)
                             : std::numeric_limits<double>::quiet_NaN();
    }
    return results;
}

MoranResult morans_i(std::span<const Point> locations, std::span<const double> values,
                     double distance_band) {
    const double band[1] = {distance_band};
    return incremental_morans_i(locations, values, band).front();
}

// ---------------------------------------------------------------------------
// The scale of analysis, after ArcGIS's Optimized Hot Spot Analysis.

namespace {

constexpr const char* k_cell_size_rule =
    "twice the larger of the mean and the median nearest-neighbour distance between incident "
    "locations (locational outliers beyond 3 standard deviations left out), kept between the "
    "shorter side of the extent / 250 and the longer side / 10";
constexpr const char* k_band_peak_rule =
    "the first peak (z > 1.65) of Global Moran's I z-score over 10 increasing distance bands "
    "(Incremental Spatial Autocorrelation)";
constexpr const char* k_band_knn_rule =
    "no peak of Global Moran's I z-score: the mean distance to the k-th nearest cell, k = 5 % of "
    "the cells between 3 and 30";
constexpr const char* k_band_standard_distance_rule =
    "no peak of Global Moran's I z-score: the standard distance of the cells (smaller than the "
    "mean distance to the k-th nearest cell)";
constexpr const char* k_band_minimum_rule =
    "raised to ArcGIS's minimum of 0.1 % of the longer side of the extent";

/// ArcGIS's peak rule: index c is a peak when the z-score has risen at some
/// earlier step, falls at the next one, and exceeds 1.65.
int first_peak(const std::vector<double>& z) {
    bool gone_up = false;
    for (std::size_t c = 0; c + 1 < z.size(); ++c) {
        const double step = z[c + 1] - z[c];
        if (step > 0) {
            gone_up = true;
        }
        if (step < 0 && gone_up && z[c] > 1.65) {
            return static_cast<int>(c);
        }
    }
    return -1;
}

std::vector<double> incremental_cutoffs(std::span<const Point> unique, double cell_size) {
    const NearestNeighbourInfo nn = nearest_neighbour_info(unique, 0);
    double start = *std::max_element(nn.kept.begin(), nn.kept.end());
    const double step = nn.mean;
    constexpr int increments = 10;
    std::vector<double> cutoffs(increments);
    for (int c = 0; c < increments; ++c) {
        cutoffs[static_cast<std::size_t>(c)] = start + c * step;
    }
    const double largest = standard_distance(unique);
    if (cutoffs.back() > largest) {
        if (start > largest) {
            start = 0.2 * largest;
        }
        const double spread = (largest - start) / increments;
        for (int c = 0; c < increments; ++c) {
            cutoffs[static_cast<std::size_t>(c)] = start + c * spread;
        }
    }
    // Centres of a lattice sit at exactly the band's distances: ArcGIS then
    // widens every cutoff by 0.001 (map units, here metres) so that rounding
    // cannot split a ring of equidistant neighbours.
    if (nn.spread <= 1e-9 * cell_size) {
        for (double& cutoff : cutoffs) {
            cutoff += 0.001;
        }
    }
    return cutoffs;
}

} // namespace

double optimized_cell_size(std::span<const Point> incidents) {
    if (incidents.size() < static_cast<std::size_t>(k_minimum_incidents)) {
        throw InputError("Gi* needs at least " + std::to_string(k_minimum_incidents) +
                         " incidents; got " + std::to_string(incidents.size()));
    }
    check_points(incidents, "optimized_cell_size: incident");
    const std::vector<Point> unique = unique_locations(incidents);
    if (unique.size() < 2) {
        throw InputError("Gi* needs incidents at more than one location; all " +
                         std::to_string(incidents.size()) + " are at (" +
                         format_number(unique[0].x) + ", " + format_number(unique[0].y) + ")");
    }
    const NearestNeighbourInfo nn = nearest_neighbour_info(unique, 0);
    double size = 2 * std::max(median_of(nn.kept), nn.mean);
    const Extent extent = extent_of(incidents);
    const double shorter = std::min(extent.width, extent.height);
    const double smallest = (shorter > 0 ? shorter : extent.longest()) / 250;
    const double largest = extent.longest() / 10;
    size = std::min(std::max(size, smallest), largest);
    return size;
}

HotspotScale optimized_distance_band(std::span<const Point> centres, std::span<const double> values,
                                     double cell_size) {
    if (centres.size() != values.size()) {
        throw InputError("optimized_distance_band: " + std::to_string(centres.size()) +
                         " centres but " + std::to_string(values.size()) + " values");
    }
    if (!(cell_size > 0) || !std::isfinite(cell_size)) {
        throw InputError("optimized_distance_band: cell_size must be a finite number > 0 metres; "
                         "got " +
                         format_number(cell_size));
    }
    if (centres.size() < static_cast<std::size_t>(k_minimum_incidents)) {
        throw InputError("Gi* needs at least " + std::to_string(k_minimum_incidents) +
                         " cells; got " + std::to_string(centres.size()));
    }
    check_points(centres, "optimized_distance_band: centre");
    check_values(values, "optimized_distance_band: value");
    if (!(variance_of(values) > 1e-12)) {
        throw InputError("Gi* needs cell values that differ; all " + std::to_string(values.size()) +
                         " cells hold " + format_number(values[0]) + " (no variance)");
    }

    HotspotScale scale;
    scale.cell_size = cell_size;
    scale.cell_size_rule = k_cell_size_rule;
    const std::vector<Point> unique = unique_locations(centres);
    const std::vector<double> cutoffs = incremental_cutoffs(unique, cell_size);
    const std::vector<MoranResult> moran = incremental_morans_i(centres, values, cutoffs);
    std::vector<double> z;
    for (const MoranResult& m : moran) {
        z.push_back(m.z);
    }
    const int peak = first_peak(z);
    if (peak >= 0) {
        scale.distance_band = cutoffs[static_cast<std::size_t>(peak)];
        scale.band_rule = k_band_peak_rule;
    } else {
        const auto n = static_cast<int>(centres.size());
        const int k = std::min(std::clamp(n / 20, 3, 30), n - 1);
        const std::vector<double> kth =
            kth_neighbour_distances(centres, static_cast<std::size_t>(k), 0);
        const double mean = mean_of(kth);
        const double standard = standard_distance(centres);
        scale.distance_band = std::min(mean, standard);
        scale.band_rule = mean > standard ? k_band_standard_distance_rule : k_band_knn_rule;
    }
    const double minimum = extent_of(centres).longest() * 0.001;
    if (scale.distance_band < minimum) {
        scale.distance_band = minimum;
        scale.band_rule = k_band_minimum_rule;
    }
    return scale;
}

} // namespace waymark::geo
