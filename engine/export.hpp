#pragma once

// `waymark export` (issue 7): one folder per audience, made through the
// profile stage (engine/profile_stage.hpp), holding everything an analyst,
// a panel or a partnership gets:
//
//   waymark.gpkg      every vector layer in the working CRS (points by role,
//                     DBSCAN clusters, Gi* cells, network nodes and links; or,
//                     for partnership, the suppressed cell counts), each with
//                     its QGIS style stored in the GeoPackage (layer_styles)
//   density_*.tif     the density surfaces, with overviews and a .qml style
//   waymark.qgs       a QGIS project opening all of it, styled and in order
//   geojson/          RFC 7946 copies of every layer, in WGS 84
//   network/          the graph files (GEXF, GraphML, i2 ANX, CSV)
//   manifest.json     profile, parameters, data window, counts, checksums
//
// The run is recorded in the store with an audit entry.

#include "engine/hotspots.hpp"
#include "engine/network.hpp"
#include "engine/profile_stage.hpp"
#include "engine/store/store.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

struct ExportConfig {
    HotspotConfig hotspots; ///< its `out` is ignored: the bundle is written to `out`
    NetworkConfig network;  ///< its `out` and `formats` are ignored
    std::string area_name;  ///< shown in titles; may be empty
    std::filesystem::path out;
};

struct ExportResult {
    std::vector<std::filesystem::path> files; ///< every file written, manifest.json last
    std::int64_t layers = 0;
    std::int64_t rasters = 0;
    std::int64_t analysis_run = 0;
};

using ExportProgress = std::function<void(std::string_view stage, double fraction)>;

/// Writes the bundle for stage.profile() into config.out. The folder must be
/// new, empty, or an earlier export (its manifest.json lists the files that
/// are replaced); anything else is refused with UsageError, so that no file
/// of another profile is left beside the new ones. Throws InputError when
/// nothing could be exported.
ExportResult run_export(store::Store& store, const ExportConfig& config, const ProfileStage& stage,
                        const ExportProgress& progress = {});

} // namespace waymark
