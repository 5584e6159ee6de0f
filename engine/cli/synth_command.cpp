// waymark synth: writes a synthetic world in the canonical formats (and, with
// --as police|council, its episodes also in that source system's layout).

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/progress.hpp"

#include <ostream>

namespace waymark::cli {
namespace {

struct SynthConfig {
    std::string out;
    std::string scale = "small";
    std::uint64_t seed = 1;
    int years = 0;
    bool dirty = false;
    std::string as = "canonical";
};

class SynthCommand final : public Command {
public:
    SynthConfig config;

    void run(const Context& context) override {
        synth::SynthParams params;
        params.scale = synth::parse_scale(config.scale);
        params.seed = config.seed;
        params.years = config.years;
        params.dirty = config.dirty;
        const synth::ExportLayout layout = synth::parse_export_layout(config.as);

        ProgressBar bar(context.err, !context.options.quiet);
        bar.update("building the world", 0.0);
        const synth::World world = synth::build_world(params);
        bar.update("building the world", 1.0);
        const synth::WriteSummary summary = synth::write_world(
            world, config.out, layout,
            [&bar](std::string_view stage, double fraction) { bar.update(stage, fraction); });
        if (context.options.quiet) {
            return;
        }
        context.out << "Wrote a " << synth::to_string(params.scale) << " synthetic world (seed "
                    << params.seed << ", " << world.spec.years
                    << (world.spec.years == 1 ? " year" : " years") << ") to " << config.out
                    << ":\n"
                    << "  episodes.csv   " << summary.episodes << " episodes of "
                    << world.children.size() << " children\n"
                    << "  rhi.jsonl      " << summary.rhis << " return home interviews\n"
                    << "  cpi.jsonl      " << summary.cpis << " CPI forms\n"
                    << "  persons.csv    " << summary.persons << " persons\n"
                    << "  gazetteer.csv  " << summary.places << " places\n"
                    << "  truth.json     the planted ground truth\n";
        if (layout != synth::ExportLayout::canonical) {
            const synth::ExportLayoutSpec& spec = synth::export_layout_spec(layout);
            context.out << "  " << spec.file_name << "  the " << summary.variant_episodes
                        << " episodes as a " << synth::to_string(layout)
                        << " export (import it with data/specs/" << spec.spec_file << ")\n";
            if (summary.variant_replaced_characters > 0) {
                context.out << "  (" << summary.variant_replaced_characters << " characters not in "
                            << spec.encoding << " written as '?')\n";
            }
        }
        if (params.dirty) {
            context.out << "  dirty/         the same formats with " << summary.dirty_defects
                        << " planted defects (listed in truth.json)\n";
        }
        context.out << "All people, places and records are fictional.\n";
    }
};

} // namespace

std::unique_ptr<Command> make_synth_command(CLI::App& sub) {
    auto command = std::make_unique<SynthCommand>();
    auto& c = command->config;
    sub.add_option("--out", c.out, "Folder to write the files into (created if missing)")
        ->required()
        ->type_name("DIR");
    sub.add_option("--scale", c.scale,
                   "small (~300 children, 1,500 episodes), force (~8,000 children, 25,000 "
                   "episodes over 3 years) or national (~1,000,000 episodes)")
        ->check(CLI::IsMember({"small", "force", "national"}))
        ->capture_default_str();
    sub.add_option("--seed", c.seed, "Random seed: the same seed gives byte-identical files")
        ->capture_default_str();
    sub.add_option("--years", c.years, "Years covered (default: 1 for small, 3 otherwise)")
        ->check(CLI::Range(1, 10));
    sub.add_flag("--dirty", c.dirty,
                 "Also write dirty/ copies with planted defects for testing importers");
    sub.add_option("--as", c.as,
                   "Also write the episodes as a police or council export "
                   "(episodes-police.csv, episodes-council.csv) that the import specs in "
                   "data/specs/ read back")
        ->check(CLI::IsMember({"canonical", "police", "council"}))
        ->capture_default_str();
    return command;
}

} // namespace waymark::cli
