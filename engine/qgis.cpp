#include "engine/qgis.hpp"

#include "base/error.hpp"
#include "base/xml.hpp"
#include "engine/store/sqlite.hpp"
#include "geo/gdal.hpp"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <system_error>

namespace waymark::qgis {
namespace {

// The QGIS version the documents claim to come from: QGIS upgrades older
// documents on reading, so this must not be older than the format we write.
constexpr const char* qgis_version = "3.22.0-Białowieża";
constexpr const char* doctype = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
constexpr const char* qgis_metadata_uri = "http://mrcc.com/qgis.dtd";

// Shortest text that reads back as the same double, in any locale.
std::string number(double value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return {buffer, result.ptr};
}

std::string rgba(Rgb c, int alpha = 255) {
    return std::to_string(c.r) + "," + std::to_string(c.g) + "," + std::to_string(c.b) + "," +
           std::to_string(alpha);
}

std::string hex(Rgb c) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", c.r & 0xff, c.g & 0xff, c.b & 0xff);
    return buffer;
}

Rgb darker(Rgb c) {
    return {c.r * 6 / 10, c.g * 6 / 10, c.b * 6 / 10};
}

void check_colour(Rgb c, const std::string& what) {
    for (const int part : {c.r, c.g, c.b}) {
        if (part < 0 || part > 255) {
            throw InputError(what + ": colour components must be 0..255, got " + rgba(c));
        }
    }
}

// `name="value"` with the value escaped.
std::string attr(std::string_view name, std::string_view value) {
    std::string out(" ");
    out += name;
    out += "=\"";
    out += xml_escape(value);
    out += '"';
    return out;
}

std::string element(std::string_view name, std::string_view text) {
    std::string out = "<";
    out += name;
    out += '>';
    out += xml_escape(text);
    out += "</";
    out += name;
    out += ">\n";
    return out;
}

// A symbol layer's properties as QGIS 3.22 writes them (an Option map).
std::string options(const std::vector<std::pair<std::string, std::string>>& values) {
    std::string out = "<Option type=\"Map\">\n";
    for (const auto& [name, value] : values) {
        out += "<Option type=\"QString\"" + attr("name", name) + attr("value", value) + "/>\n";
    }
    return out + "</Option>\n";
}

std::string symbol_xml(GeometryKind geometry, const std::string& name, Rgb colour, double size) {
    std::string type;
    std::string layer;
    const std::string width = number(size);
    switch (geometry) {
    case GeometryKind::point:
        type = "marker";
        layer = "<layer class=\"SimpleMarker\" pass=\"0\" enabled=\"1\" locked=\"0\">\n" +
                options({{"name", "circle"},
                         {"color", rgba(colour)},
                         {"outline_color", rgba(darker(colour))},
                         {"outline_style", "solid"},
                         {"outline_width", "0.2"},
                         {"outline_width_unit", "MM"},
                         {"size", width},
                         {"size_unit", "MM"},
                         {"scale_method", "diameter"},
                         {"joinstyle", "bevel"}});
        break;
    case GeometryKind::line:
        type = "line";
        layer = "<layer class=\"SimpleLine\" pass=\"0\" enabled=\"1\" locked=\"0\">\n" +
                options({{"line_color", rgba(colour)},
                         {"line_style", "solid"},
                         {"line_width", width},
                         {"line_width_unit", "MM"},
                         {"capstyle", "round"},
                         {"joinstyle", "round"}});
        break;
    case GeometryKind::polygon:
        type = "fill";
        layer = "<layer class=\"SimpleFill\" pass=\"0\" enabled=\"1\" locked=\"0\">\n" +
                options({{"color", rgba(colour)},
                         {"style", "solid"},
                         {"outline_color", rgba(darker(colour))},
                         {"outline_style", "solid"},
                         {"outline_width", width},
                         {"outline_width_unit", "MM"},
                         {"joinstyle", "bevel"}});
        break;
    }
    return "<symbol" + attr("name", name) + attr("type", type) +
           " alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n" + layer + "</layer>\n</symbol>\n";
}

// Simple labels from one field, placed as QGIS places them by default for
// the geometry: around a point, along a line, over a polygon's centroid.
std::string labeling_xml(const VectorStyle& style) {
    const char* placement = style.geometry == GeometryKind::point  ? "0"
                            : style.geometry == GeometryKind::line ? "2"
                                                                   : "1";
    std::string out = "<labeling type=\"simple\">\n<settings calloutType=\"simple\">\n";
    out += "<text-style" + attr("fieldName", style.label_field) +
           " isExpression=\"0\" fontFamily=\"Sans Serif\" fontSize=\"9\" fontSizeUnit=\"Point\""
           " textColor=\"50,50,50,255\" textOpacity=\"1\" namedStyle=\"Regular\">\n"
           "<text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\""
           " bufferColor=\"255,255,255,255\" bufferOpacity=\"1\" bufferJoinStyle=\"128\"/>\n"
           "</text-style>\n";
    out += "<text-format multilineAlign=\"3\" wrapChar=\"\" autoWrapLength=\"0\"/>\n";
    out += std::string("<placement placement=\"") + placement +
           "\" placementFlags=\"10\" dist=\"1\" distUnits=\"MM\" priority=\"5\"/>\n";
    out += "<rendering drawLabels=\"1\" obstacle=\"1\" scaleVisibility=\"0\" displayAll=\"0\"/>\n";
    return out + "</settings>\n</labeling>\n";
}

std::string renderer_xml(const VectorStyle& style) {
    const std::string common = " forceraster=\"0\" symbollevels=\"0\" enableorderby=\"0\""
                               " referencescale=\"-1\"";
    std::string out;
    std::string symbols;
    switch (style.kind) {
    case VectorStyle::Kind::single:
        check_colour(style.colour, "single symbol");
        out = "<renderer-v2 type=\"singleSymbol\"" + common + ">\n";
        symbols = symbol_xml(style.geometry, "0", style.colour, style.size);
        break;
    case VectorStyle::Kind::categorized:
        if (style.field.empty() || style.categories.empty()) {
            throw InputError("a categorized style needs a field and at least one category");
        }
        out = "<renderer-v2 type=\"categorizedSymbol\"" + attr("attr", style.field) + common +
              ">\n<categories>\n";
        for (std::size_t i = 0; i < style.categories.size(); ++i) {
            const Category& category = style.categories[i];
            check_colour(category.colour, "category " + category.value);
            const std::string id = std::to_string(i);
            out += "<category" + attr("symbol", id) + attr("value", category.value) +
                   attr("label", category.label) + " render=\"true\"/>\n";
            symbols += symbol_xml(style.geometry, id, category.colour, style.size);
        }
        out += "</categories>\n";
        break;
    case VectorStyle::Kind::graduated:
        if (style.field.empty() || style.ranges.empty()) {
            throw InputError("a graduated style needs a field and at least one range");
        }
        out = "<renderer-v2 type=\"graduatedSymbol\" graduatedMethod=\"GraduatedColor\"" +
              attr("attr", style.field) + common + ">\n<ranges>\n";
        for (std::size_t i = 0; i < style.ranges.size(); ++i) {
            const Range& range = style.ranges[i];
            if (!(range.lower <= range.upper)) {
                throw InputError("graduated range " + range.label + ": lower " +
                                 number(range.lower) + " is above upper " + number(range.upper));
            }
            check_colour(range.colour, "range " + range.label);
            const std::string id = std::to_string(i);
            out += "<range" + attr("symbol", id) + attr("lower", number(range.lower)) +
                   attr("upper", number(range.upper)) + attr("label", range.label) +
                   " render=\"true\"/>\n";
            symbols += symbol_xml(style.geometry, id, range.colour, style.size);
        }
        out += "</ranges>\n";
        break;
    }
    out += "<symbols>\n" + symbols + "</symbols>\n";
    if (style.kind == VectorStyle::Kind::graduated) {
        // The classes are ours: "Custom" keeps QGIS from reclassifying.
        out += "<classificationMethod id=\"Custom\">\n"
               "<symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
               "<labelFormat format=\"%1 - %2\" labelprecision=\"4\" trimtrailingzeroes=\"1\"/>\n"
               "</classificationMethod>\n";
    }
    return out + "<rotation/>\n<sizescale/>\n</renderer-v2>\n";
}

void check_opacity(double opacity) {
    if (!(opacity >= 0 && opacity <= 1)) {
        throw InputError("layer opacity must be within 0..1, got " + number(opacity));
    }
}

// --- CRS -------------------------------------------------------------------

struct CplString {
    char* text = nullptr;
    CplString() = default;
    CplString(const CplString&) = delete;
    CplString& operator=(const CplString&) = delete;
    ~CplString() { CPLFree(text); }
};

// The <spatialrefsys> block QGIS writes, from GDAL/OSR rather than a copy of
// QGIS's database: QGIS 3.22 rebuilds the CRS from the WKT (srsid 0 sends it
// there) and recognises the EPSG code in it.
std::string spatialrefsys(int epsg) {
    const gdal::SpatialReference srs = gdal::SpatialReference::from_epsg(epsg);
    CplString wkt;
    const char* wkt_options[] = {"FORMAT=WKT2_2019", "MULTILINE=NO", nullptr};
    if (OSRExportToWktEx(srs.get(), &wkt.text, wkt_options) != OGRERR_NONE) {
        throw InputError("EPSG:" + std::to_string(epsg) + ": no WKT: " + gdal::last_error());
    }
    CplString proj4;
    if (OSRExportToProj4(srs.get(), &proj4.text) != OGRERR_NONE) {
        throw InputError("EPSG:" + std::to_string(epsg) +
                         ": no PROJ string: " + gdal::last_error());
    }
    const std::string proj(proj4.text);
    std::string acronym;
    if (const auto at = proj.find("+proj="); at != std::string::npos) {
        acronym = proj.substr(at + 6, proj.find(' ', at) - at - 6);
    }
    std::string ellipsoid;
    const char* ellipsoid_authority = OSRGetAuthorityName(srs.get(), "SPHEROID");
    const char* ellipsoid_code = OSRGetAuthorityCode(srs.get(), "SPHEROID");
    if (ellipsoid_authority != nullptr && ellipsoid_code != nullptr) {
        ellipsoid = std::string(ellipsoid_authority) + ":" + ellipsoid_code;
    }
    std::string out = "<spatialrefsys>\n";
    out += element("wkt", wkt.text);
    out += element("proj4", proj);
    out += element("srsid", "0");
    out += element("srid", std::to_string(epsg));
    out += element("authid", "EPSG:" + std::to_string(epsg));
    out += element("description", srs.name());
    out += element("projectionacronym", acronym);
    out += element("ellipsoidacronym", ellipsoid);
    out += element("geographicflag", srs.is_geographic() ? "true" : "false");
    return out + "</spatialrefsys>\n";
}

// --- metadata ----------------------------------------------------------------

// The children of a QGIS layer metadata element (<qgis> in a GeoPackage,
// <resourceMetadata> in a project).
std::string metadata_children(const LayerMetadata& metadata) {
    std::string out;
    out += element("identifier", metadata.title);
    out += "<parentidentifier></parentidentifier>\n<language></language>\n";
    out += element("type", "dataset");
    out += element("title", metadata.title);
    out += element("abstract", metadata.abstract);
    if (!metadata.keywords.empty()) {
        out += "<keywords vocabulary=\"keywords\">\n";
        for (const std::string& keyword : metadata.keywords) {
            out += element("keyword", keyword);
        }
        out += "</keywords>\n";
    }
    for (const auto& [key, value] : metadata.parameters) {
        out += "<keywords" + attr("vocabulary", key) + ">\n" + element("keyword", value) +
               "</keywords>\n";
    }
    out += "<links/>\n<fees></fees>\n<encoding></encoding>\n";
    return out;
}

// --- QML pulled apart for a project -----------------------------------------

struct XmlTree {
    CPLXMLNode* root = nullptr;
    XmlTree() = default;
    XmlTree(const XmlTree&) = delete;
    XmlTree& operator=(const XmlTree&) = delete;
    ~XmlTree() { CPLDestroyXMLNode(root); }
};

struct StyleParts {
    std::string attributes; ///< the <qgis> element's attributes but version, ready to append
    std::string children;   ///< its child elements, serialised
};

// A QML document's root attributes and children, which a project carries
// inside <maplayer>.
StyleParts style_parts(const std::string& qml, const std::string& layer) {
    if (qml.empty()) {
        return {};
    }
    XmlTree tree;
    gdal::reset_error();
    tree.root = CPLParseXMLString(qml.c_str());
    const CPLXMLNode* qgis = nullptr;
    for (const CPLXMLNode* node = tree.root; node != nullptr; node = node->psNext) {
        if (node->eType == CXT_Element && std::string_view(node->pszValue) == "qgis") {
            qgis = node;
        }
    }
    if (qgis == nullptr) {
        throw InputError("layer " + layer + ": its QML is not a <qgis> document" +
                         (gdal::last_error().empty() ? "" : ": " + gdal::last_error()));
    }
    StyleParts parts;
    const CPLXMLNode* first_child = nullptr;
    for (const CPLXMLNode* node = qgis->psChild; node != nullptr; node = node->psNext) {
        if (node->eType == CXT_Attribute) {
            const std::string_view name = node->pszValue;
            if (name != "version" && node->psChild != nullptr) {
                parts.attributes += attr(name, node->psChild->pszValue);
            }
        } else if (node->eType == CXT_Element && first_child == nullptr) {
            first_child = node;
        }
    }
    if (first_child != nullptr) {
        CplString text;
        text.text = CPLSerializeXMLTree(first_child); // this element and its siblings
        parts.children = text.text == nullptr ? "" : text.text;
    }
    return parts;
}

// A datasource relative to the project folder, as QGIS writes it when the
// project stores relative paths: "./file|options".
std::string relative_source(const std::string& source, const std::filesystem::path& project_dir) {
    const auto bar = source.find('|');
    const std::string file = source.substr(0, bar);
    const std::string rest = bar == std::string::npos ? "" : source.substr(bar);
    std::filesystem::path path(file);
    if (!path.is_absolute()) {
        return source;
    }
    const std::filesystem::path relative =
        path.lexically_normal().lexically_relative(std::filesystem::absolute(project_dir));
    if (relative.empty()) {
        return source;
    }
    std::string text = relative.generic_string();
    if (text.rfind("../", 0) != 0) {
        text = "./" + text;
    }
    return text + rest;
}

bool valid_id(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

std::string extent_xml(const std::array<double, 4>& e) {
    return "<extent>\n" + element("xmin", number(e[0])) + element("ymin", number(e[1])) +
           element("xmax", number(e[2])) + element("ymax", number(e[3])) + "</extent>\n";
}

std::string maplayer_xml(const ProjectLayer& layer, const ProjectSpec& spec,
                         const std::filesystem::path& project_dir) {
    const StyleParts style = style_parts(layer.qml, layer.id);
    const int epsg = layer.crs_epsg == 0 ? spec.crs_epsg : layer.crs_epsg;
    std::string out = "<maplayer";
    out += layer.raster ? " type=\"raster\"" : " type=\"vector\"";
    if (!layer.raster) {
        const char* geometry = layer.geometry == GeometryKind::point  ? "Point"
                               : layer.geometry == GeometryKind::line ? "Line"
                                                                      : "Polygon";
        out += std::string(" geometry=\"") + geometry + "\"";
    }
    out += style.attributes + ">\n";
    out += element("id", project_layer_id(layer.id));
    out += element("datasource", relative_source(layer.source, project_dir));
    out += "<keywordList>\n";
    for (const std::string& keyword : layer.keywords) {
        out += element("value", keyword);
    }
    out += "</keywordList>\n";
    out += element("layername", layer.name);
    out += "<srs>\n" + spatialrefsys(epsg) + "</srs>\n";
    LayerMetadata metadata{layer.title, layer.abstract, layer.keywords, layer.metadata};
    out += "<resourceMetadata>\n" + metadata_children(metadata) + "<crs>\n" + spatialrefsys(epsg) +
           "</crs>\n<extent/>\n</resourceMetadata>\n";
    out += std::string("<provider encoding=\"UTF-8\">") + (layer.raster ? "gdal" : "ogr") +
           "</provider>\n";
    out += "<map-layer-style-manager current=\"default\">\n"
           "<map-layer-style name=\"default\"/>\n</map-layer-style-manager>\n";
    out += "<flags>\n<Identifiable>1</Identifiable>\n<Removable>1</Removable>\n"
           "<Searchable>1</Searchable>\n<Private>0</Private>\n</flags>\n";
    out += style.children;
    return out + "</maplayer>\n";
}

std::string tree_layer_xml(const ProjectLayer& layer, const std::filesystem::path& project_dir) {
    return "<layer-tree-layer" + attr("id", project_layer_id(layer.id)) + attr("name", layer.name) +
           attr("source", relative_source(layer.source, project_dir)) +
           attr("providerKey", layer.raster ? "gdal" : "ogr") +
           attr("checked", layer.visible ? "Qt::Checked" : "Qt::Unchecked") +
           " expanded=\"1\" legend_exp=\"\" patch_size=\"-1,-1\" legend_split_behavior=\"0\">\n"
           "<customproperties>\n<Option/>\n</customproperties>\n</layer-tree-layer>\n";
}

// --- GeoPackage through SQLite ----------------------------------------------

// Writes through SQLite with the GeoPackage's own journal mode kept: the
// store's connection switches to WAL, which a GeoPackage handed to someone
// else should not be left in.
class GpkgConnection {
public:
    explicit GpkgConnection(const std::filesystem::path& path)
        : m_db(sqlite::Database::open(path.string(), sqlite::OpenMode::read_write)) {}

    sqlite::Database& db() { return m_db; }

    void close() {
        m_db.exec("PRAGMA journal_mode = DELETE");
        m_db.close();
    }

private:
    sqlite::Database m_db;
};

void require_gpkg(const std::filesystem::path& gpkg) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(gpkg, error)) {
        throw IoError("cannot open GeoPackage " + gpkg.string() + ": no such file");
    }
}

