#pragma once

// The CLI's pieces (design/ARCHITECTURE.md, point 1): each subcommand is a
// small class that parses its options into a plain config struct and then
// makes one library call. All of them are registered in one function,
// register_commands(), which also drives `--help`.

#include "engine/settings.hpp"

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace waymark::cli {

/// Options that come before the subcommand.
struct GlobalOptions {
    std::string db = "waymark.db"; ///< --db, or WAYMARK_DB
    std::string area_file;         ///< --area; empty = defaults of PRODUCT.md
    bool quiet = false;            ///< --quiet
};

/// What a command may use while it runs.
struct Context {
    const GlobalOptions& options;
    const AreaSettings& area;
    std::ostream& out; ///< results and reports
    std::ostream& err; ///< progress and warnings (silent with --quiet)
};

class Command {
public:
    virtual ~Command() = default;
    /// Runs after a successful parse; throws waymark::Error on failure.
    virtual void run(const Context& context) = 0;
};

/// Adds a subcommand named `name` to `app`; `make` fills its options and
/// returns the Command that runs it.
using CommandFactory = std::unique_ptr<Command> (*)(CLI::App& subcommand);

struct CommandSpec {
    const char* name;
    const char* summary; ///< one line, listed by `waymark --help`
    const char* details; ///< shown by `waymark NAME --help` after the options
    CommandFactory make;
};

/// Every subcommand that exists, in the order `waymark --help` lists them.
const std::vector<CommandSpec>& all_commands();

std::unique_ptr<Command> make_init_command(CLI::App& subcommand);
std::unique_ptr<Command> make_status_command(CLI::App& subcommand);
std::unique_ptr<Command> make_synth_command(CLI::App& subcommand);
std::unique_ptr<Command> make_import_command(CLI::App& subcommand);
std::unique_ptr<Command> make_hotspots_command(CLI::App& subcommand);
std::unique_ptr<Command> make_network_command(CLI::App& subcommand);
std::unique_ptr<Command> make_disrupt_command(CLI::App& subcommand);
std::unique_ptr<Command> make_triggers_command(CLI::App& subcommand);
std::unique_ptr<Command> make_report_command(CLI::App& subcommand);
std::unique_ptr<Command> make_export_command(CLI::App& subcommand);
std::unique_ptr<Command> make_serve_command(CLI::App& subcommand);
std::unique_ptr<Command> make_audit_command(CLI::App& subcommand);
std::unique_ptr<Command> make_migrate_command(CLI::App& subcommand);

} // namespace waymark::cli
