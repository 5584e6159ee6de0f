// waymark disrupt: adults, places and vehicles ranked by how much disrupting
// them would protect children, with their evidence and plan skeletons.

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/cli/progress.hpp"
#include "engine/disrupt.hpp"
#include "engine/store/store.hpp"

#include <fstream>
#include <iomanip>
#include <ostream>

namespace waymark::cli {
namespace {

struct DisruptOptions {
    int top = 20;
    std::string since;
    std::string until;
    bool exclude_weak = false;
    std::string overrides;
    int hotspot_min_children = 3;
    int hub_children = 25;
    std::uint64_t seed = 1;
    std::string out;
    std::string profile;
    bool json = false;
};

DisruptConfig make_config(const DisruptOptions& o, const std::string& db) {
    DisruptConfig c;
    c.top = o.top;
    c.build.since = checked_date(o.since, "--since");
    c.build.until = checked_date(o.until, "--until");
    if (!c.build.since.empty() && !c.build.until.empty() && c.build.since > c.build.until) {
        throw UsageError("--since " + o.since + " is after --until " + o.until);
    }
    c.build.include_weak = !o.exclude_weak;
    c.overrides_file = overrides_path(o.overrides, db);
    if (!c.overrides_file.empty()) {
        c.build.overrides = graph::read_overrides(c.overrides_file.string());
    }
    c.hotspot_min_children = o.hotspot_min_children;
    c.hub_children = o.hub_children;
    c.seed = o.seed;
    c.out = o.out;
    return c;
}

void write_text(const DisruptionResult& r, const DisruptConfig& c, std::ostream& out) {
    out << "Disruption targets (profile " << r.profile << ") written to " << c.out.string()
        << "\n\n"
        << r.candidates << " candidates; " << r.adults_of_concern << " adults of concern; "
        << r.pairs << " child-to-adult-of-concern connections; the key-player set of "
        << r.key_player_set.size() << " cuts " << std::fixed << std::setprecision(3)
        << r.set_fragmentation << " of them\n\n";
    out << "rank  score  kind     children   risk  frag   KP  hot  target\n";
    for (const DisruptionTarget& t : r.targets) {
        out << std::setw(4) << t.rank << "  " << std::setprecision(3) << t.score << "  "
            << std::left << std::setw(7) << t.kind << std::right << std::setw(10) << t.children
            << std::setw(7) << std::setprecision(1) << t.risk << "  " << std::setprecision(3)
            << t.fragmentation << "  " << (t.key_player ? "yes" : " no") << "  "
            << (t.hotspot ? "yes" : " no") << "  " << t.id
            << (t.label.empty() ? "" : " (" + t.label + ")") << '\n';
    }
    out << "\nFiles\n";
    for (const auto& file : r.files) {
        out << "  " << file.string() << '\n';
    }
    out << "\nEach target's evidence is in disruption-evidence.csv and its plan skeleton (seed "
           "001, Appendix 7) in disruption-plan.md/.html/.csv (analysis run "
        << r.analysis_run << " in the store).\n";
}

class DisruptCommand final : public Command {
public:
    DisruptOptions options;

    void run(const Context& context) override {
        const Profile profile = parse_profile(options.profile); // before anything is read
        require_disrupt_profile(profile);
        const DisruptConfig config = make_config(options, context.options.db);
        const auto store = store::open_store(context.options.db, store::Access::write);
        const ProfileStage stage = make_profile_stage(*store, profile, context.area);
        ProgressBar bar(context.err, !context.options.quiet);
        const DisruptionResult result =
            run_disrupt(*store, config, stage, [&bar](std::string_view name, double fraction) {
                bar.update(name, fraction);
            });
        if (options.json) {
            std::ifstream summary(config.out / "disruption.json");
            context.out << summary.rdbuf();
        } else if (!context.options.quiet) {
            write_text(result, config, context.out);
        }
    }
};

} // namespace

std::unique_ptr<Command> make_disrupt_command(CLI::App& sub) {
    auto command = std::make_unique<DisruptCommand>();
    auto& o = command->options;
    sub.add_option("--top", o.top, "How many targets to list, and the size of the key-player set")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    sub.add_option("--since", o.since, "Only evidence dated on or after this date")
        ->type_name("YYYY-MM-DD");
    sub.add_option("--until", o.until, "Only evidence dated on or before this date")
        ->type_name("YYYY-MM-DD");
    add_network_evidence_options(sub, o.exclude_weak, o.overrides);
    sub.add_option("--hotspot-children", o.hotspot_min_children,
                   "A place is a found/visited hotspot when this many distinct children were "
                   "found or visited there")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    sub.add_option("--hub-children", o.hub_children,
                   "A place linked to more children than this is a public hub and connects no "
                   "child to an adult of concern in the fragmentation score")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    sub.add_option("--seed", o.seed, "Seed of the key-player search's tie-breaking")
        ->capture_default_str();
    sub.add_option("--out", o.out, "Folder to write the files to")->required()->type_name("DIR");
    sub.add_option("--profile", o.profile,
                   "Who the outputs are for: analyst, or panel (pseudonyms for every person, "
                   "record and vehicle; homes withheld); partnership gets no disruption list")
        ->required()
        ->type_name("PROFILE");
    sub.add_flag("--json", o.json, "Print disruption.json instead of the summary");
    return command;
}

} // namespace waymark::cli