bool table_in_contents(sqlite::Database& db, const std::string& table) {
    sqlite::Statement query(db, "SELECT COUNT(*) FROM gpkg_contents WHERE lower(table_name) = "
                                "lower(?)");
    query.bind(1, table);
    return query.step() && query.column_int64(0) > 0;
}

void add_field(OGRLayerH layer, const char* name, OGRFieldType type, int width,
               const std::string& file, OGRFieldSubType subtype = OFSTNone,
               const char* default_value = nullptr) {
    OGRFieldDefnH field = OGR_Fld_Create(name, type);
    OGR_Fld_SetWidth(field, width);
    OGR_Fld_SetSubType(field, subtype);
    if (default_value != nullptr) {
        OGR_Fld_SetDefault(field, default_value);
    }
    const OGRErr result = OGR_L_CreateField(layer, field, TRUE);
    OGR_Fld_Destroy(field);
    if (result != OGRERR_NONE) {
        throw IoError("cannot add field " + std::string(name) + " to layer_styles in " + file +
                      ": " + gdal::last_error());
    }
}

// Creates `layer_styles` through GDAL, so that it is registered as GDAL and
// QGIS register it (an 'attributes' table in gpkg_contents, counted in
// gpkg_ogr_contents), with the columns QGIS creates.
void ensure_layer_styles(const std::filesystem::path& gpkg) {
    const std::string file = gpkg.string();
    gdal::Dataset dataset = gdal::Dataset::open(file, GDAL_OF_VECTOR | GDAL_OF_UPDATE);
    if (GDALDatasetGetLayerByName(dataset.get(), "layer_styles") != nullptr) {
        return;
    }
    OGRLayerH layer = dataset.create_layer("layer_styles", nullptr, wkbNone, {"FID=id"});
    add_field(layer, "f_table_catalog", OFTString, 256, file);
    add_field(layer, "f_table_schema", OFTString, 256, file);
    add_field(layer, "f_table_name", OFTString, 256, file);
    add_field(layer, "f_geometry_column", OFTString, 256, file);
    add_field(layer, "styleName", OFTString, 30, file);
    add_field(layer, "styleQML", OFTString, 0, file);
    add_field(layer, "styleSLD", OFTString, 0, file);
    add_field(layer, "useAsDefault", OFTInteger, 0, file, OFSTBoolean);
    add_field(layer, "description", OFTString, 0, file);
    add_field(layer, "owner", OFTString, 30, file);
    add_field(layer, "ui", OFTString, 30, file);
    add_field(layer, "update_time", OFTDateTime, 0, file, OFSTNone, "CURRENT_TIMESTAMP");
    dataset.close();
}

