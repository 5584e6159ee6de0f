#pragma once

// The canonical columns of the CSV formats (design/DATA-MODEL.md), in the
// order Waymark writes them: one home for the writers and the importers.

#include <array>
#include <string_view>

namespace waymark::model {

/// The fields of a location block; in CSV each is prefixed (`from_x`, `found_label`).
inline constexpr std::array<std::string_view, 9> location_fields = {
    "x", "y", "crs", "lat", "lon", "place_id", "postcode", "label", "type"};

inline constexpr std::array<std::string_view, 40> episode_columns = {"episode_id",
                                                                     "child_id",
                                                                     "reported_at",
                                                                     "last_seen_at",
                                                                     "returned_at",
                                                                     "date_of_birth",
                                                                     "age",
                                                                     "sex",
                                                                     "category",
                                                                     "setting",
                                                                     "looked_after",
                                                                     "placement_area",
                                                                     "responsible_authority",
                                                                     "risk_grade",
                                                                     "police_ref",
                                                                     "from_x",
                                                                     "from_y",
                                                                     "from_crs",
                                                                     "from_lat",
                                                                     "from_lon",
                                                                     "from_place_id",
                                                                     "from_postcode",
                                                                     "from_label",
                                                                     "from_type",
                                                                     "found_x",
                                                                     "found_y",
                                                                     "found_crs",
                                                                     "found_lat",
                                                                     "found_lon",
                                                                     "found_place_id",
                                                                     "found_postcode",
                                                                     "found_label",
                                                                     "found_type",
                                                                     "returned_by",
                                                                     "missing_with",
                                                                     "safe_and_well",
                                                                     "cse",
                                                                     "cce",
                                                                     "trafficking",
                                                                     "uasc"};

inline constexpr std::array<std::string_view, 7> person_columns = {
    "person_id", "kind", "name", "aliases", "date_of_birth", "sex", "flags"};

inline constexpr std::array<std::string_view, 8> gazetteer_columns = {
    "key", "key_type", "x", "y", "crs", "label", "place_type", "restricted"};

} // namespace waymark::model
