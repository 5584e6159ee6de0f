// waymark triggers: the children meeting each escalation trigger on a date,
// with the episodes that caused it, and the data-quality findings.

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/store.hpp"
#include "engine/triggers_output.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <iomanip>
#include <ostream>

namespace waymark::cli {
namespace {

namespace m = waymark::model;

struct TriggersOptions {
    std::string as_of;
    std::string since;
    int open_episode_days = 90;
    std::string out;
    std::string profile;
    bool json = false;
};

// A date means the end of that day (UTC) for --as-of, its start for --since:
// "as of 2026-11-30" includes everything recorded on the 30th.
m::Timestamp day_end(const std::string& date) {
    return m::Timestamp{m::parse_date(date)} + std::chrono::days{1} - std::chrono::seconds{1};
}

TriggersConfig make_config(const TriggersOptions& o) {
    TriggersConfig c;
    c.query.as_of = o.as_of.empty() ? m::now_utc() : day_end(checked_date(o.as_of, "--as-of"));
    if (!o.since.empty()) {
        c.query.since = m::Timestamp{m::parse_date(checked_date(o.since, "--since"))};
        if (*c.query.since > c.query.as_of) {
            throw UsageError("--since " + o.since + " is after --as-of " +
                             m::format_timestamp(c.query.as_of));
        }
    }
    c.query.open_episode_days = o.open_episode_days;
    c.out = o.out;
    return c;
}

std::string count_text(const nlohmann::json& count) {
    return count.is_null() ? "<k" : count.dump();
}

void write_text(const nlohmann::json& doc, const TriggersRun& run, std::ostream& out) {
    out << "Triggers as of " << doc["as_of"].get<std::string>();
    if (!doc["since"].is_null()) {
        out << ", met since " << doc["since"].get<std::string>();
    }
    out << " (profile " << doc["profile"].get<std::string>() << ")\n"
        << "Children with episodes: " << count_text(doc["children_considered"])
        << "; meeting any trigger: " << count_text(doc["children_meeting_any"]) << "\n\n";
    for (const Trigger trigger : all_triggers) { // the guidance's order, not the alphabet's
        const std::string code(to_code(trigger));
        const nlohmann::json& entry = doc["triggers"][code];
        out << "  " << std::left << std::setw(28) << code << std::right << std::setw(7)
            << count_text(entry["children"]) << "  " << entry["rule"].get<std::string>() << " → "
            << entry["action"].get<std::string>() << '\n';
    }
    if (!doc["findings"].empty()) {
        out << "\nData-quality findings\n";
        for (const auto& [code, count] : doc["findings"].items()) {
            out << "  " << std::left << std::setw(28) << code << std::right << std::setw(7)
                << count_text(count) << '\n';
        }
    }
    out << "\nFiles\n";
    for (const auto& file : run.files) {
        out << "  " << file.string() << '\n';
    }
    out << "(analysis run " << run.analysis_run << " in the store)\n";
}

class TriggersCommand final : public Command {
public:
    TriggersOptions options;

    void run(const Context& context) override {
        const Profile profile = parse_profile(options.profile); // before anything is read
        const TriggersConfig config = make_config(options);
        const auto store = store::open_store(context.options.db, store::Access::write);
        const ProfileStage stage = make_profile_stage(*store, profile, context.area);
        const TriggersRun run = run_triggers(*store, context.area, stage, config);
        nlohmann::json doc = triggers_json(run.result, stage);
        if (options.json) {
            doc["analysis_run"] = run.analysis_run;
            context.out << doc.dump(2) << '\n';
        } else if (!context.options.quiet) {
            write_text(doc, run, context.out);
        }
    }
};

} // namespace

std::unique_ptr<Command> make_triggers_command(CLI::App& sub) {
    auto command = std::make_unique<TriggersCommand>();
    auto& o = command->options;
    sub.add_option("--as-of", o.as_of,
                   "Judge the records as they stood at the end of this day (default: now)")
        ->type_name("YYYY-MM-DD");
    sub.add_option("--since", o.since,
                   "List only triggers met on or after this day (e.g. the last panel)")
        ->type_name("YYYY-MM-DD");
    sub.add_option("--open-episode-days", o.open_episode_days,
                   "Report an episode still open after this many days as a data-quality finding")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub.add_option("--out", o.out, "Folder to write triggers.csv, findings.csv and triggers.json")
        ->required()
        ->type_name("DIR");
    sub.add_option("--profile", o.profile,
                   "Who the outputs are for: analyst (source ids), panel (pseudonyms) or "
                   "partnership (counts only, fewer than k children suppressed)")
        ->required()
        ->type_name("PROFILE");
    sub.add_flag("--json", o.json, "Print triggers.json instead of the summary");
    return command;
}

} // namespace waymark::cli
