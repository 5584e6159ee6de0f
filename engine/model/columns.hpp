#pragma once

// The canonical columns of the CSV formats (design/DATA-MODEL.md), in the
// order Waymark writes them, and the top-level fields of the JSON Lines
// formats: one home for the writers, the importers and import specifications.

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

/// The top-level fields of rhi.jsonl that an import specification may name
/// (`notes` is read too, but cannot be renamed).
inline constexpr std::array<std::string_view, 26> rhi_fields = {"rhi_id",
                                                                "episode_id",
                                                                "child_id",
                                                                "referred_at",
                                                                "offered_at",
                                                                "outcome",
                                                                "decline_reason",
                                                                "conducted_at",
                                                                "mode",
                                                                "independent",
                                                                "consent_to_share",
                                                                "places",
                                                                "with",
                                                                "push_factors",
                                                                "pull_factors",
                                                                "high_risk",
                                                                "risk_of_repeat",
                                                                "strategy_meeting_required",
                                                                "cse_indicators",
                                                                "cce_indicators",
                                                                "nrm_referral",
                                                                "locations_of_concern",
                                                                "people_of_concern",
                                                                "young_people_of_concern",
                                                                "cpi_submitted",
                                                                "sensitive_disclosure"};

/// The top-level fields of cpi.jsonl that an import specification may name.
inline constexpr std::array<std::string_view, 12> cpi_fields = {
    "cpi_id",           "received_at", "submitter", "source",   "shared_with", "information",
    "information_date", "location",    "subjects",  "vehicles", "places",      "grading"};

/// Top-level fields of rhi.jsonl and cpi.jsonl that hold an object or an
/// array of objects; every other one holds a string or a boolean, except the
/// arrays of codes below.
inline constexpr std::array<std::string_view, 12> json_object_fields = {"places",
                                                                        "with",
                                                                        "high_risk",
                                                                        "locations_of_concern",
                                                                        "people_of_concern",
                                                                        "young_people_of_concern",
                                                                        "submitter",
                                                                        "source",
                                                                        "location",
                                                                        "subjects",
                                                                        "vehicles",
                                                                        "grading"};

/// Top-level fields of rhi.jsonl that hold an array of codes.
inline constexpr std::array<std::string_view, 2> json_code_list_fields = {"push_factors",
                                                                          "pull_factors"};

} // namespace waymark::model
