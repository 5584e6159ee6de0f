#include "engine/layer_writer.hpp"

#include "base/error.hpp"
#include "engine/profile_stage.hpp"
#include "geo/gdal.hpp"

#include <gdal.h>
#include <ogr_api.h>

#include <optional>
#include <system_error>
#include <utility>

namespace waymark {
namespace {

constexpr int wgs84 = 4326;

// An OGR geometry until a feature takes it over.
struct GeometryDeleter {
    void operator()(OGRGeometryH geometry) const noexcept { OGR_G_DestroyGeometry(geometry); }
};
using OwnedGeometry = std::unique_ptr<std::remove_pointer_t<OGRGeometryH>, GeometryDeleter>;

OGRFieldType ogr_type(LayerField::Type type) {
    switch (type) {
    case LayerField::Type::integer:
        return OFTInteger64;
    case LayerField::Type::real:
        return OFTReal;
    case LayerField::Type::text:
        return OFTString;
    }
    return OFTString;
}

void remove_file(const std::filesystem::path& path) {
    std::error_code error;
    std::filesystem::remove(path, error);
    if (error) {
        throw IoError("cannot replace " + path.string() + ": " + error.message());
    }
}

void check(OGRErr result, const std::string& what) {
    if (result != OGRERR_NONE) {
        const std::string message = gdal::last_error();
        throw IoError(what + (message.empty() ? "" : ": " + message));
    }
}

// Builds the feature's geometry, transformed into the output CRS when
// `transform` is given.
OwnedGeometry make_geometry(const LayerDescription& layer, const LayerFeature& feature,
                            const gdal::CoordinateTransformation* transform) {
    const auto project = [transform](geo::Point p) {
        if (transform != nullptr) {
            transform->transform(p.x, p.y);
        }
        return p;
    };
    if (layer.geometry == LayerDescription::Geometry::point) {
        if (feature.rings.size() != 1 || feature.rings.front().size() != 1) {
            throw InputError("layer " + layer.name + ": a point feature needs exactly one point");
        }
        OwnedGeometry point(OGR_G_CreateGeometry(wkbPoint));
        const geo::Point p = project(feature.rings.front().front());
        OGR_G_SetPoint_2D(point.get(), 0, p.x, p.y);
        return point;
    }
    if (layer.geometry == LayerDescription::Geometry::line) {
        if (feature.rings.size() != 1 || feature.rings.front().size() < 2) {
            throw InputError("layer " + layer.name + ": a line feature needs one run of 2 points");
        }
        OwnedGeometry line(OGR_G_CreateGeometry(wkbLineString));
        for (const geo::Point& vertex : feature.rings.front()) {
            const geo::Point p = project(vertex);
            OGR_G_AddPoint_2D(line.get(), p.x, p.y);
        }
        return line;
    }
    if (feature.rings.empty() || feature.rings.front().size() < 3) {
        throw InputError("layer " + layer.name + ": a polygon feature needs a ring of 3 points");
    }
    OwnedGeometry polygon(OGR_G_CreateGeometry(wkbPolygon));
    for (const auto& ring_points : feature.rings) {
        OwnedGeometry ring(OGR_G_CreateGeometry(wkbLinearRing));
        for (const geo::Point& corner : ring_points) {
            const geo::Point p = project(corner);
            OGR_G_AddPoint_2D(ring.get(), p.x, p.y);
        }
        OGR_G_CloseRings(ring.get());
        check(OGR_G_AddGeometryDirectly(polygon.get(), ring.release()),
              "layer " + layer.name + ": adding a ring");
    }
    return polygon;
}

void set_value(OGRFeatureH feature, int index, const LayerField& field, const LayerValue& value,
               const std::string& layer) {
    if (std::holds_alternative<std::monostate>(value)) {
        OGR_F_SetFieldNull(feature, index);
        return;
    }
    const bool matches =
        (field.type == LayerField::Type::integer && std::holds_alternative<std::int64_t>(value)) ||
        (field.type == LayerField::Type::real && std::holds_alternative<double>(value)) ||
        (field.type == LayerField::Type::text && std::holds_alternative<std::string>(value));
    if (!matches) {
        throw InputError("layer " + layer + ": field " + field.name +
                         " was given a value of another type");
    }
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        OGR_F_SetFieldInteger64(feature, index, *integer);
    } else if (const auto* real = std::get_if<double>(&value)) {
        OGR_F_SetFieldDouble(feature, index, *real);
    } else {
        OGR_F_SetFieldString(feature, index, std::get<std::string>(value).c_str());
    }
}

void add_fields(OGRLayerH layer, const LayerDescription& description, const std::string& file) {
    for (const LayerField& field : description.fields) {
        OGRFieldDefnH definition = OGR_Fld_Create(field.name.c_str(), ogr_type(field.type));
        const OGRErr result = OGR_L_CreateField(layer, definition, TRUE);
        OGR_Fld_Destroy(definition);
        check(result,
              "cannot add field " + field.name + " to layer " + description.name + " in " + file);
    }
}

void write_features(OGRLayerH layer, const LayerDescription& description,
                    std::span<const LayerFeature> features,
                    const gdal::CoordinateTransformation* transform, const std::string& file) {
    for (const LayerFeature& source : features) {
        gdal::Feature feature(layer);
        for (std::size_t i = 0; i < description.fields.size(); ++i) {
            set_value(feature.get(), static_cast<int>(i), description.fields[i], source.values[i],
                      description.name);
        }
        OGR_F_SetGeometryDirectly(feature.get(),
                                  make_geometry(description, source, transform).release());
        check(OGR_L_CreateFeature(layer, feature.get()),
              "cannot write a feature of layer " + description.name + " to " + file);
    }
}

} // namespace

