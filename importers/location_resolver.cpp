#include "importers/location_resolver.hpp"

#include "base/error.hpp"
#include "importers/postcode.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

namespace waymark::importers {

namespace {

using model::Resolution;

/// How far beyond the area a lat/lon may lie and still count as "near" it
/// when deciding whether the axes were swapped: 50 km, or half a degree when
/// the working CRS is geographic.
constexpr double near_margin_metres = 50'000.0;
constexpr double near_margin_degrees = 0.5;

std::string number(double value) {
    char buffer[32];
    const int n = std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
}

void warn(ResolveOutcome& outcome, LocationWarning code, std::string message) {
    outcome.warnings.push_back({code, std::move(message)});
}

bool has_text(const std::string& text) {
    for (const char c : text) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return true;
        }
    }
    return false;
}

} // namespace

std::string_view to_string(LocationWarning warning) noexcept {
    switch (warning) {
    case LocationWarning::swapped_lat_lon:
        return "swapped_lat_lon";
    case LocationWarning::outside_extent:
        return "outside_extent";
    case LocationWarning::invalid_coordinates:
        return "invalid_coordinates";
    case LocationWarning::unknown_crs:
        return "unknown_crs";
    case LocationWarning::postcode_not_in_gazetteer:
        return "postcode_not_in_gazetteer";
    case LocationWarning::malformed_postcode:
        return "malformed_postcode";
    case LocationWarning::place_id_not_in_gazetteer:
        return "place_id_not_in_gazetteer";
    case LocationWarning::label_not_in_gazetteer:
        return "label_not_in_gazetteer";
    case LocationWarning::ambiguous_label:
        return "ambiguous_label";
    case LocationWarning::unresolved:
        return "unresolved";
    }
    return "unresolved";
}

bool ResolveOutcome::has(LocationWarning code) const noexcept {
    for (const ResolveWarning& warning : warnings) {
        if (warning.code == code) {
            return true;
        }
    }
    return false;
}

struct LocationResolver::Transform {
    std::unique_ptr<gdal::CoordinateTransformation>
        transformation;      ///< null when the CRS is unknown
    bool unknown = false;    ///< PROJ does not know the CRS
    bool geographic = false; ///< the source CRS is geographic (x = lon, y = lat)
};

LocationResolver::LocationResolver(int working_crs, const GazetteerIndex& gazetteer,
                                   std::optional<AreaExtent> extent)
    : m_working_crs(working_crs), m_gazetteer(&gazetteer), m_extent(extent),
      m_working(std::make_unique<gdal::SpatialReference>(
          gdal::SpatialReference::from_epsg(working_crs))) {
    m_working_geographic = m_working->is_geographic();
    const double margin =
        m_working_geographic
            ? near_margin_degrees
            : near_margin_metres /
                  (m_working->metres_per_unit() > 0 ? m_working->metres_per_unit() : 1.0);
    const std::optional<AreaExtent> area = m_extent ? m_extent : gazetteer.bounds();
    if (area) {
        m_near = area->grown(margin);
    }
}

LocationResolver::~LocationResolver() = default;
LocationResolver::LocationResolver(LocationResolver&&) noexcept = default;
LocationResolver& LocationResolver::operator=(LocationResolver&&) noexcept = default;

const LocationResolver::Transform& LocationResolver::transform_from(int crs) const {
    auto at = m_transforms.find(crs);
    if (at == m_transforms.end()) {
        auto entry = std::make_unique<Transform>();
        try {
            const gdal::SpatialReference source = gdal::SpatialReference::from_epsg(crs);
            entry->geographic = source.is_geographic();
            entry->transformation =
                std::make_unique<gdal::CoordinateTransformation>(source, *m_working);
        } catch (const Error&) {
            entry->unknown = true;
            entry->transformation.reset();
        }
        at = m_transforms.emplace(crs, std::move(entry)).first;
    }
    return *at->second;
}

bool LocationResolver::transform_point(const gdal::CoordinateTransformation* transform, double x,
                                       double y, model::Point& point) const noexcept {
    try {
        transform->transform(x, y);
    } catch (const std::exception&) {
        return false;
    }
    if (!std::isfinite(x) || !std::isfinite(y)) {
        return false;
    }
    point = {x, y};
    return true;
}

bool LocationResolver::near_area(model::Point point) const noexcept {
    return !m_near || m_near->contains(point);
}

bool LocationResolver::geographic(const Transform& transform, int xy_crs, double lon, double lat,
                                  model::Point& point, ResolveOutcome& outcome) const {
    const auto what = [xy_crs] {
        return xy_crs == 0 ? std::string("lat/lon")
                           : "coordinates in EPSG:" + std::to_string(xy_crs);
    };
    const bool given_valid = std::abs(lat) <= 90.0 && std::abs(lon) <= 180.0;
    const bool swapped_valid = std::abs(lon) <= 90.0 && std::abs(lat) <= 180.0;
    const auto to_working = [&](double x, double y, model::Point& out) {
        return transform.transformation != nullptr &&
               transform_point(transform.transformation.get(), x, y, out);
    };
    model::Point given{};
    const bool given_ok = given_valid && to_working(lon, lat, given);
    if (given_ok && near_area(given)) {
        point = given;
        return true;
    }
    // Not a valid point in or near the area as given: try the axes the other way round.
    model::Point swapped{};
    if (swapped_valid && lat != lon && to_working(lat, lon, swapped) &&
        (m_near ? m_near->contains(swapped) : !given_valid)) {
        warn(outcome, LocationWarning::swapped_lat_lon,
             what() + " (lat " + number(lat) + ", lon " + number(lon) +
                 ") look swapped: read as lat " + number(lon) + ", lon " + number(lat));
        point = swapped;
        return true;
    }
    if (given_ok) {
        point = given; // far from the area, but a point: outside_extent will say so
        return true;
    }
    warn(outcome, LocationWarning::invalid_coordinates,
         what() + " (lat " + number(lat) + ", lon " + number(lon) +
             (given_valid ? ") cannot be transformed to EPSG:" + std::to_string(m_working_crs)
                          : ") are not a valid latitude and longitude"));
    return false;
}

