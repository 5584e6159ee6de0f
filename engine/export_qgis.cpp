#include "engine/export_qgis.hpp"

#include "base/error.hpp"
#include "engine/network_output.hpp"
#include "engine/qgis.hpp"
#include "geo/gdal.hpp"

#include <gdal.h>
#include <ogr_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

namespace waymark {
namespace {

namespace fs = std::filesystem;
using qgis::Rgb;

Rgb rgb(graph::Colour c) {
    return {c.r, c.g, c.b};
}

// One colour per role, the same in every layer of the role.
Rgb role_colour(const std::string& role) {
    if (role == "from") {
        return {33, 102, 172};
    }
    if (role == "found") {
        return {27, 120, 55};
    }
    if (role == "visited") {
        return {230, 97, 1};
    }
    if (role == "concern") {
        return {178, 24, 43};
    }
    return {84, 39, 136};
}

// The values of one numeric field, for class breaks.
std::vector<double> field_values(const gdal::Dataset& gpkg, const std::string& layer_name,
                                 const std::string& field) {
    std::vector<double> values;
    OGRLayerH layer = GDALDatasetGetLayerByName(gpkg.get(), layer_name.c_str());
    if (layer == nullptr) {
        return values;
    }
    const int index = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), field.c_str());
    if (index < 0) {
        return values;
    }
    OGR_L_ResetReading(layer);
    while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
        if (OGR_F_IsFieldSetAndNotNull(feature, index)) {
            values.push_back(OGR_F_GetFieldAsDouble(feature, index));
        }
        OGR_F_Destroy(feature);
    }
    return values;
}

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

// Five classes at the quantiles of the values (whole numbers: they are
// counts), light to dark; fewer when the values have fewer distinct levels.
std::vector<qgis::Range> quantile_ranges(std::vector<double> values, Rgb dark) {
    std::vector<qgis::Range> ranges;
    if (values.empty()) {
        return ranges;
    }
    std::sort(values.begin(), values.end());
    std::vector<double> breaks = {values.front()};
    for (int q = 1; q <= 5; ++q) {
        const double at = values[std::min(values.size() - 1, values.size() * q / 5)];
        const double edge = q == 5 ? values.back() : std::ceil(at);
        if (edge > breaks.back()) {
            breaks.push_back(edge);
        }
    }
    if (breaks.size() == 1) {
        breaks.push_back(breaks.front());
    }
    const std::size_t classes = breaks.size() - 1;
    for (std::size_t i = 0; i < classes; ++i) {
        const double t = classes == 1 ? 1.0 : 0.25 + 0.75 * static_cast<double>(i) / (classes - 1);
        const auto mix = [t](int to) {
            return static_cast<int>(std::lround(255 - (255 - to) * t));
        };
        const double lower = i == 0 ? breaks[i] : breaks[i];
        ranges.push_back(
            {lower,
             breaks[i + 1],
             number(i == 0 ? breaks[i] : breaks[i] + 1) + " – " + number(breaks[i + 1]),
             {mix(dark.r), mix(dark.g), mix(dark.b)}});
    }
    return ranges;
}

qgis::GeometryKind geometry_of(const LayerDescription& layer) {
    switch (layer.geometry) {
    case LayerDescription::Geometry::point:
        return qgis::GeometryKind::point;
    case LayerDescription::Geometry::line:
        return qgis::GeometryKind::line;
    case LayerDescription::Geometry::polygon:
        return qgis::GeometryKind::polygon;
    }
    return qgis::GeometryKind::polygon;
}

