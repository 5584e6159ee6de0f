#pragma once

// The location block of DATA-MODEL.md ("Location block"): a `P_*` group of
// columns in CSV (`from_postcode`, `found_x`, ...) or a JSON `location` object.
//
// Every member of the model's records has a default initialiser, so that
// designated initialisers ({.postcode = "ZZ1 4AB"}) build without
// -Wmissing-field-initializers warnings; keep it so when adding fields.

#include "engine/model/enums.hpp"

#include <optional>
#include <string>

namespace waymark::model {

/// EPSG code of British National Grid, the default `P_crs` and gazetteer `crs`.
inline constexpr int british_national_grid = 27700;

/// A point in some coordinate reference system (which one is said where it is used).
struct Point {
    double x = 0.0;
    double y = 0.0;

    bool operator==(const Point&) const = default;
};

/// Where location resolution put a location; set by the importers, not read from input.
struct ResolvedPoint {
    Resolution how = Resolution::unresolved;
    Point point{};           ///< in the working CRS; meaningless when how == unresolved
    std::string place_key{}; ///< gazetteer key used (place_id, postcode or label match), if any

    bool operator==(const ResolvedPoint&) const = default;
};

/// A location as given. Any of the ways below may be present; they are used in
/// this order of precedence: x/y/crs, lat/lon, place_id, postcode, label.
/// Text fields are empty when not given.
struct Location {
    std::optional<double> x{};       ///< `P_x`, in `crs`
    std::optional<double> y{};       ///< `P_y`, in `crs`
    int crs = british_national_grid; ///< `P_crs`: EPSG code of x/y
    std::optional<double> lat{};     ///< `P_lat`, WGS 84 (EPSG:4326)
    std::optional<double> lon{};     ///< `P_lon`, WGS 84 (EPSG:4326)
    std::string place_id{};          ///< `P_place_id`: a gazetteer key (UPRN or local place id)
    std::string postcode{};          ///< `P_postcode` as given (normalised when matched)
    std::string label{};             ///< `P_label`: free text, always kept for display
    std::optional<PlaceType> type{}; ///< `P_type`
    std::optional<ResolvedPoint> resolved{}; ///< set by location resolution

    /// True when nothing locates or describes the place: no coordinate, place
    /// id, postcode or label (crs, type and resolved are not considered).
    bool is_empty() const noexcept {
        return !x && !y && !lat && !lon && place_id.empty() && postcode.empty() && label.empty();
    }

    bool operator==(const Location&) const = default;
};

} // namespace waymark::model
