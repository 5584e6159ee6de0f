#pragma once

// Kernel density estimation with the quartic (biweight) kernel, as ArcGIS's
// Kernel Density tool (Silverman 1986, eq. 4.5) computes it:
//   density(x) = 1/h² · Σ_i w_i · 3/π · (1 − (d_i/h)²)²   for d_i < h,
// evaluated at each cell centre, in weight per square unit (metre).

#include "geo/point.hpp"
#include "geo/raster.hpp"

#include <span>
#include <vector>

namespace waymark::geo {

/// ArcGIS's default search radius: 0.9 · min(SD, √(1/ln 2) · Dm) · n^-0.2,
/// with SD the weighted standard distance, Dm the weighted median distance
/// from the weighted mean centre and n the summed weight (see
/// docs/methods/kde.md).
double default_bandwidth(std::span<const Point> points, std::span<const double> weights);

struct KdeParams {
    double bandwidth = 0; ///< h, metres (> 0)
    RasterGrid grid;
    int threads = 0; ///< 0: hardware concurrency; results never depend on it
};

class KernelDensity {
public:
    /// `weights` empty (all 1) or one non-negative weight per point.
    KernelDensity(std::span<const Point> points, std::span<const double> weights, KdeParams params);

    void run();

    /// Density per square metre at each cell centre, row-major, north row first.
    const std::vector<double>& density() const { return m_density; }

private:
    std::span<const Point> m_points;
    std::span<const double> m_weights;
    KdeParams m_params;
    std::vector<double> m_density;
};

} // namespace waymark::geo
