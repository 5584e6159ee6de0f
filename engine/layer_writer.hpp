#pragma once

// The one writer of vector layers (design/ARCHITECTURE.md): every layer goes
// into a GeoPackage in the working CRS, for QGIS, and into an RFC 7946
// GeoJSON copy in WGS 84, each carrying its title, abstract, the profile and
// the parameters that made it. It takes only layers the profile stage has
// approved (engine/profile_stage.hpp), for the profile it was opened with.

#include "engine/profile.hpp"
#include "geo/point.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace waymark {

struct LayerField {
    enum class Type { integer, real, text };
    std::string name;
    Type type = Type::text;
};

/// A field's value; monostate writes a null.
using LayerValue = std::variant<std::monostate, std::int64_t, double, std::string>;

struct LayerFeature {
    /// Polygon layers: the outer ring, then any holes (each open or closed;
    /// the writer closes them). Point layers: one ring of one point. Line
    /// layers: one run of at least two points.
    std::vector<std::vector<geo::Point>> rings;
    std::vector<LayerValue> values; ///< one per field, in the layer's field order
};

struct LayerDescription {
    enum class Geometry { point, line, polygon };
    std::string name;     ///< the table / file name: [a-z0-9_]
    std::string title;    ///< shown by QGIS as the layer's title
    std::string abstract; ///< what it shows and how to read it
    Geometry geometry = Geometry::polygon;
    std::vector<LayerField> fields;
    /// Written as layer metadata (parameters of the analysis, say).
    std::map<std::string, std::string> metadata;
};

class ApprovedLayer;

/// Where approved layers go: files (LayerWriter) or memory (the viewer's
/// API, engine/viewer_api.cpp). Analyses write to a sink and never know which.
class LayerSink {
public:
    virtual ~LayerSink() = default;
    /// Takes one layer the profile stage approved. Throws Error for a layer
    /// approved for another profile than the sink's.
    virtual void write(const ApprovedLayer& approved) = 0;
};

/// A layer written, for manifests and project files.
struct WrittenLayer {
    LayerDescription description; ///< as given (metadata: the layer's own items)
    std::int64_t features = 0;
};

class LayerWriter final : public LayerSink {
public:
    /// Writes `dir/<stem>.gpkg` and `dir/geojson/<layer>.geojson`, replacing
    /// files of those names. `common_metadata` is added to every layer.
    /// Throws IoError naming the file.
    LayerWriter(const std::filesystem::path& dir, const std::string& stem, int working_crs,
                Profile profile, std::map<std::string, std::string> common_metadata);
    LayerWriter(LayerWriter&&) noexcept;
    LayerWriter& operator=(LayerWriter&&) noexcept;
    ~LayerWriter();

    /// Writes one layer to both files, in one transaction for the GeoPackage.
    /// Throws Error for a layer approved for another profile, InputError for
    /// a feature whose value count or types do not match the fields, IoError
    /// for GDAL failures.
    void write(const ApprovedLayer& approved) override;

    /// The GeoPackage being written (its layers are readable once closed).
    const std::filesystem::path& geopackage() const;
    /// The layers written so far, in order.
    const std::vector<WrittenLayer>& layers() const;

    /// Closes both datasets; returns every file written. Throws IoError.
    std::vector<std::filesystem::path> close();

    struct State;

private:
    std::unique_ptr<State> m_state;
};

} // namespace waymark