// The style a layer's meaning calls for.
qgis::VectorStyle style_for(const WrittenLayer& written, const gdal::Dataset& gpkg) {
    const LayerDescription& layer = written.description;
    qgis::VectorStyle style;
    style.geometry = geometry_of(layer);
    using Kind = qgis::VectorStyle::Kind;
    const std::size_t underscore = layer.name.find('_');
    const std::string prefix = layer.name.substr(0, underscore);
    const std::string role =
        underscore == std::string::npos ? std::string() : layer.name.substr(underscore + 1);
    if (prefix == "points") {
        style.kind = Kind::single;
        style.colour = role_colour(role);
        style.size = 1.6;
        style.opacity = 0.8;
    } else if (prefix == "clusters") {
        style.kind = Kind::graduated;
        style.field = "episodes";
        style.ranges =
            quantile_ranges(field_values(gpkg, layer.name, "episodes"), role_colour(role));
        style.opacity = 0.75;
        style.size = 0.4;
    } else if (prefix == "gistar") {
        // ColorBrewer RdBu: cold spots blue, hot spots red, not significant
        // nearly white, so that only the significant cells catch the eye.
        style.kind = Kind::categorized;
        style.field = "gi_bin";
        style.opacity = 0.7;
        style.size = 0.1;
        style.categories = {{"-3", "Cold spot, 99 % confidence", {33, 102, 172}},
                            {"-2", "Cold spot, 95 % confidence", {103, 169, 207}},
                            {"-1", "Cold spot, 90 % confidence", {209, 229, 240}},
                            {"0", "Not significant", {247, 247, 247}},
                            {"1", "Hot spot, 90 % confidence", {253, 219, 199}},
                            {"2", "Hot spot, 95 % confidence", {239, 138, 98}},
                            {"3", "Hot spot, 99 % confidence", {178, 24, 43}}};
    } else if (prefix == "cells") {
        style.kind = Kind::graduated;
        style.field = "children";
        style.ranges =
            quantile_ranges(field_values(gpkg, layer.name, "children"), role_colour(role));
        style.opacity = 0.8;
        style.size = 0.1;
    } else if (layer.name == "network_links") {
        style.kind = Kind::categorized;
        style.field = "type";
        style.size = 0.4;
        for (int t = 0; t <= static_cast<int>(LinkType::possible_match); ++t) {
            const auto type = static_cast<LinkType>(t);
            const std::string name(to_string(type));
            style.categories.push_back({name, name, rgb(link_colour(type))});
        }
    } else if (layer.name == "network_nodes") {
        style.kind = Kind::categorized;
        style.field = "kind";
        style.size = 2.4;
        for (const EntityKind kind :
             {EntityKind::child, EntityKind::adult, EntityKind::unidentified, EntityKind::place,
              EntityKind::vehicle}) {
            Entity e;
            e.kind = kind;
            const std::string name(to_string(kind));
            style.categories.push_back({name, name, rgb(entity_colour(e))});
        }
    } else {
        style.kind = Kind::single;
        style.colour = {120, 120, 120};
    }
    if (style.kind == Kind::graduated && style.ranges.empty()) {
        // An empty layer (no cluster in a short period): nothing to
        // classify, so one symbol, ready for when it has features.
        style.kind = Kind::single;
        style.colour = role_colour(role);
        style.field.clear();
    }
    return style;
}

// The surface's range, for its colour ramp.
std::pair<double, double> raster_range(const fs::path& path) {
    gdal::Dataset raster = gdal::Dataset::open(path.string(), GDAL_OF_RASTER | GDAL_OF_READONLY);
    GDALRasterBandH band = GDALGetRasterBand(raster.get(), 1);
    double range[2] = {0, 0};
    if (GDALComputeRasterMinMax(band, FALSE, range) != CE_None) {
        throw IoError("cannot read the range of " + path.string() + ": " + gdal::last_error());
    }
    return {range[0], range[1]};
}

std::string raster_title(const fs::path& path) {
    gdal::Dataset raster = gdal::Dataset::open(path.string(), GDAL_OF_RASTER | GDAL_OF_READONLY);
    const char* title = GDALGetMetadataItem(raster.get(), "TITLE", nullptr);
    return title != nullptr ? title : path.stem().string();
}

// Where the map opens: around the middle 95 % of all the incidents (points,
// else the centres of the other layers' features) in each direction, widened
// by a tenth. A children's home far out of the area would otherwise shrink
// the town to a corner of the view.
std::array<double, 4> opening_extent(const gdal::Dataset& gpkg,
                                     const std::vector<WrittenLayer>& layers) {
    std::vector<double> xs;
    std::vector<double> ys;
    const auto collect = [&](bool points_only) {
        for (const WrittenLayer& written : layers) {
            const bool points = written.description.name.rfind("points_", 0) == 0;
            if (points_only != points) {
                continue;
            }
            OGRLayerH layer =
                GDALDatasetGetLayerByName(gpkg.get(), written.description.name.c_str());
            if (layer == nullptr) {
                continue;
            }
            OGR_L_ResetReading(layer);
            while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
                if (OGRGeometryH geometry = OGR_F_GetGeometryRef(feature)) {
                    OGREnvelope envelope;
                    OGR_G_GetEnvelope(geometry, &envelope);
                    xs.push_back((envelope.MinX + envelope.MaxX) / 2);
                    ys.push_back((envelope.MinY + envelope.MaxY) / 2);
                }
                OGR_F_Destroy(feature);
            }
        }
    };
    collect(true);
    if (xs.empty()) {
        collect(false);
    }
    if (xs.empty()) {
        return {0, 0, 1, 1};
    }
    const auto span = [](std::vector<double>& v) {
        std::sort(v.begin(), v.end());
        const std::size_t low = v.size() / 40;
        const std::size_t high = v.size() - 1 - v.size() / 40;
        return std::pair(v[low], v[high]);
    };
    auto [min_x, max_x] = span(xs);
    auto [min_y, max_y] = span(ys);
    // At least a kilometre across, so that one place still opens as a map.
    const double pad_x = std::max((max_x - min_x) / 10, 500.0);
    const double pad_y = std::max((max_y - min_y) / 10, 500.0);
    return {min_x - pad_x, min_y - pad_y, max_x + pad_x, max_y + pad_y};
}

// The group a layer belongs to, in drawing order (first = on top).
int group_of(const std::string& name) {
    if (name.rfind("network_", 0) == 0) {
        return 0;
    }
    if (name.rfind("points_", 0) == 0) {
        return 1;
    }
    if (name.rfind("clusters_", 0) == 0) {
        return 2;
    }
    if (name.rfind("gistar_", 0) == 0) {
        return 3;
    }
    if (name.rfind("cells_", 0) == 0) {
        return 4;
    }
    return 5;
}

