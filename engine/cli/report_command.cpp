// waymark report: the panel pack (report.html, one CSV per table, manifest.json).

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/cli/progress.hpp"
#include "engine/report.hpp"
#include "engine/store/store.hpp"

#include <ostream>

namespace waymark::cli {
namespace {

struct ReportOptions {
    std::string since;
    std::string until;
    int top = 10;
    bool no_maps = false;
    bool no_network = false;
    std::string overrides;
    std::uint64_t seed = 1;
    int threads = 0;
    std::string out;
    std::string profile;
};

ReportConfig make_config(const ReportOptions& o, const std::string& db) {
    ReportConfig c;
    c.since = checked_date(o.since, "--since");
    c.until = checked_date(o.until, "--until");
    if (c.since > c.until) {
        throw UsageError("--since " + o.since + " is after --until " + o.until);
    }
    c.top_targets = o.top;
    c.maps = !o.no_maps;
    c.network = !o.no_network;
    c.overrides_file = overrides_path(o.overrides, db);
    c.seed = o.seed;
    c.threads = o.threads;
    c.out = o.out;
    return c;
}

class ReportCommand final : public Command {
public:
    ReportOptions options;

    void run(const Context& context) override {
        const Profile profile = parse_profile(options.profile); // before anything is read
        const ReportConfig config = make_config(options, context.options.db);
        const auto store = store::open_store(context.options.db, store::Access::write);
        const ProfileStage stage = make_profile_stage(*store, profile, context.area);
        ProgressBar bar(context.err, !context.options.quiet);
        const ReportResult result = run_report(
            *store, stage, context.area, config,
            [&bar](std::string_view name, double fraction) { bar.update(name, fraction); });
        if (!context.options.quiet) {
            context.out << "Panel pack (profile " << to_string(profile) << ", " << config.since
                        << " to " << config.until << ") written to " << config.out.string()
                        << "\n  report.html   open in a browser; print to PDF\n  csv/          "
                        << result.tables
                        << " tables\n  manifest.json profile, period, checksums (analysis run "
                        << result.analysis_run << ")\n";
        }
    }
};

} // namespace

std::unique_ptr<Command> make_report_command(CLI::App& sub) {
    auto command = std::make_unique<ReportCommand>();
    auto& o = command->options;
    sub.add_option("--since", o.since,
                   "First day of the period (episodes reported on or after it, local time)")
        ->required()
        ->type_name("YYYY-MM-DD");
    sub.add_option("--until", o.until, "Last day of the period (inclusive, local time)")
        ->required()
        ->type_name("YYYY-MM-DD");
    sub.add_option("--top", o.top, "Disruption targets listed (analyst and panel)")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    sub.add_flag("--no-maps", o.no_maps, "Leave out the hotspot maps");
    sub.add_flag("--no-network", o.no_network,
                 "Leave out the network summary and the disruption targets");
    sub.add_option("--overrides", o.overrides,
                   "Entity-resolution overrides for the network (default: "
                   "resolution-overrides.csv beside the store, if there is one)")
        ->type_name("FILE");
    sub.add_option("--seed", o.seed, "Seed of the network's random choices")->capture_default_str();
    add_threads_option(sub, o.threads);
    sub.add_option("--out", o.out, "Folder to write the pack to")->required()->type_name("DIR");
    sub.add_option("--profile", o.profile,
                   "Who the pack is for: analyst, panel (pseudonyms) or partnership "
                   "(aggregates, fewer than k children suppressed); see docs/report.md")
        ->required()
        ->type_name("PROFILE");
    return command;
}

} // namespace waymark::cli