// GDAL keeps a feature count per table; rows written past GDAL must keep it true.
void recount(sqlite::Database& db, const std::string& table) {
    if (sqlite::query_int64(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name = 'gpkg_ogr_contents'") == 0) {
        return;
    }
    db.exec("UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM \"" + table +
            "\") WHERE lower(table_name) = lower('" + table + "')");
}

const std::array<Rgb, 7> yl_or_rd_7{{{255, 255, 178},
                                     {254, 217, 118},
                                     {254, 178, 76},
                                     {253, 141, 60},
                                     {252, 78, 42},
                                     {227, 26, 28},
                                     {177, 0, 38}}};
const std::array<Rgb, 7> rd_bu_7{{{178, 24, 43},
                                  {239, 138, 98},
                                  {253, 219, 199},
                                  {247, 247, 247},
                                  {209, 229, 240},
                                  {103, 169, 207},
                                  {33, 102, 172}}};

} // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    xml::append_attribute(out, text);
    return out;
}

std::vector<Rgb> ramp_colours(Ramp ramp, int classes) {
    if (classes < 2) {
        throw InputError("a colour ramp needs at least 2 classes, got " + std::to_string(classes));
    }
    const std::array<Rgb, 7>& stops = ramp == Ramp::yl_or_rd ? yl_or_rd_7 : rd_bu_7;
    std::vector<Rgb> out;
    for (int i = 0; i < classes; ++i) {
        // Linear in RGB between ColorBrewer's 7 stops; exact for 7 classes.
        const double at = static_cast<double>(i) * 6.0 / (classes - 1);
        const int low = std::min(static_cast<int>(at), 5);
        const double t = at - low;
        const auto mix = [t](int a, int b) {
            return static_cast<int>(std::lround(a + (b - a) * t));
        };
        out.push_back({mix(stops[low].r, stops[low + 1].r), mix(stops[low].g, stops[low + 1].g),
                       mix(stops[low].b, stops[low + 1].b)});
    }
    return out;
}