bool LocationResolver::try_coordinates(const model::Location& location, model::Point& point,
                                       ResolveOutcome& outcome) const {
    if (!location.x || !location.y) {
        warn(outcome, LocationWarning::invalid_coordinates,
             location.x ? "x given without y" : "y given without x");
        return false;
    }
    const double x = *location.x;
    const double y = *location.y;
    if (!std::isfinite(x) || !std::isfinite(y)) {
        warn(outcome, LocationWarning::invalid_coordinates,
             "coordinates (" + number(x) + ", " + number(y) + ") are not finite");
        return false;
    }
    if (location.crs == m_working_crs && !m_working_geographic) {
        point = {x, y};
        return true;
    }
    const Transform& transform = transform_from(location.crs);
    if (transform.unknown) {
        warn(outcome, LocationWarning::unknown_crs,
             "unknown CRS EPSG:" + std::to_string(location.crs) + " for coordinates (" + number(x) +
                 ", " + number(y) + ")");
        return false;
    }
    if (transform.geographic) {
        return geographic(transform, location.crs, x, y, point, outcome);
    }
    if (!transform_point(transform.transformation.get(), x, y, point)) {
        warn(outcome, LocationWarning::invalid_coordinates,
             "coordinates (" + number(x) + ", " + number(y) +
                 ") in EPSG:" + std::to_string(location.crs) +
                 " cannot be transformed to EPSG:" + std::to_string(m_working_crs));
        return false;
    }
    return true;
}

bool LocationResolver::try_lat_lon(const model::Location& location, model::Point& point,
                                   ResolveOutcome& outcome) const {
    if (!location.lat || !location.lon) {
        warn(outcome, LocationWarning::invalid_coordinates,
             location.lat ? "lat given without lon" : "lon given without lat");
        return false;
    }
    const double lat = *location.lat;
    const double lon = *location.lon;
    if (!std::isfinite(lat) || !std::isfinite(lon)) {
        warn(outcome, LocationWarning::invalid_coordinates,
             "lat/lon (" + number(lat) + ", " + number(lon) + ") are not finite");
        return false;
    }
    return geographic(transform_from(4326), 0, lon, lat, point, outcome);
}

ResolveOutcome LocationResolver::resolve(model::Location& location) const {
    ResolveOutcome outcome;
    if (!location.resolved) {
        location.resolved.emplace();
    }
    model::ResolvedPoint& resolved = *location.resolved;
    resolved.how = Resolution::unresolved;
    resolved.point = {};
    resolved.place_key.clear();

    const auto done = [&](Resolution how, model::Point point, const GazetteerRecord* record) {
        resolved.how = how;
        resolved.point = point;
        if (record != nullptr) {
            resolved.place_key = record->key;
        }
        if (m_extent && !m_extent->contains(point)) {
            warn(outcome, LocationWarning::outside_extent,
                 "point (" + number(point.x) + ", " + number(point.y) + ") in EPSG:" +
                     std::to_string(m_working_crs) + " lies outside the area's extent");
        }
        outcome.resolved = true;
    };

    model::Point point{};
    if ((location.x || location.y) && try_coordinates(location, point, outcome)) {
        done(Resolution::coordinates, point, nullptr);
        return outcome;
    }
    if ((location.lat || location.lon) && try_lat_lon(location, point, outcome)) {
        done(Resolution::lat_lon, point, nullptr);
        return outcome;
    }
    if (has_text(location.place_id)) {
        if (const GazetteerRecord* record = m_gazetteer->find_key(location.place_id)) {
            done(Resolution::place_id, record->point, record);
            return outcome;
        }
        warn(outcome, LocationWarning::place_id_not_in_gazetteer,
             "place id \"" + location.place_id + "\" is not in the gazetteer");
    }
    if (has_text(location.postcode)) {
        char buffer[max_postcode_length];
        const std::size_t length = normalise_postcode(location.postcode, buffer);
        if (length == 0) {
            warn(outcome, LocationWarning::malformed_postcode,
                 "\"" + location.postcode + "\" is not a UK postcode");
        } else {
            const std::string_view normalised(buffer, length);
            if (const GazetteerRecord* record = m_gazetteer->find_postcode(normalised)) {
                if (location.postcode != normalised) {
                    location.postcode.assign(normalised);
                }
                done(Resolution::postcode, record->point, record);
                return outcome;
            }
            warn(outcome, LocationWarning::postcode_not_in_gazetteer,
                 "postcode " + std::string(normalised) + " is not in the gazetteer");
        }
    }
    if (has_text(location.label)) {
        if (const GazetteerRecord* record = m_gazetteer->find_label(location.label)) {
            done(Resolution::label, record->point, record);
            return outcome;
        }
        if (m_gazetteer->ambiguous_label(location.label)) {
            warn(outcome, LocationWarning::ambiguous_label,
                 "label \"" + location.label + "\" names several gazetteer places");
        } else {
            warn(outcome, LocationWarning::label_not_in_gazetteer,
                 "label \"" + location.label + "\" is not in the gazetteer");
        }
    }
    if (!outcome.warnings.empty()) {
        // Something was given but nothing located it; a bare type or an empty
        // block is simply absent and not worth a warning.
        warn(outcome, LocationWarning::unresolved, "location not resolved; its text is kept");
    }
    return outcome;
}

} // namespace waymark::importers
