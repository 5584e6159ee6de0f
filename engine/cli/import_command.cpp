// waymark import KIND FILE: imports one file into the store.

#include "engine/cli/command.hpp"
#include "engine/cli/progress.hpp"
#include "engine/import.hpp"
#include "engine/store/store.hpp"

#include <ostream>

namespace waymark::cli {
namespace {

struct ImportConfig {
    std::string kind;
    std::string file;
    std::string spec;
    bool json = false;
};

class ImportCommand final : public Command {
public:
    ImportConfig config;

    void run(const Context& context) override {
        const auto store = store::open_store(context.options.db, store::Access::write);
        ProgressBar bar(context.err, !context.options.quiet);
        const ImportReport report = import_file(
            *store, context.area, {config.kind, config.file, config.spec},
            [&bar, this](double fraction) { bar.update("importing " + config.kind, fraction); });
        if (config.json) {
            context.out << report.to_json() << '\n';
        } else if (!context.options.quiet) {
            report.write_text(context.out);
        }
    }
};

} // namespace

std::unique_ptr<Command> make_import_command(CLI::App& sub) {
    auto command = std::make_unique<ImportCommand>();
    auto& c = command->config;
    sub.add_option("kind", c.kind, "What the file holds: episodes, rhi, cpi, persons or gazetteer")
        ->required()
        ->check(CLI::IsMember({"episodes", "rhi", "cpi", "persons", "gazetteer"}));
    sub.add_option("file", c.file,
                   "The file: CSV for episodes, persons and gazetteer; JSON Lines "
                   "for rhi and cpi")
        ->required()
        ->check(CLI::ExistingFile);
    sub.add_option("--spec", c.spec,
                   "An import specification (JSON) mapping your export's columns, codes, "
                   "date formats and encoding onto the canonical format (docs/import-specs.md)")
        ->check(CLI::ExistingFile)
        ->type_name("SPEC.json");
    sub.add_flag("--json", c.json, "Print the import report as JSON");
    return command;
}

} // namespace waymark::cli