std::string vector_qml(const VectorStyle& style) {
    check_opacity(style.opacity);
    if (!(style.size > 0)) {
        throw InputError("symbol size must be positive, got " + number(style.size));
    }
    std::string out = doctype;
    out += "<qgis" + attr("version", qgis_version) +
           attr("labelsEnabled", style.label_field.empty() ? "0" : "1") +
           " styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\""
           " minScale=\"100000000\" maxScale=\"0\">\n";
    out += renderer_xml(style);
    if (!style.label_field.empty()) {
        out += labeling_xml(style);
    }
    out += "<blendMode>0</blendMode>\n<featureBlendMode>0</featureBlendMode>\n";
    out += element("layerOpacity", number(style.opacity));
    return out + "</qgis>\n";
}

std::string raster_qml(const RasterStyle& style) {
    if (!(style.min < style.max)) {
        throw InputError("a raster style needs min < max, got " + number(style.min) + " and " +
                         number(style.max));
    }
    check_opacity(style.opacity);
    if (style.band < 1) {
        throw InputError("raster bands count from 1, got " + std::to_string(style.band));
    }
    std::vector<Rgb> colours(7);
    if (style.diverging) {
        // Low (cold) blue, high (hot) red.
        std::reverse_copy(rd_bu_7.begin(), rd_bu_7.end(), colours.begin());
    } else {
        std::copy(yl_or_rd_7.begin(), yl_or_rd_7.end(), colours.begin());
    }
    std::string out = doctype;
    out += "<qgis" + attr("version", qgis_version) +
           " styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\""
           " minScale=\"1e+08\" maxScale=\"0\">\n";
    out += "<pipe>\n<provider>\n<resampling enabled=\"false\" maxOversampling=\"2\""
           " zoomedInResamplingMethod=\"nearestNeighbour\""
           " zoomedOutResamplingMethod=\"nearestNeighbour\"/>\n</provider>\n";
    out += "<rasterrenderer type=\"singlebandpseudocolor\"" +
           attr("band", std::to_string(style.band)) + attr("opacity", number(style.opacity)) +
           " alphaBand=\"-1\" nodataColor=\"\"" + attr("classificationMin", number(style.min)) +
           attr("classificationMax", number(style.max)) + ">\n";
    out += "<rasterTransparency/>\n<minMaxOrigin>\n<limits>None</limits>\n"
           "<extent>WholeRaster</extent>\n<statAccuracy>Estimated</statAccuracy>\n"
           "<cumulativeCutLower>0.02</cumulativeCutLower>\n"
           "<cumulativeCutUpper>0.98</cumulativeCutUpper>\n<stdDevFactor>2</stdDevFactor>\n"
           "</minMaxOrigin>\n";
    out += "<rastershader>\n<colorrampshader colorRampType=\"INTERPOLATED\""
           " classificationMode=\"1\" clip=\"0\" labelPrecision=\"4\"" +
           attr("minimumValue", number(style.min)) + attr("maximumValue", number(style.max)) +
           ">\n";
    for (std::size_t i = 0; i < colours.size(); ++i) {
        const double value =
            style.min + (style.max - style.min) * static_cast<double>(i) / (colours.size() - 1);
        const std::size_t clear = style.diverging ? colours.size() / 2 : 0;
        const bool transparent = style.fade && i == clear;
        out += "<item" + attr("value", number(value)) + attr("color", hex(colours[i])) +
               attr("alpha", transparent ? "0" : "255") + attr("label", number(value)) + "/>\n";
    }
    out += "</colorrampshader>\n</rastershader>\n</rasterrenderer>\n";
    out += "<brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
           "<huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\""
           " colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\""
           " colorizeStrength=\"100\" invertColors=\"0\"/>\n"
           "<rasterresampler maxOversampling=\"2\"/>\n"
           "<resamplingStage>resamplingFilter</resamplingStage>\n</pipe>\n";
    return out + "<blendMode>0</blendMode>\n</qgis>\n";
}

