#include "engine/triggers_output.hpp"

#include "base/csv.hpp"
#include "base/error.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/output_files.hpp"
#include "engine/sha256.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace waymark {
namespace {

namespace m = waymark::model;
using nlohmann::json;

json optional_count(std::optional<std::int64_t> count) {
    return count ? json(*count) : json(nullptr);
}

bool lists_allowed(const ProfileStage& stage) {
    return stage.profile() != Profile::partnership;
}

std::string joined_ids(const std::vector<std::string>& ids, const ProfileStage& stage) {
    std::string text;
    for (const std::string& id : ids) {
        text += (text.empty() ? "" : ";") + stage.id(id);
    }
    return text;
}

std::string hits_csv(const TriggerResult& result, const ProfileStage& stage) {
    std::string text = "# profile: " + std::string(to_string(stage.profile())) + "\r\n" +
                       "trigger,rule,child,episodes,first_met,last_met,ongoing,action\r\n";
    for (const TriggerHit& hit : result.hits) {
        text += std::string(to_code(hit.trigger)) + ',' +
                csv::cell(describe(hit.trigger, result.thresholds)) + ',' +
                csv::cell(stage.id(hit.child_id)) + ',' +
                csv::cell(joined_ids(hit.episodes, stage)) + ',' +
                m::format_timestamp(hit.first_met) + ',' + m::format_timestamp(hit.last_met) + ',' +
                (hit.ongoing ? "true" : "false") + ',' +
                csv::cell(std::string(required_action(hit.trigger))) + "\r\n";
    }
    return text;
}

std::string findings_csv(const TriggerResult& result, const ProfileStage& stage) {
    std::string text = "# profile: " + std::string(to_string(stage.profile())) + "\r\n" +
                       "finding,record,child,detail\r\n";
    for (const QualityFinding& f : result.findings) {
        text += csv::cell(f.code) + ',' + csv::cell(stage.id(f.record)) + ',' +
                csv::cell(f.child_id.empty() ? "" : stage.id(f.child_id)) + ',' +
                csv::cell(f.detail) + "\r\n";
    }
    return text;
}

// Partnership: the same figures as counts, each below k suppressed.
std::string counts_csv(const json& document) {
    std::string text = "# profile: partnership\r\nkind,code,count\r\n";
    for (const auto& [code, entry] : document["triggers"].items()) {
        const json& count = entry["children"];
        text += "trigger," + code + ',' + (count.is_null() ? "suppressed" : count.dump()) + "\r\n";
    }
    for (const auto& [code, count] : document["findings"].items()) {
        text += "finding," + code + ',' + (count.is_null() ? "suppressed" : count.dump()) + "\r\n";
    }
    return text;
}

json thresholds_json(const TriggerSettings& t) {
    json j = {{"repeat_episodes", t.repeat_episodes},
              {"repeat_window_days", t.repeat_window_days},
              {"long_missing_hours", t.long_missing_hours},
              {"looked_after_escalation_hours", t.looked_after_escalation_hours},
              {"not_located_days", t.not_located_days},
              {"rhi_due_hours", t.rhi_due_hours},
              {"rhi_clock_starts", to_code(t.rhi_clock_starts)}};
    j["low_risk_minimum_age"] =
        t.low_risk_minimum_age ? json(*t.low_risk_minimum_age) : json(nullptr);
    return j;
}

} // namespace

json triggers_json(const TriggerResult& result, const ProfileStage& stage) {
    json doc = {
        {"profile", to_string(stage.profile())},
        {"as_of", m::format_timestamp(result.as_of)},
        {"since", result.since ? json(m::format_timestamp(*result.since)) : json(nullptr)},
        {"thresholds", thresholds_json(result.thresholds)},
        {"episodes_considered", optional_count(stage.count(result.episodes_considered))},
        {"children_considered", optional_count(stage.count(result.children_considered))},
        {"children_meeting_any", optional_count(stage.count(result.children_meeting_any()))}};
    json triggers = json::object();
    for (const Trigger trigger : all_triggers) {
        json entry = {{"rule", describe(trigger, result.thresholds)},
                      {"action", required_action(trigger)},
                      {"children", optional_count(stage.count(result.children_meeting(trigger)))}};
        if (lists_allowed(stage)) {
            json hits = json::array();
            for (const TriggerHit& hit : result.hits) {
                if (hit.trigger != trigger) {
                    continue;
                }
                json episodes = json::array();
                for (const std::string& e : hit.episodes) {
                    episodes.push_back(stage.id(e));
                }
                hits.push_back({{"child", stage.id(hit.child_id)},
                                {"episodes", episodes},
                                {"first_met", m::format_timestamp(hit.first_met)},
                                {"last_met", m::format_timestamp(hit.last_met)},
                                {"ongoing", hit.ongoing}});
            }
            entry["hits"] = hits;
        }
        triggers[std::string(to_code(trigger))] = entry;
    }
    doc["triggers"] = triggers;
    std::map<std::string, std::int64_t> by_code;
    for (const QualityFinding& f : result.findings) {
        ++by_code[f.code];
    }
    json findings = json::object();
    for (const auto& [code, count] : by_code) {
        findings[code] = optional_count(stage.count(count));
    }
    doc["findings"] = findings;
    return doc;
}

TriggersRun run_triggers(store::Store& store, const AreaSettings& area, const ProfileStage& stage,
                         const TriggersConfig& config) {
    const std::string started_at = m::format_timestamp(m::now_utc());
    TriggersRun run;
    run.result = evaluate_triggers(store.case_records(), area.triggers, config.query);
    std::filesystem::create_directories(config.out);
    json doc = triggers_json(run.result, stage);
    if (lists_allowed(stage)) {
        run.files.push_back(
            write_output_file(config.out / "triggers.csv", hits_csv(run.result, stage)));
        run.files.push_back(
            write_output_file(config.out / "findings.csv", findings_csv(run.result, stage)));
    } else {
        run.files.push_back(write_output_file(config.out / "triggers.csv", counts_csv(doc)));
    }
    json files = json::object();
    for (const auto& file : run.files) {
        files[file.filename().string()] = sha256_of_file(file);
    }
    const json parameters = {{"as_of", doc["as_of"]},
                             {"since", doc["since"]},
                             {"open_episode_days", config.query.open_episode_days},
                             {"thresholds", doc["thresholds"]}};
    run.analysis_run = store.record_analysis({"triggers", std::string(to_string(stage.profile())),
                                              started_at, parameters.dump(), files.dump()});
    doc["analysis_run"] = run.analysis_run;
    doc["files"] = files;
    run.files.push_back(write_output_file(config.out / "triggers.json", doc.dump(2) + "\n"));
    return run;
}

} // namespace waymark
