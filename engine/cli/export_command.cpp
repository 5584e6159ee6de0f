// waymark export: the bundle for one audience (engine/export.hpp).

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/cli/progress.hpp"
#include "engine/export.hpp"
#include "engine/store/store.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>

namespace waymark::cli {
namespace {

struct ExportOptions {
    std::string since;
    std::string until;
    std::string count = "episodes";
    bool exclude_weak = false;
    std::string overrides;
    std::uint64_t seed = 1;
    int threads = 0;
    std::string out;
    std::string profile;
    bool json = false;
};

ExportConfig make_config(const ExportOptions& o, const AreaSettings& area, const std::string& db) {
    ExportConfig c;
    const std::string since = checked_date(o.since, "--since");
    const std::string until = checked_date(o.until, "--until");
    if (!since.empty() && !until.empty() && since > until) {
        throw UsageError("--since " + o.since + " is after --until " + o.until);
    }
    c.hotspots.filter.since = since;
    c.hotspots.filter.until = until;
    c.hotspots.count = parse_count_mode(o.count);
    c.hotspots.seed = o.seed;
    c.hotspots.threads = o.threads;
    c.hotspots.extent = area.extent;
    c.hotspots.time_zone = area.time_zone;
    c.network.build.since = since;
    c.network.build.until = until;
    c.network.build.include_weak = !o.exclude_weak;
    c.network.overrides_file = overrides_path(o.overrides, db);
    if (!c.network.overrides_file.empty()) {
        c.network.build.overrides = graph::read_overrides(c.network.overrides_file.string());
    }
    c.network.measure.seed = o.seed;
    c.network.measure.threads = o.threads;
    c.area_name = area.name;
    c.out = o.out;
    return c;
}

class ExportCommand final : public Command {
public:
    ExportOptions options;

    void run(const Context& context) override {
        const Profile profile = parse_profile(options.profile); // before anything is read
        const ExportConfig config = make_config(options, context.area, context.options.db);
        const auto store = store::open_store(context.options.db, store::Access::write);
        const ProfileStage stage = make_profile_stage(*store, profile, context.area);
        ProgressBar bar(context.err, !context.options.quiet);
        const ExportResult result =
            run_export(*store, config, stage, [&bar](std::string_view name, double fraction) {
                bar.update(name, fraction);
            });
        if (options.json) {
            std::ifstream manifest(config.out / "manifest.json");
            context.out << manifest.rdbuf();
            return;
        }
        if (context.options.quiet) {
            return;
        }
        std::ostream& out = context.out;
        out << "Export (profile " << to_string(profile) << ") written to " << config.out.string()
            << ": " << result.layers << " layers, " << result.rasters << " surfaces, "
            << result.files.size() << " files (analysis run " << result.analysis_run << ").\n\n"
            << "Open " << (config.out / "waymark.qgs").string()
            << " in QGIS (Project > Open): every layer opens styled, in the working CRS.\n"
            << "manifest.json lists the profile, parameters, counts and a SHA-256 of every "
               "file.\n";
        if (profile != Profile::partnership) {
            out << "The network's graph files are in " << (config.out / "network").string()
                << " (GEXF for Gephi, .anx for i2 Analyst's Notebook, GraphML, CSV).\n";
        }
    }
};

} // namespace

std::unique_ptr<Command> make_export_command(CLI::App& sub) {
    auto command = std::make_unique<ExportCommand>();
    auto& o = command->options;
    sub.add_option("--out", o.out,
                   "Folder to write the bundle to: new, empty, or an earlier export (replaced)")
        ->required()
        ->type_name("DIR");
    sub.add_option("--profile", o.profile,
                   "Who the bundle is for: analyst (everything), panel (pseudonyms, homes and "
                   "restricted places snapped, restricted intelligence withheld) or partnership "
                   "(cell counts only, small numbers suppressed)")
        ->required()
        ->type_name("PROFILE");
    sub.add_option("--since", o.since, "Only records dated on or after this day (YYYY-MM-DD)")
        ->type_name("DATE");
    sub.add_option("--until", o.until, "Only records dated on or before this day (YYYY-MM-DD)")
        ->type_name("DATE");
    sub.add_option("--count", o.count,
                   "What the hotspot statistics count: episodes or children (both are shown)")
        ->check(CLI::IsMember({"episodes", "children"}))
        ->capture_default_str();
    add_network_evidence_options(sub, o.exclude_weak, o.overrides);
    sub.add_option("--seed", o.seed, "Seed of the permutations and communities")
        ->capture_default_str();
    add_threads_option(sub, o.threads);
    sub.add_flag("--json", o.json, "Print manifest.json instead of the summary");
    return command;
}

} // namespace waymark::cli