void write_layer_styles(const std::filesystem::path& gpkg, const std::vector<StoredStyle>& styles) {
    require_gpkg(gpkg);
    ensure_layer_styles(gpkg);
    GpkgConnection connection(gpkg);
    sqlite::Database& db = connection.db();
    {
        sqlite::Transaction transaction(db);
        sqlite::Statement clear_default(
            db, "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?");
        sqlite::Statement remove(
            db, "DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?");
        // As QGIS fills them: catalog and schema '' (its loadStyle matches
        // f_table_schema = ''), owner '', ui NULL, update_time by default.
        sqlite::Statement insert(
            db, "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, '', ?, ?, '', NULL)");
        for (const StoredStyle& style : styles) {
            if (!table_in_contents(db, style.table)) {
                throw InputError("layer_styles in " + gpkg.string() + ": no table " + style.table);
            }
            if (style.name.empty() || style.qml.empty()) {
                throw InputError("layer_styles in " + gpkg.string() + ": the style of " +
                                 style.table + " needs a name and a QML document");
            }
            if (style.use_as_default) {
                clear_default.bind(1, style.table);
                clear_default.run();
            }
            remove.bind(1, style.table).bind(2, style.name);
            remove.run();
            insert.bind(1, style.table)
                .bind(2, style.geometry_column)
                .bind(3, style.name)
                .bind(4, style.qml)
                .bind(5, style.use_as_default)
                .bind(6, style.description);
            insert.run();
        }
        recount(db, "layer_styles");
        transaction.commit();
    }
    connection.close();
}

