#pragma once

// The Getis-Ord Gi* local statistic (Getis and Ord 1992; Ord and Getis 1995)
// on values at fixed locations (grid-cell centres), with binary distance-band
// weights that include the location itself, as R spdep::localG computes it
// with include.self(). Each location also gets a conditional permutation
// pseudo p-value and a confidence bin corrected for multiple testing with
// Benjamini-Hochberg's false discovery rate, as ArcGIS's Hot Spot Analysis
// reports (Gi_Bin: ±3, ±2, ±1 for 99, 95, 90 % confidence; 0 not significant).

#include "geo/point.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace waymark::geo {

struct GiStarParams {
    double distance_band = 0; ///< neighbours within this distance (inclusive), metres (> 0)
    int permutations = 999;   ///< 0: analytic p-values only
    std::uint64_t seed = 1;   ///< permutations are reproducible from it
    bool fdr = true;          ///< Benjamini-Hochberg correction of the bins
    int threads = 0;          ///< 0: hardware concurrency; results never depend on it
};

struct GiStarResult {
    double z = 0;        ///< Gi* as a z-score (spdep::localG's value)
    double p_normal = 1; ///< two-sided p-value of z under the normal approximation
    double p_sim = 1;    ///< conditional permutation pseudo p-value (1 if no permutations)
    int neighbours = 0;  ///< locations within the band, itself included
    int bin = 0;         ///< -3..3 after the FDR correction (see gistar.cpp)
};

class GiStar {
public:
    /// One value per location. Throws InputError for bad parameters or sizes.
    GiStar(std::span<const Point> locations, std::span<const double> values, GiStarParams params);

    void run();

    const std::vector<GiStarResult>& results() const { return m_results; }

private:
    void run_permutations(const std::vector<std::int64_t>& offset,
                          const std::vector<double>& lag_sum, double mean, int threads);

    std::span<const Point> m_locations;
    std::span<const double> m_values;
    GiStarParams m_params;
    std::vector<GiStarResult> m_results;
};

/// Benjamini-Hochberg confidence bins: for each level (90, 95, 99 %) the
/// p-values significant under BH at that level; a bin is the highest level
/// reached, signed by `z`. Without `fdr`, plain thresholds.
std::vector<int> confidence_bins(std::span<const double> p_values, std::span<const double> z,
                                 bool fdr);

/// The scale of analysis chosen as ArcGIS's Optimized Hot Spot Analysis does
/// for incident points (see docs/methods/gistar.md for exactly what is
/// implemented and where it differs).
struct HotspotScale {
    double cell_size = 0;
    double distance_band = 0;
    const char* cell_size_rule = ""; ///< a short English sentence saying how it was chosen
    const char* band_rule = "";
};

/// The grid cell size for aggregating `incidents`. Throws InputError when
/// there are fewer than 30 incidents (ArcGIS's minimum; the engine calls this
/// even when the cell size is given, so the minimum always applies) or when
/// they all sit at one location.
double optimized_cell_size(std::span<const Point> incidents);
/// The distance band for Gi* over cell `centres` holding `values`. Throws
/// InputError for fewer than 30 cells or when all values are equal.
HotspotScale optimized_distance_band(std::span<const Point> centres, std::span<const double> values,
                                     double cell_size);

/// Global Moran's I with binary distance-band weights (neighbours within
/// `distance_band`, inclusive, itself excluded), row-standardised, and its
/// z-score under the randomisation assumption, as spdep::moran.test computes
/// with nb2listw(dnearneigh(coords, 0, d), style = "W"). Locations without a
/// neighbour are left out (ArcGIS's rule; spdep would need zero.policy).
struct MoranResult {
    double distance_band = 0;
    double i = 0;
    double expected = 0;
    double variance = 0;
    double z = 0;
    int locations = 0; ///< locations with at least one neighbour
};
MoranResult morans_i(std::span<const Point> locations, std::span<const double> values,
                     double distance_band);
/// Moran's I at each of `distance_bands` (ascending), from one neighbour search.
std::vector<MoranResult> incremental_morans_i(std::span<const Point> locations,
                                              std::span<const double> values,
                                              std::span<const double> distance_bands);

} // namespace waymark::geo
