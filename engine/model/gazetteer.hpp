#pragma once

// One row of gazetteer.csv: a place of the area's own (DATA-MODEL.md).

#include "engine/model/attributes.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/location.hpp"

#include <optional>
#include <string>

namespace waymark::model {

/// A gazetteer entry: a key that locations are matched against, and its point.
struct GazetteerEntry {
    std::string key{}; ///< a postcode, UPRN or local place id
    GazetteerKeyType key_type{};
    double x = 0.0;                  ///< in crs
    double y = 0.0;                  ///< in crs
    int crs = british_national_grid; ///< EPSG code; empty column = 27700
    std::string label{};             ///< also matched against location labels
    std::optional<PlaceType> place_type{};
    /// e.g. a children's home or refuge: never shown at address precision
    /// outside the analyst profile (PRIVACY.md). nullopt when not given.
    std::optional<bool> restricted{};
    Attributes extra{}; ///< unknown columns

    bool operator==(const GazetteerEntry&) const = default;
};

} // namespace waymark::model
