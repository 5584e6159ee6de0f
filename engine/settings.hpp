#pragma once

// Area settings (`--area FILE`): the rules that differ between areas, with
// the defaults of design/PRODUCT.md. A file need only name what differs;
// anything it names is validated, and an unknown key is an error (a typo
// must not silently leave a default in force).

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace waymark {

/// Which moment starts the 72-hour clock for a Return Home Interview: the
/// guidance differs (PRODUCT.md), so both are stored and this chooses.
enum class RhiClockStart { return_time, referral_time };

struct TriggerSettings {
    int repeat_episodes = 3;                ///< this many episodes…
    int repeat_window_days = 90;            ///< …within this many days (Kirklees: 30)
    int long_missing_hours = 24;            ///< missing longer: strategy meeting
    int looked_after_escalation_hours = 48; ///< looked-after child: senior manager
    int not_located_days = 7;               ///< not located: strategy meeting and plan
    int rhi_due_hours = 72;                 ///< an RHI is due within this many hours
    RhiClockStart rhi_clock_starts = RhiClockStart::return_time;
    /// No child under this age may be graded low risk; empty = no such rule.
    std::optional<int> low_risk_minimum_age = 16;
};

struct PrivacySettings {
    int suppression_k = 5;                  ///< partnership: cells with fewer children hidden
    int panel_snap_metres = 500;            ///< panel: homes and restricted places snapped
    bool share_rhi_without_consent = false; ///< panel may see RHI intelligence without consent
};

struct GridSettings {
    int hotspot_cell_metres = 250;      ///< cell size for Gi* and density surfaces
    int partnership_cell_metres = 1000; ///< cell size for partnership aggregates
};

struct AreaSettings {
    std::string name; ///< shown on outputs; may be empty
    std::string time_zone = "Europe/London";
    int working_crs = 27700; ///< EPSG code of a projected CRS in metres
    /// The area's extent in the working CRS (min x, min y, max x, max y), if known.
    std::optional<std::array<double, 4>> extent;
    TriggerSettings triggers;
    PrivacySettings privacy;
    GridSettings grids;
};

/// Parses and validates settings JSON; `source` names it in messages.
/// Throws InputError: "area settings <source>: <where>: <problem>".
AreaSettings parse_area_settings(std::string_view json, std::string_view source);

/// Reads and validates a settings file. Throws IoError if it cannot be read.
AreaSettings load_area_settings(const std::filesystem::path& path);

std::string_view to_code(RhiClockStart start);

/// The settings as JSON, every key present (defaults filled in).
std::string to_json(const AreaSettings& settings);

} // namespace waymark