std::string metadata_xml(const LayerMetadata& metadata) {
    return std::string(doctype) + "<qgis" + attr("version", qgis_version) + ">\n" +
           metadata_children(metadata) + "</qgis>\n";
}

void write_layer_metadata(const std::filesystem::path& gpkg, const std::string& table,
                          const LayerMetadata& metadata) {
    require_gpkg(gpkg);
    GpkgConnection connection(gpkg);
    sqlite::Database& db = connection.db();
    {
        sqlite::Transaction transaction(db);
        if (!table_in_contents(db, table)) {
            throw InputError("metadata in " + gpkg.string() + ": no table " + table);
        }
        // The metadata extension's tables as GeoPackage 1.2 defines them, and
        // registered the way GDAL registers them.
        db.exec("CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY "
                "ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT "
                "NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT "
                "'');"
                "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT "
                "NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp "
                "DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id "
                "INTEGER NOT NULL, md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY "
                "(md_file_id) REFERENCES gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY "
                "(md_parent_id) REFERENCES gpkg_metadata(id));"
                "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
                "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
                "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));");
        for (const char* name : {"gpkg_metadata", "gpkg_metadata_reference"}) {
            sqlite::Statement registered(
                db, "SELECT COUNT(*) FROM gpkg_extensions WHERE table_name = ? AND "
                    "extension_name = 'gpkg_metadata'");
            registered.bind(1, name);
            if (registered.step() && registered.column_int64(0) == 0) {
                sqlite::Statement add(
                    db, "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                        "definition, scope) VALUES (?, NULL, 'gpkg_metadata', "
                        "'http://www.geopackage.org/spec120/#extension_metadata', 'read-write')");
                add.bind(1, name);
                add.run();
            }
        }
        sqlite::Statement unlink(
            db, "DELETE FROM gpkg_metadata_reference WHERE reference_scope = 'table' AND "
                "lower(table_name) = lower(?) AND md_file_id IN (SELECT id FROM gpkg_metadata "
                "WHERE md_standard_uri = ?)");
        unlink.bind(1, table).bind(2, qgis_metadata_uri);
        unlink.run();
        sqlite::Statement orphans(
            db, "DELETE FROM gpkg_metadata WHERE md_standard_uri = ? AND id NOT IN (SELECT "
                "md_file_id FROM gpkg_metadata_reference)");
        orphans.bind(1, qgis_metadata_uri);
        orphans.run();
        sqlite::Statement insert(db, "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, "
                                     "mime_type, metadata) VALUES ('dataset', ?, 'text/xml', ?)");
        insert.bind(1, qgis_metadata_uri).bind(2, metadata_xml(metadata));
        insert.run();
        sqlite::Statement reference(
            db, "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, md_file_id) "
                "VALUES ('table', ?, ?)");
        reference.bind(1, table).bind(2, db.last_insert_rowid());
        reference.run();
        transaction.commit();
    }
    connection.close();
}

