#pragma once

// `waymark triggers`: evaluate_triggers() on the store's records, through a
// profile, written as triggers.csv, findings.csv and triggers.json, and kept
// as an analysis run (docs/triggers.md).

#include "engine/profile_stage.hpp"
#include "engine/triggers.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <vector>

namespace waymark {

struct TriggersConfig {
    TriggerQuery query;
    std::filesystem::path out; ///< the folder to write to (created if missing)
};

struct TriggersRun {
    TriggerResult result; ///< with source ids (the files carry the profile's)
    std::vector<std::filesystem::path> files;
    std::int64_t analysis_run = 0;
};

/// The result as the profile may show it: analyst with source ids; panel with
/// pseudonyms for children and records; partnership with counts only (per
/// trigger and per finding code, each below k suppressed) and no list.
nlohmann::json triggers_json(const TriggerResult& result, const ProfileStage& stage);

TriggersRun run_triggers(store::Store& store, const AreaSettings& area, const ProfileStage& stage,
                         const TriggersConfig& config);

} // namespace waymark
