#pragma once

// The hotspot engine: where children go missing from, are found, spend time
// and are put at risk (design/PRODUCT.md: hotspots "for both where children
// go missing from and where they spend time while missing or are found").
//
// It adapts the store's incidents to the general algorithms of geo/ (DBSCAN,
// Gi* on a grid, kernel density) and writes what they find through the
// layer writer (GeoPackage + GeoJSON) and GeoTIFF, recording the run and its
// parameters in the store. What makes this data special is handled here: one
// child with thirty episodes from a children's home must not look like thirty
// children, so every output carries both counts — episodes and distinct
// children — and the statistics use the one chosen by --count.

#include "engine/profile.hpp"
#include "engine/profile_stage.hpp"
#include "engine/store/store.hpp"
#include "geo/grid.hpp"
#include "geo/point.hpp"
#include "geo/raster.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waymark {

class LayerSink;

enum class HotspotRole { from, found, visited, concern, all };
enum class HotspotMethod { dbscan, gistar, kde };
enum class CountMode { episodes, children };

/// "from", "found", "visited", "concern", "all": throws UsageError otherwise.
HotspotRole parse_hotspot_role(std::string_view text);
std::string_view to_string(HotspotRole role);
HotspotMethod parse_hotspot_method(std::string_view text);
std::string_view to_string(HotspotMethod method);
CountMode parse_count_mode(std::string_view text);
std::string_view to_string(CountMode mode);

/// Which incidents take part. Empty lists and unset values select everything.
struct IncidentFilter {
    std::string since;                 ///< YYYY-MM-DD, inclusive, on the incident's date
    std::string until;                 ///< YYYY-MM-DD, inclusive
    std::vector<std::string> settings; ///< setting codes (an incident without one is left out)
    std::optional<bool> looked_after;
    std::vector<std::string> risk_grades; ///< risk grade codes
    std::optional<int> min_age;           ///< inclusive
    std::optional<int> max_age;           ///< inclusive
    bool cse = false;                     ///< only incidents with CSE indicators
    bool cce = false;                     ///< only incidents with CCE indicators

    bool selects(const store::Incident& incident) const;
    bool empty() const;
};

struct HotspotConfig {
    std::vector<HotspotRole> roles{HotspotRole::all};
    /// `all` alone in roles means every role and their union; with this set,
    /// the union only (the viewer asks for one role at a time).
    bool union_only = false;
    std::vector<HotspotMethod> methods{HotspotMethod::dbscan, HotspotMethod::gistar,
                                       HotspotMethod::kde};
    IncidentFilter filter;
    CountMode count = CountMode::episodes;
    std::uint64_t seed = 1;
    int threads = 0; ///< 0: all cores; results never depend on it

    // DBSCAN
    double eps = 100; ///< metres
    /// Summed weight (episodes or children) within eps that makes a place a
    /// core point; 0: auto_min_points().
    double min_points = 0;
    // Gi*
    geo::GridShape shape = geo::GridShape::hexagon;
    double cell_size = 0;     ///< metres; 0: chosen as Optimized Hot Spot Analysis does
    double distance_band = 0; ///< metres; 0: chosen as Optimized Hot Spot Analysis does
    int permutations = 999;
    /// Which p-values the FDR-corrected bins come from: the analytic ones (as
    /// ArcGIS's Optimized Hot Spot Analysis) or the permutation pseudo
    /// p-values, whose floor of 1/(permutations + 1) the correction rarely
    /// lets through when there are thousands of cells.
    bool bins_from_permutations = false;
    /// The area's extent (min x, min y, max x, max y): cells inside it with no
    /// incident take part too, as ArcGIS's bounding polygons make them do.
    std::optional<std::array<double, 4>> extent;
    // Kernel density
    double bandwidth = 0;   ///< metres; 0: ArcGIS's default search radius
    double raster_cell = 0; ///< metres; 0: the shorter side of the extent / 250, as ArcGIS

    /// Local time zone of the hour-of-day and weekday profiles (area settings).
    std::string time_zone = "Europe/London";
    /// Also write every incident as a point (points_<role>), as the export does.
    bool points = false;
    std::filesystem::path out;
};

/// What one role's analyses found, for the command's report.
struct RoleSummary {
    std::string role;
    std::int64_t incidents = 0;
    std::int64_t children = 0;
    std::int64_t places = 0; ///< distinct locations
    std::optional<int> clusters;
    std::optional<double> min_points; ///< the DBSCAN core weight used
    std::optional<int> hot_cells;     ///< Gi* bin > 0
    std::optional<int> cold_cells;    ///< Gi* bin < 0
    std::optional<double> cell_size;
    std::optional<double> distance_band;
    std::optional<double> bandwidth;
    std::vector<std::string> notes; ///< refusals and choices, one sentence each
};

struct HotspotResult {
    std::vector<RoleSummary> roles;
    std::vector<std::filesystem::path> files;
    std::int64_t analysis_run = 0;
};

/// DBSCAN's default core weight: what a disc of radius eps would hold if the
/// weight were spread evenly over the ground the places occupy (the eps × eps
/// squares holding at least one place), and never below 5. A place or group of
/// places is then core only where incidents are denser than is usual for this
/// selection, whatever the size of the area or the number of years loaded.
double auto_min_points(std::span<const geo::Point> places, std::span<const double> weights,
                       double eps);

/// `progress(stage, fraction)` is called as work advances.
using HotspotProgress = std::function<void(std::string_view, double)>;

/// The run's parameters as a JSON object (text): everything needed to repeat it.
std::string hotspot_parameters(const HotspotConfig& config);

/// The store's incidents that config.filter selects, through the profile stage.
ProfiledIncidents select_incidents(const store::Store& store, const HotspotConfig& config,
                                   const ProfileStage& stage);

/// The first and last day (YYYY-MM-DD) of the incidents of config.roles.
std::pair<std::string, std::string> data_window(const ProfiledIncidents& incidents,
                                                const HotspotConfig& config);

/// A density surface an analysis made, in the working CRS.
struct Surface {
    std::string name; ///< density_<role>_<count>, density_found_minus_from: the file stem
    geo::RasterGrid grid;
    std::vector<double> values; ///< row-major, first row north
    std::map<std::string, std::string> metadata;
    double nodata = -1;
};
/// Takes each surface as it is made.
using SurfaceSink = std::function<void(Surface)>;

struct HotspotLayers {
    std::vector<RoleSummary> roles;
    std::vector<std::filesystem::path> rasters; ///< density GeoTIFFs, in config.out
};

/// Runs the configured analyses and writes their layers to `layers` and their
/// surfaces to `surfaces`, by default GeoTIFFs in config.out (listed in the
/// result's rasters). Partnership: the suppressed cell counts of each
/// role instead (profile_stage.hpp). `common` is written into every surface.
HotspotLayers write_hotspot_layers(const ProfiledIncidents& incidents, const HotspotConfig& config,
                                   const ProfileStage& stage, LayerSink& layers,
                                   const std::map<std::string, std::string>& common,
                                   int working_crs, const HotspotProgress& progress = {},
                                   const SurfaceSink& surfaces = {});

/// Runs the configured analyses over the store's incidents, through `stage`,
/// and writes them to config.out with hotspots.json, recording the run.
/// Throws InputError when nothing could be analysed (every analysis refused,
/// with the reasons).
HotspotResult run_hotspots(store::Store& store, const HotspotConfig& config,
                           const ProfileStage& stage, const HotspotProgress& progress = {});

} // namespace waymark
