// waymark network: the peer and associate network, measured, as graph files
// and map layers.

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/cli/progress.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/network_output.hpp"
#include "engine/store/store.hpp"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>

namespace waymark::cli {
namespace {

struct NetworkOptions {
    std::vector<std::string> formats{"gexf", "graphml", "anx", "geojson", "csv"};
    std::string ego;
    int hops = 2;
    std::string since;
    std::string until;
    bool exclude_weak = false;
    double co_missing_hours = 6;
    std::string overrides;
    double merge_threshold = 0.85;
    double possible_threshold = 0.6;
    std::uint64_t seed = 1;
    int threads = 0;
    std::string out;
    std::string profile;
    bool json = false;
};

NetworkConfig make_config(const NetworkOptions& o, const std::string& db) {
    NetworkConfig c;
    c.formats.clear();
    for (const std::string& format : o.formats) {
        const NetworkFormat f = parse_network_format(format);
        if (std::find(c.formats.begin(), c.formats.end(), f) == c.formats.end()) {
            c.formats.push_back(f);
        }
    }
    c.build.since = checked_date(o.since, "--since");
    c.build.until = checked_date(o.until, "--until");
    if (!c.build.since.empty() && !c.build.until.empty() && c.build.since > c.build.until) {
        throw UsageError("--since " + o.since + " is after --until " + o.until);
    }
    c.build.include_weak = !o.exclude_weak;
    c.build.co_missing_hours = o.co_missing_hours;
    if (o.possible_threshold > o.merge_threshold) {
        throw UsageError("--possible-threshold must not be above --merge-threshold");
    }
    c.build.resolution.merge_threshold = o.merge_threshold;
    c.build.resolution.possible_threshold = o.possible_threshold;
    c.overrides_file = overrides_path(o.overrides, db);
    if (!c.overrides_file.empty()) {
        c.build.overrides = graph::read_overrides(c.overrides_file.string());
    }
    c.ego = o.ego;
    c.hops = o.hops;
    c.measure.seed = o.seed;
    c.measure.threads = o.threads;
    c.out = o.out;
    return c;
}

void write_text(const NetworkResult& r, const NetworkConfig& c, Profile profile,
                std::ostream& out) {
    out << "Network (profile " << to_string(profile) << ") written to " << c.out.string()
        << "\n\nEntities\n";
    for (const auto& [kind, count] : r.entities) {
        out << "  " << std::left << std::setw(22) << kind << std::right << std::setw(8) << count
            << '\n';
    }
    out << "Links\n";
    for (const auto& [type, count] : r.links) {
        out << "  " << std::left << std::setw(22) << type << std::right << std::setw(8) << count
            << '\n';
    }
    out << "\nNames without ids: " << r.mentions << " (" << r.merged << " merged, " << r.possible
        << " possible matches, " << r.unmatched << " unmatched, " << r.overridden
        << " decided by overrides)\n";
    out << "Components: " << r.components << "; communities: " << r.communities << " (modularity "
        << std::fixed << std::setprecision(3) << r.modularity << ")"
        << (r.betweenness_sampled ? "; betweenness sampled (see network.json)" : "") << '\n';
    if (!c.ego.empty()) {
        out << "Ego network of " << c.ego << " within " << c.hops << " hops: " << r.nodes_written
            << " entities, " << r.links_written << " links\n";
    }
    out << "\nFiles\n";
    for (const auto& file : r.files) {
        out << "  " << file.string() << '\n';
    }
    out << "\nOpen network.gexf in Gephi, network.anx in i2 Analyst's Notebook, network.gpkg in "
           "QGIS; resolution.csv lists every name matched to a person, with the reasons "
           "(analysis run "
        << r.analysis_run << " in the store).\n";
}

class NetworkCommand final : public Command {
public:
    NetworkOptions options;

    void run(const Context& context) override {
        const Profile profile = parse_profile(options.profile); // before anything is read
        require_network_profile(profile);
        const NetworkConfig config = make_config(options, context.options.db);
        const auto store = store::open_store(context.options.db, store::Access::write);
        const ProfileStage stage = make_profile_stage(*store, profile, context.area);
        ProgressBar bar(context.err, !context.options.quiet);
        const NetworkResult result =
            run_network(*store, config, stage, [&bar](std::string_view name, double fraction) {
                bar.update(name, fraction);
            });
        if (options.json) {
            std::ifstream summary(config.out / "network.json");
            context.out << summary.rdbuf();
        } else if (!context.options.quiet) {
            write_text(result, config, profile, context.out);
        }
    }
};

} // namespace

std::unique_ptr<Command> make_network_command(CLI::App& sub) {
    auto command = std::make_unique<NetworkCommand>();
    auto& o = command->options;
    sub.add_option("--format", o.formats,
                   "Files to write: gexf (Gephi), graphml, anx (i2 Analyst's Notebook), geojson "
                   "(network.gpkg and GeoJSON layers for QGIS), csv (nodes and edges); a "
                   "comma-separated list")
        ->delimiter(',')
        ->expected(1, -1)
        ->capture_default_str();
    sub.add_option("--ego", o.ego,
                   "Write only the ego network of this entity (a person id such as C-000123 or "
                   "P-000009, U-… for an unidentified person, place:<key>, vehicle:<VRM>)")
        ->type_name("ID");
    sub.add_option("--hops", o.hops, "With --ego: how many links away from it")
        ->check(CLI::Range(1, 10))
        ->capture_default_str();
    sub.add_option("--since", o.since, "Only evidence dated on or after this date")
        ->type_name("YYYY-MM-DD");
    sub.add_option("--until", o.until, "Only evidence dated on or before this date")
        ->type_name("YYYY-MM-DD");
    add_network_evidence_options(sub, o.exclude_weak, o.overrides);
    sub.add_option("--co-missing-hours", o.co_missing_hours,
                   "co_missing links: children last seen at one place, or found at one place, "
                   "within this many hours of each other")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub.add_option("--merge-threshold", o.merge_threshold,
                   "Entity resolution: the score at which a name is merged into a known person")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    sub.add_option("--possible-threshold", o.possible_threshold,
                   "Entity resolution: the score from which a possible match link is kept")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    sub.add_option("--seed", o.seed, "Seed of the community detection and sampled betweenness")
        ->capture_default_str();
    add_threads_option(sub, o.threads);
    sub.add_option("--out", o.out, "Folder to write the files to")->required()->type_name("DIR");
    sub.add_option(
           "--profile", o.profile,
           "Who the outputs are for: analyst, or panel (pseudonyms, homes snapped, "
           "restricted intelligence withheld); partnership gets no network (docs/export.md)")
        ->required()
        ->type_name("PROFILE");
    sub.add_flag("--json", o.json, "Print network.json instead of the summary");
    return command;
}

} // namespace waymark::cli
