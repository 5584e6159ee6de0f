#include "engine/cli/app.hpp"

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/pg.hpp"
#include "geo/gdal.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <ostream>

#ifndef WAYMARK_VERSION
#define WAYMARK_VERSION "unknown"
#endif

namespace waymark::cli {
namespace {

constexpr const char* footer =
    "Exit codes: 0 ok, 1 failure, 2 usage error.\n"
    "Documentation: docs/README.md in the Waymark source, one page per command.";

// Messages must fit on one line: a multi-line C library message is folded.
std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    return text;
}

// CLI11 starts its messages with a capital ("The following argument…"); ours
// continue after "error: ".
std::string lower_first(std::string text) {
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' &&
        !(text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z')) {
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    }
    return text;
}

// CLI11 reports a global option given after the command, or an unknown
// command, in its own terms; say what the user got wrong instead. Returns ""
// when neither applies.
std::string explain_misplaced(int argc, const char* const* argv) {
    const auto takes_value = [](std::string_view arg) { return arg == "--db" || arg == "--area"; };
    const auto is_global = [&](std::string_view arg) {
        return takes_value(arg) || arg == "-q" || arg == "--quiet" || arg.starts_with("--db=") ||
               arg.starts_with("--area=");
    };
    std::string command;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (command.empty()) {
            if (takes_value(arg)) {
                ++i;
            } else if (!arg.starts_with("-")) {
                command = arg;
                const auto& known = all_commands();
                if (std::none_of(known.begin(), known.end(),
                                 [&](const CommandSpec& spec) { return command == spec.name; })) {
                    return "unknown command '" + command + "'";
                }
            }
        } else if (is_global(arg)) {
            const std::string option(arg.substr(0, arg.find('=')));
            return "the global option " + option + " must come before the command ('waymark " +
                   option + (takes_value(option) ? " VALUE " : " ") + command + " …')";
        }
    }
    return "";
}

struct Registered {
    CLI::App* app;
    std::unique_ptr<Command> command;
};

std::string help_hint(const std::vector<Registered>& commands) {
    for (const auto& entry : commands) {
        if (entry.app->parsed()) {
            return "see 'waymark " + entry.app->get_name() + " --help'";
        }
    }
    return "see 'waymark --help'";
}

} // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    CLI::App app("Waymark: hotspots, peer networks and escalation for children who go missing "
                 "from home or care.",
                 "waymark");
    app.footer(footer);
    app.set_version_flag("--version", WAYMARK_VERSION);
    app.get_formatter()->column_width(28);

    GlobalOptions options;
    app.add_option("--db", options.db,
                   "The store: a SpatiaLite file, or a PostGIS database as "
                   "postgresql://user@host/dbname (docs/postgis.md); default ./waymark.db, or "
                   "$WAYMARK_DB")
        ->envname("WAYMARK_DB")
        ->type_name("PATH|URL");
    app.add_option("--area", options.area_file,
                   "Area settings (JSON): time zone, working CRS, trigger thresholds, "
                   "suppression k, grid sizes; defaults otherwise (docs/area-settings.md)")
        ->type_name("FILE");
    app.add_flag("-q,--quiet", options.quiet, "Print only results and errors, no progress");
    app.require_subcommand(1);

    std::vector<Registered> commands;
    for (const CommandSpec& spec : all_commands()) {
        CLI::App* sub = app.add_subcommand(spec.name, spec.summary);
        sub->footer(std::string(spec.details) + "\n\n" + footer);
        commands.push_back({sub, spec.make(*sub)});
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return 0;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return 0;
    } catch (const CLI::CallForVersion& version) {
        out << "waymark " << version.what() << '\n';
        return 0;
    } catch (const CLI::ParseError& error) {
        std::string message = explain_misplaced(argc, argv);
        if (message.empty()) {
            message =
                app.get_subcommands().empty() && dynamic_cast<const CLI::RequiredError*>(&error)
                    ? std::string("a command is required")
                    : one_line(lower_first(error.what()));
        }
        err << "waymark: error: " << message << " (" << help_hint(commands) << ")\n";
        return 2;
    }

    try {
        gdal::set_warning_sink([&err, quiet = options.quiet](std::string_view message) {
            if (!quiet) {
                err << "waymark: warning: GDAL: " << one_line(std::string(message)) << '\n';
            }
        });
        const AreaSettings area =
            options.area_file.empty() ? AreaSettings{} : load_area_settings(options.area_file);
        const Context context{options, area, out, err};
        // Every audit entry this run appends records the command line,
        // without any database password given in it.
        std::vector<std::string> arguments;
        for (int i = 0; i < argc; ++i) {
            arguments.push_back(pg::without_password(argv[i]));
        }
        const store::AuditCommandLine audit_command_line(std::move(arguments));
        for (const auto& entry : commands) {
            if (entry.app->parsed()) {
                entry.command->run(context);
            }
        }
        return 0;
    } catch (const UsageError& error) {
        err << "waymark: error: " << one_line(error.what()) << " (" << help_hint(commands) << ")\n";
        return 2;
    } catch (const Error& error) {
        err << "waymark: error: " << one_line(error.what()) << '\n';
        return 1;
    } catch (const std::exception& error) {
        err << "waymark: internal error: " << one_line(error.what()) << '\n';
        return 1;
    }
}

} // namespace waymark::cli
