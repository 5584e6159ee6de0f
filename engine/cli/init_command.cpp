// waymark init: creates the store, or upgrades an older one in place.

#include "engine/cli/command.hpp"
#include "engine/store/pg.hpp"
#include "engine/store/store.hpp"
#include "geo/gdal.hpp"

#include <ostream>

namespace waymark::cli {
namespace {

class InitCommand final : public Command {
public:
    void run(const Context& context) override {
        const store::InitResult result =
            store::create_or_upgrade_store(context.options.db, context.area.working_crs);
        if (context.options.quiet) {
            return;
        }
        std::ostream& out = context.out;
        const std::string db = pg::without_password(context.options.db);
        const std::string_view backend = pg::is_url(db) ? "PostGIS" : "SpatiaLite";
        if (result.created) {
            const auto crs = gdal::SpatialReference::from_epsg(result.working_crs);
            out << "Created store " << db << " (" << backend << ", schema version "
                << result.to_version << ").\n"
                << "  Working CRS: EPSG:" << result.working_crs << " (" << crs.name() << ")\n"
                << "  Pseudonymisation key: created and kept inside the store; it is never "
                   "written to any output.\n";
        } else if (result.applied.empty()) {
            out << "Store " << db << " is already at schema version " << result.to_version
                << "; nothing to change.\n";
        } else {
            out << "Upgraded store " << db << " from schema version " << result.from_version
                << " to " << result.to_version << ":\n";
            for (const std::string& summary : result.applied) {
                out << "  + " << summary << '\n';
            }
        }
    }
};

} // namespace

std::unique_ptr<Command> make_init_command(CLI::App& /*subcommand*/) {
    return std::make_unique<InitCommand>();
}

} // namespace waymark::cli
