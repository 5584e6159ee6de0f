#pragma once

// Location resolution (DATA-MODEL.md, "Location block"; issue 4, point 3):
// puts a location given as coordinates in any EPSG CRS, WGS 84 lat/lon, a
// gazetteer key, a postcode or a label on a point in the working CRS, in that
// order of precedence, and says what was wrong with the ways that failed.

#include "engine/model/location.hpp"
#include "geo/gdal.hpp"
#include "importers/gazetteer_index.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace waymark::importers {

/// Why a way of giving a location failed, or what was odd about the one that
/// worked. The codes (to_string) are stable: the import report counts them.
enum class LocationWarning {
    swapped_lat_lon,     ///< lat/lon given the wrong way round; the swapped point is used
    outside_extent,      ///< the point lies outside the area's extent (the point is kept)
    invalid_coordinates, ///< x/y or lat/lon incomplete, out of range, non-finite or untransformable
    unknown_crs,         ///< `P_crs` is not an EPSG code PROJ knows
    postcode_not_in_gazetteer, ///< a well-formed postcode the gazetteer does not have
    malformed_postcode,        ///< the postcode is not UK-shaped
    place_id_not_in_gazetteer, ///< no gazetteer entry has this key
    label_not_in_gazetteer,    ///< no gazetteer entry has this label
    ambiguous_label,           ///< several gazetteer entries share this label
    unresolved,                ///< nothing located it; the text is kept
};

/// The stable code of a warning, e.g. "swapped_lat_lon".
std::string_view to_string(LocationWarning warning) noexcept;

struct ResolveWarning {
    LocationWarning code = LocationWarning::unresolved;
    std::string message{}; ///< for people: names the value that failed

    bool operator==(const ResolveWarning&) const = default;
};

struct ResolveOutcome {
    bool resolved = false;
    /// In the order they arose; empty (and unallocated) on the clean path.
    std::vector<ResolveWarning> warnings{};

    bool has(LocationWarning code) const noexcept;
};

/// Resolves location blocks against a gazetteer into the working CRS.
///
/// Not thread-safe: it caches one CoordinateTransformation per source CRS
/// (PROJ objects may not be shared between threads) in a mutable member that
/// resolve() fills. Use one resolver per thread; the GazetteerIndex it reads
/// may be shared.
class LocationResolver {
public:
    /// `gazetteer` must outlive the resolver. `extent`, when set, is the
    /// area's extent in the working CRS: points outside it are warned about,
    /// and it is the area that swapped lat/lon are judged against (otherwise
    /// the gazetteer's bounding box is, when the gazetteer is not empty).
    /// Throws InputError when `working_crs` is not an EPSG code PROJ knows.
    LocationResolver(int working_crs, const GazetteerIndex& gazetteer,
                     std::optional<AreaExtent> extent);
    ~LocationResolver();
    LocationResolver(LocationResolver&&) noexcept;
    LocationResolver& operator=(LocationResolver&&) noexcept;
    LocationResolver(const LocationResolver&) = delete;
    LocationResolver& operator=(const LocationResolver&) = delete;

    /// Fills `location.resolved` (how, point in the working CRS, place_key)
    /// using the first way that works in the order x/y/crs, lat/lon,
    /// place_id, postcode, label; the warnings of the ways that failed before
    /// are kept. A matched postcode is rewritten in its normalised form. A
    /// location that gives nothing but a type is unresolved without warnings.
    ResolveOutcome resolve(model::Location& location) const;

    int working_crs() const noexcept { return m_working_crs; }

private:
    struct Transform; // a cached transformation, or the memory that the CRS is unknown

    /// The transformation from `crs` to the working CRS, made on first use.
    const Transform& transform_from(int crs) const;
    bool try_coordinates(const model::Location& location, model::Point& point,
                         ResolveOutcome& outcome) const;
    bool try_lat_lon(const model::Location& location, model::Point& point,
                     ResolveOutcome& outcome) const;
    /// Transforms geographic (lon, lat) detecting swapped axes; `xy_crs` is
    /// the EPSG code when they were given as x/y, 0 when as lat/lon.
    bool geographic(const Transform& transform, int xy_crs, double lon, double lat,
                    model::Point& point, ResolveOutcome& outcome) const;
    bool transform_point(const gdal::CoordinateTransformation* transform, double x, double y,
                         model::Point& point) const noexcept;
    bool near_area(model::Point point) const noexcept;

    int m_working_crs;
    const GazetteerIndex* m_gazetteer;
    std::optional<AreaExtent> m_extent;
    std::optional<AreaExtent> m_near; ///< area (extent or gazetteer bounds) grown by a margin
    bool m_working_geographic = false;
    std::unique_ptr<gdal::SpatialReference> m_working;
    mutable std::unordered_map<int, std::unique_ptr<Transform>> m_transforms;
};

} // namespace waymark::importers