std::string project_layer_id(const std::string& id) {
    return id.size() > 10 ? id : id + "_map_layer";
}

void write_project(const std::filesystem::path& qgs, const ProjectSpec& spec) {
    const auto& e = spec.extent;
    if (!(e[0] < e[2] && e[1] < e[3])) {
        throw InputError("project " + qgs.string() +
                         ": the extent needs xmin < xmax and ymin < "
                         "ymax");
    }
    std::set<std::string> ids;
    for (const ProjectGroup& group : spec.groups) {
        for (const ProjectLayer& layer : group.layers) {
            if (!valid_id(layer.id)) {
                throw InputError("project " + qgs.string() + ": layer id '" + layer.id +
                                 "' must be letters, digits and _");
            }
            if (!ids.insert(layer.id).second) {
                throw InputError("project " + qgs.string() + ": layer id " + layer.id +
                                 " is used twice");
            }
        }
    }
    const std::filesystem::path dir = qgs.parent_path().empty() ? "." : qgs.parent_path();
    const std::string project_crs = spatialrefsys(spec.crs_epsg);

    std::string out = doctype;
    out += "<qgis" + attr("projectname", spec.title) + attr("version", qgis_version) + ">\n";
    out += "<homePath path=\"\"/>\n";
    out += element("title", spec.title);
    out += "<projectCrs>\n" + project_crs + "</projectCrs>\n";

    // The tree, top first: the first group's first layer is drawn on top.
    out += "<layer-tree-group>\n<customproperties>\n<Option/>\n</customproperties>\n";
    std::string order;
    for (const ProjectGroup& group : spec.groups) {
        out += "<layer-tree-group" + attr("name", group.name) + " checked=\"Qt::Checked\"" +
               attr("expanded", group.expanded ? "1" : "0") +
               ">\n<customproperties>\n<Option/>\n</customproperties>\n";
        for (const ProjectLayer& layer : group.layers) {
            out += tree_layer_xml(layer, dir);
            order += "<item>" + xml_escape(project_layer_id(layer.id)) + "</item>\n";
        }
        out += "</layer-tree-group>\n";
    }
    out += "<custom-order enabled=\"0\">\n" + order + "</custom-order>\n</layer-tree-group>\n";

    out += "<projectlayers>\n";
    std::string layer_order;
    for (const ProjectGroup& group : spec.groups) {
        for (const ProjectLayer& layer : group.layers) {
            out += maplayer_xml(layer, spec, dir);
            layer_order += "<layer" + attr("id", project_layer_id(layer.id)) + "/>\n";
        }
    }
    out += "</projectlayers>\n<layerorder>\n" + layer_order + "</layerorder>\n";

    out += "<properties>\n<Paths>\n<Absolute type=\"bool\">false</Absolute>\n</Paths>\n"
           "<SpatialRefSys>\n<ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n"
           "</SpatialRefSys>\n<Gui>\n<CanvasColorRedPart type=\"int\">255</CanvasColorRedPart>\n"
           "<CanvasColorGreenPart type=\"int\">255</CanvasColorGreenPart>\n"
           "<CanvasColorBluePart type=\"int\">255</CanvasColorBluePart>\n</Gui>\n</properties>\n";
    // Where QGIS Desktop opens (the canvas), and the default view (what QGIS
    // Server and "Zoom to project default view" use).
    out +=
        "<mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n<units>" +
        std::string(gdal::SpatialReference::from_epsg(spec.crs_epsg).is_geographic() ? "degrees"
                                                                                     : "meters") +
        "</units>\n" + extent_xml(e) + "<rotation>0</rotation>\n<destinationsrs>\n" + project_crs +
        "</destinationsrs>\n<rendermaptile>0</rendermaptile>\n</mapcanvas>\n";
    out += "<ProjectViewSettings UseProjectScales=\"0\" rotation=\"0\">\n<Scales/>\n"
           "<DefaultViewExtent" +
           attr("xmin", number(e[0])) + attr("ymin", number(e[1])) + attr("xmax", number(e[2])) +
           attr("ymax", number(e[3])) + ">\n" + project_crs + "</DefaultViewExtent>\n" +
           "</ProjectViewSettings>\n";
    out += "<projectMetadata>\n" + element("identifier", spec.title) +
           "<parentidentifier></parentidentifier>\n<language></language>\n<type></type>\n" +
           element("title", spec.title) + "<abstract></abstract>\n<links/>\n</projectMetadata>\n";
    out += "</qgis>\n";

    const std::filesystem::path temporary = qgs.string() + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file << out;
        file.close();
        if (!file) {
            throw IoError("cannot write QGIS project " + temporary.string());
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, qgs, error);
    if (error) {
        throw IoError("cannot write QGIS project " + qgs.string() + ": " + error.message());
    }
}

} // namespace waymark::qgis