struct LayerWriter::State {
    std::filesystem::path dir;
    std::filesystem::path gpkg_path;
    gdal::SpatialReference working;
    gdal::SpatialReference geographic;
    gdal::CoordinateTransformation to_wgs84;
    Profile profile;
    std::map<std::string, std::string> common;
    std::optional<gdal::Dataset> gpkg;
    std::vector<std::filesystem::path> written;
    std::vector<WrittenLayer> layers;

    State(const std::filesystem::path& out, const std::string& stem, int crs, Profile p,
          std::map<std::string, std::string> metadata)
        : dir(out), gpkg_path(out / (stem + ".gpkg")),
          working(gdal::SpatialReference::from_epsg(crs)),
          geographic(gdal::SpatialReference::from_epsg(wgs84)), to_wgs84(working, geographic),
          profile(p), common(std::move(metadata)) {}
};

LayerWriter::LayerWriter(const std::filesystem::path& dir, const std::string& stem, int working_crs,
                         Profile profile, std::map<std::string, std::string> common_metadata)
    : m_state(
          std::make_unique<State>(dir, stem, working_crs, profile, std::move(common_metadata))) {
    std::error_code error;
    std::filesystem::create_directories(dir / "geojson", error);
    if (error) {
        throw IoError("cannot create " + (dir / "geojson").string() + ": " + error.message());
    }
    remove_file(m_state->gpkg_path);
    m_state->gpkg.emplace(gdal::Dataset::create_vector("GPKG", m_state->gpkg_path.string()));
    m_state->common["profile"] = std::string(to_string(profile));
}

LayerWriter::LayerWriter(LayerWriter&&) noexcept = default;
LayerWriter& LayerWriter::operator=(LayerWriter&&) noexcept = default;
LayerWriter::~LayerWriter() = default;

const std::filesystem::path& LayerWriter::geopackage() const {
    return m_state->gpkg_path;
}

const std::vector<WrittenLayer>& LayerWriter::layers() const {
    return m_state->layers;
}

void LayerWriter::write(const ApprovedLayer& approved) {
    State& s = *m_state;
    const LayerDescription& layer = approved.description();
    const std::span<const LayerFeature> features = approved.features();
    if (approved.profile() != s.profile) {
        throw Error("layer " + layer.name + " was approved for the " +
                    std::string(to_string(approved.profile())) + " profile, not for the " +
                    std::string(to_string(s.profile)) + " outputs of " + s.gpkg_path.string());
    }
    if (!s.gpkg) {
        throw IoError("layer " + layer.name + ": the writer of " + s.gpkg_path.string() +
                      " is closed");
    }
    for (const LayerFeature& feature : features) {
        if (feature.values.size() != layer.fields.size()) {
            throw InputError("layer " + layer.name + ": a feature has " +
                             std::to_string(feature.values.size()) + " values for " +
                             std::to_string(layer.fields.size()) + " fields");
        }
    }
    std::map<std::string, std::string> metadata = s.common;
    metadata.insert(layer.metadata.begin(), layer.metadata.end());
    const OGRwkbGeometryType type = layer.geometry == LayerDescription::Geometry::point ? wkbPoint
                                    : layer.geometry == LayerDescription::Geometry::line
                                        ? wkbLineString
                                        : wkbPolygon;

    // The GeoPackage, in the working CRS: title and abstract go where QGIS
    // shows them (gpkg_contents), the rest into the layer's metadata.
    const std::string gpkg_file = s.gpkg_path.string();
    OGRLayerH gpkg_layer = s.gpkg->create_layer(layer.name, &s.working, type);
    GDALSetMetadataItem(gpkg_layer, "IDENTIFIER", layer.title.c_str(), nullptr);
    GDALSetMetadataItem(gpkg_layer, "DESCRIPTION", layer.abstract.c_str(), nullptr);
    for (const auto& [key, value] : metadata) {
        GDALSetMetadataItem(gpkg_layer, key.c_str(), value.c_str(), nullptr);
    }
    add_fields(gpkg_layer, layer, gpkg_file);
    check(GDALDatasetStartTransaction(s.gpkg->get(), FALSE),
          "cannot start a transaction in " + gpkg_file);
    write_features(gpkg_layer, layer, features, nullptr, gpkg_file);
    check(GDALDatasetCommitTransaction(s.gpkg->get()),
          "cannot commit layer " + layer.name + " to " + gpkg_file);

    // The GeoJSON copy, in WGS 84 (RFC 7946 has no other CRS). RFC 7946
    // allows foreign members, so the description carries the metadata.
    const std::filesystem::path json_path = s.dir / "geojson" / (layer.name + ".geojson");
    remove_file(json_path);
    std::string description = layer.title + ". " + layer.abstract;
    for (const auto& [key, value] : metadata) {
        description += " " + key + "=" + value + ";";
    }
    gdal::Dataset json = gdal::Dataset::create_vector("GeoJSON", json_path.string());
    OGRLayerH json_layer =
        json.create_layer(layer.name, &s.geographic, type,
                          {"RFC7946=YES", "WRITE_NAME=YES", "DESCRIPTION=" + description});
    add_fields(json_layer, layer, json_path.string());
    write_features(json_layer, layer, features, &s.to_wgs84, json_path.string());
    json.close();
    s.written.push_back(json_path);
    s.layers.push_back({layer, static_cast<std::int64_t>(features.size())});
}

std::vector<std::filesystem::path> LayerWriter::close() {
    State& s = *m_state;
    if (s.gpkg) {
        s.gpkg->close();
        s.gpkg.reset();
        s.written.insert(s.written.begin(), s.gpkg_path);
    }
    return s.written;
}

} // namespace waymark
