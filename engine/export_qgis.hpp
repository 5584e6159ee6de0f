#pragma once

// The QGIS side of the export bundle: a style for every layer of the bundle
// (stored in the GeoPackage's layer_styles table so that each layer opens
// styled on its own; a .qml beside each surface) and the QGIS project that
// opens them all in a sensible order. What a layer means decides its style
// (Gi* bins in a diverging scheme, clusters graduated by size, the network by
// link type); engine/qgis.hpp writes the files.

#include "engine/layer_writer.hpp"
#include "engine/profile_stage.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace waymark {

struct QgisFiles {
    std::filesystem::path project;            ///< waymark.qgs
    std::vector<std::filesystem::path> files; ///< the project and the .qml files
};

/// Styles the layers of `gpkg` and the `rasters`, and writes waymark.qgs in
/// `out`. Throws IoError naming the file.
QgisFiles write_qgis_files(const std::filesystem::path& out, const std::filesystem::path& gpkg,
                           const std::vector<WrittenLayer>& layers,
                           const std::vector<std::filesystem::path>& rasters,
                           const ProfileStage& stage, int working_crs,
                           const std::string& area_name);

} // namespace waymark
