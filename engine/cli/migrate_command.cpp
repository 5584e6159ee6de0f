// waymark migrate --from sqlite:PATH --to postgresql://…: moves a SpatiaLite
// store into an empty PostGIS database (engine/store/migrate.hpp,
// docs/migrate.md). It names both stores itself and ignores the global --db.

#include "engine/cli/command.hpp"
#include "engine/cli/progress.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/migrate.hpp"
#include "engine/store/pg.hpp"

#include <iomanip>
#include <optional>
#include <ostream>

namespace waymark::cli {
namespace {

struct MigrateConfig {
    std::string from;
    std::string to;
};

// Checksums are shown to this many hex digits; the audit entry and the
// report keep them whole.
constexpr std::size_t shown_digits = 16;

void write_text(const store::MigrationReport& report, const std::string& to, std::ostream& out) {
    out << "Migrated " << report.from << " to " << report.to << " (schema version "
        << report.schema_version << ", working CRS EPSG:" << report.working_crs << ") in "
        << std::fixed << std::setprecision(1) << report.seconds << " s.\n";
    out << "  " << std::left << std::setw(22) << "TABLE" << std::right << std::setw(10) << "ROWS"
        << "  CHECKSUM (SHA-256, source = target)\n";
    for (const store::MigratedTable& table : report.tables) {
        out << "  " << std::left << std::setw(22) << table.name << std::right << std::setw(10)
            << table.rows << "  " << table.checksum.substr(0, shown_digits) << "  checksum ok\n";
    }
    out << "Audit log: the chain verifies; the migration is entry " << report.audit_seq
        << ", chain head " << report.target_audit_head << ".\n";
    out << "The store was moved. Use it with: waymark --db '" << pg::without_password(to)
        << "' status\n";
}

class MigrateCommand final : public Command {
public:
    MigrateConfig config;

    void run(const Context& context) override {
        // The command line in the audit log has any password left out (app.cpp).
        ProgressBar bar(context.err, !context.options.quiet);
        const store::MigrationReport report = store::migrate_store(
            config.from, config.to,
            [&bar](std::string_view stage, double fraction) { bar.update(stage, fraction); });
        if (!context.options.quiet) {
            write_text(report, config.to, context.out);
        }
    }
};

} // namespace

std::unique_ptr<Command> make_migrate_command(CLI::App& sub) {
    auto command = std::make_unique<MigrateCommand>();
    auto& c = command->config;
    sub.add_option("--from", c.from,
                   "The SpatiaLite store to copy: sqlite:PATH or PATH (opened read-only, left "
                   "as it is)")
        ->required()
        ->type_name("sqlite:PATH");
    sub.add_option("--to", c.to,
                   "The PostgreSQL database to copy it into: an empty database with PostGIS "
                   "(docs/postgis.md), as a postgresql:// URL")
        ->required()
        ->type_name("URL");
    return command;
}

} // namespace waymark::cli