constexpr std::array<const char*, 7> group_names = {"Peer network",
                                                    "Incidents",
                                                    "Clusters (DBSCAN)",
                                                    "Gi* hot and cold spots",
                                                    "Cell counts (suppressed below k)",
                                                    "Other layers",
                                                    "Density surfaces"};

} // namespace

QgisFiles write_qgis_files(const fs::path& out, const fs::path& gpkg_path,
                           const std::vector<WrittenLayer>& layers,
                           const std::vector<fs::path>& rasters, const ProfileStage& stage,
                           int working_crs, const std::string& area_name) {
    QgisFiles files;
    qgis::ProjectSpec project;
    const std::string profile(to_string(stage.profile()));
    project.title = "Waymark " + profile + " bundle" + (area_name.empty() ? "" : ": " + area_name);
    project.crs_epsg = working_crs;
    project.groups.resize(group_names.size());
    for (std::size_t g = 0; g < group_names.size(); ++g) {
        project.groups[g].name = group_names[g];
    }
    const std::string gpkg_name = gpkg_path.filename().string();
    std::vector<qgis::StoredStyle> stored;
    {
        const gdal::Dataset gpkg = gdal::Dataset::open(gpkg_path.string());
        project.extent = opening_extent(gpkg, layers);
        const std::map<std::string, std::string> common = stage.metadata();
        for (const WrittenLayer& written : layers) {
            const LayerDescription& layer = written.description;
            const qgis::VectorStyle style = style_for(written, gpkg);
            const std::string qml = qgis::vector_qml(style);
            stored.push_back({layer.name, "geom", "waymark", qml, layer.title});
            qgis::ProjectLayer entry;
            entry.id = layer.name;
            entry.name = layer.title;
            entry.source = "./" + gpkg_name + "|layername=" + layer.name;
            entry.geometry = style.geometry;
            entry.qml = qml;
            entry.title = layer.title;
            entry.abstract = layer.abstract;
            entry.metadata = common;
            entry.metadata.insert(layer.metadata.begin(), layer.metadata.end());
            // What is shown at first: the union of the roles, the network,
            // and the partnership's first role; the rest one click away.
            entry.keywords = {"Waymark", "profile " + profile};
            entry.visible = layer.name.find("_all") != std::string::npos ||
                            layer.name == "network_nodes" || layer.name == "cells_from";
            project.groups[static_cast<std::size_t>(group_of(layer.name))].layers.push_back(
                std::move(entry));
        }
    }
    qgis::write_layer_styles(gpkg_path, stored);
    // The same title, abstract and parameters where QGIS looks when the
    // layer is opened from the GeoPackage rather than through the project.
    for (const qgis::ProjectGroup& group : project.groups) {
        for (const qgis::ProjectLayer& layer : group.layers) {
            qgis::write_layer_metadata(
                gpkg_path, layer.id,
                {layer.title, layer.abstract, {"Waymark", "profile " + profile}, layer.metadata});
        }
    }

    bool first_surface = true;
    for (const fs::path& raster : rasters) {
        const auto [low, high] = raster_range(raster);
        qgis::RasterStyle style;
        style.diverging = raster.stem().string().find("minus") != std::string::npos;
        style.fade = true;
        style.opacity = 0.85;
        // A flat surface (nothing to show) still gets a valid ramp.
        const double reach = std::max({std::abs(low), std::abs(high), 1e-12});
        style.min = style.diverging ? -reach : 0.0;
        style.max = style.diverging ? reach : std::max(high, 1e-12);
        const std::string qml = qgis::raster_qml(style);
        // QGIS loads a .qml beside a raster as its default style.
        fs::path sidecar = raster;
        sidecar.replace_extension(".qml");
        std::ofstream file(sidecar, std::ios::binary);
        file << qml;
        file.close();
        if (!file) {
            throw IoError("cannot write " + sidecar.string());
        }
        files.files.push_back(sidecar);
        qgis::ProjectLayer entry;
        entry.id = raster.stem().string();
        entry.name = raster_title(raster);
        entry.source = "./" + raster.filename().string();
        entry.raster = true;
        entry.qml = qml;
        entry.title = entry.name;
        entry.abstract = "Kernel density surface (quartic kernel), GeoTIFF with overviews; the "
                         "file's own metadata gives the search radius and cell size.";
        entry.metadata = stage.metadata();
        entry.visible = first_surface && raster.stem().string().find("_all_") != std::string::npos;
        first_surface = first_surface && !entry.visible;
        project.groups.back().layers.push_back(std::move(entry));
    }
    std::erase_if(project.groups, [](const qgis::ProjectGroup& g) { return g.layers.empty(); });
    files.project = out / "waymark.qgs";
    qgis::write_project(files.project, project);
    files.files.insert(files.files.begin(), files.project);
    return files;
}

} // namespace waymark
