#pragma once

// QGIS styles (QML), the GeoPackage `layer_styles` table and QGIS-format layer
// metadata inside a GeoPackage, and a QGIS project (.qgs) that opens a folder
// of layers styled. General: it knows layers, fields and colours, not what
// they show. Formats follow QGIS 3.22 (what Debian 12 ships), checked by
// opening the output in QGIS itself (tests/engine/qgis_test.cpp).

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::qgis {

struct Rgb {
    int r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

/// ColorBrewer ramps.
enum class Ramp {
    yl_or_rd, ///< sequential, pale yellow to dark red
    rd_bu,    ///< diverging, dark red through white to dark blue
};
/// `classes` colours (at least 2) evenly along the ramp, from its first end.
std::vector<Rgb> ramp_colours(Ramp ramp, int classes);

enum class GeometryKind { point, line, polygon };

struct Category {
    std::string value; ///< the attribute's value as text ("-3", "episode")
    std::string label;
    Rgb colour;
};
struct Range {
    double lower = 0, upper = 0;
    std::string label;
    Rgb colour;
};

struct VectorStyle {
    enum class Kind { single, categorized, graduated };
    GeometryKind geometry = GeometryKind::polygon;
    Kind kind = Kind::single;
    std::string field; ///< attribute for categorized / graduated
    std::vector<Category> categories;
    std::vector<Range> ranges;
    Rgb colour;           ///< single symbol
    double opacity = 1.0; ///< layer opacity, 0..1
    /// Point size (mm), line width (mm), or a polygon's outline width (mm).
    double size = 2.0;
    std::string label_field; ///< "" = no labels
};

/// A whole QML document (qgis.dtd) QGIS loads as a vector layer's style.
/// Throws InputError for a categorized / graduated style without a field or
/// classes, or an opacity outside 0..1.
std::string vector_qml(const VectorStyle& style);

struct RasterStyle {
    double min = 0, max = 1;
    /// false: YlOrRd from min to max; true: blue (min) through white (the
    /// middle) to red (max), ColorBrewer RdBu reversed.
    bool diverging = false;
    /// Make the colour at min (sequential) or at the middle (diverging) fully
    /// transparent, fading in from it, so that where a surface is (near)
    /// zero the layers below show through.
    bool fade = false;
    double opacity = 1.0;
    int band = 1;
};

/// A singleband pseudocolor QML for a raster layer; nodata is transparent.
/// Throws InputError unless min < max.
std::string raster_qml(const RasterStyle& style);

/// One row of a GeoPackage's `layer_styles`.
struct StoredStyle {
    std::string table;
    std::string geometry_column = "geom";
    std::string name;
    std::string qml;
    std::string description;
    bool use_as_default = true;
};

/// Stores styles in the GeoPackage's `layer_styles` table as QGIS does
/// ("Save as Default" into a GeoPackage): the table is created through GDAL as
/// an `attributes` table (gpkg_contents, gpkg_ogr_contents) with QGIS's
/// columns; a style replaces one of the same table and name, and a default
/// style clears the default flag of the table's other styles. Throws
/// InputError for an unknown table, IoError / StoreError naming the file.
void write_layer_styles(const std::filesystem::path& gpkg, const std::vector<StoredStyle>& styles);

/// QGIS-format layer metadata (what Layer Properties > Metadata shows).
struct LayerMetadata {
    std::string title;
    std::string abstract;
    std::vector<std::string> keywords;
    /// Shown as keyword lists, one vocabulary per key.
    std::map<std::string, std::string> parameters;
};

/// The metadata document QGIS reads and writes (root element `<qgis>`).
std::string metadata_xml(const LayerMetadata& metadata);

/// Stores `metadata` for `table` in the GeoPackage's gpkg_metadata /
/// gpkg_metadata_reference tables (md_standard_uri http://mrcc.com/qgis.dtd,
/// reference_scope 'table'), where QGIS (3.20 on) reads it when the layer is
/// opened directly. Replaces an earlier QGIS document of that table; GDAL's own
/// metadata document is left alone. Throws as write_layer_styles.
void write_layer_metadata(const std::filesystem::path& gpkg, const std::string& table,
                          const LayerMetadata& metadata);

struct ProjectLayer {
    std::string id;   ///< unique in the project: [A-Za-z0-9_]
    std::string name; ///< shown in the layer tree
    std::string
        source; ///< "./waymark.gpkg|layername=x", "./density.tif"; absolute paths are made relative
    bool raster = false;
    GeometryKind geometry = GeometryKind::point;
    std::string qml;  ///< a QML document (vector_qml / raster_qml, or QGIS's own)
    int crs_epsg = 0; ///< 0: the project's CRS
    std::string title;
    std::string abstract;
    std::vector<std::string> keywords;
    std::map<std::string, std::string> metadata;
    bool visible = true;
};

struct ProjectGroup {
    std::string name;
    std::vector<ProjectLayer> layers; ///< first = drawn on top
    bool expanded = true;
};

struct ProjectSpec {
    std::string title;
    int crs_epsg = 27700;
    std::array<double, 4> extent{};   ///< xmin, ymin, xmax, ymax in the project CRS
    std::vector<ProjectGroup> groups; ///< first = drawn on top
};

/// The layer id written into a project for `id`: `id` itself when longer than
/// 10 characters, else `id` + "_map_layer". QGIS 3.22 ignores a stored layer
/// id of 10 characters or fewer and makes up a random one, which would break
/// the links from the layer tree to the layers.
std::string project_layer_id(const std::string& id);

/// Writes a QGIS project: project CRS, title, the layer tree, each layer with
/// its relative datasource, provider, CRS, style and metadata, the extent of
/// the map canvas and the default view. Throws InputError for duplicate or
/// empty layer ids, unparsable QML or an extent with xmin >= xmax / ymin >=
/// ymax; IoError naming the file.
void write_project(const std::filesystem::path& qgs, const ProjectSpec& spec);

/// `text` escaped for XML character data and attribute values (base/xml.hpp:
/// invalid UTF-8 and characters XML 1.0 cannot carry become U+FFFD).
std::string xml_escape(std::string_view text);

} // namespace waymark::qgis
