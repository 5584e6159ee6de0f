// waymark status: what the store holds.

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/store/store.hpp"
#include "geo/gdal.hpp"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <ostream>

namespace waymark::cli {
namespace {

struct StatusConfig {
    bool json = false;
};

nlohmann::json optional_text(const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

void write_json(const store::StoreStatus& s, std::ostream& out) {
    nlohmann::json imports = nlohmann::json::array();
    for (const auto& run : s.last_imports) {
        imports.push_back({{"id", run.id},
                           {"kind", run.kind},
                           {"file", run.file},
                           {"started_at", run.started_at},
                           {"finished_at", optional_text(run.finished_at)},
                           {"rows_imported", run.rows_imported},
                           {"rows_updated", run.rows_updated},
                           {"rows_unchanged", run.rows_unchanged},
                           {"rows_quarantined", run.rows_quarantined},
                           {"unresolved_locations", run.unresolved_locations}});
    }
    const nlohmann::json document = {
        {"backend", s.backend},
        {"location", s.location},
        {"schema_version", s.schema_version},
        {"working_crs", s.working_crs},
        {"created_at", s.created_at},
        {"counts",
         {{"children", s.children},
          {"episodes", s.episodes},
          {"open_episodes", s.open_episodes},
          {"rhis", s.rhis},
          {"cpis", s.cpis},
          {"persons", s.persons},
          {"places", s.places},
          {"locations", s.locations},
          {"unresolved_locations", s.unresolved_locations},
          {"quarantined_rows", s.quarantined_rows},
          {"import_runs", s.import_runs},
          {"audit_entries", s.audit_entries}}},
        {"episodes_reported",
         {{"first", optional_text(s.first_reported_at)},
          {"last", optional_text(s.last_reported_at)}}},
        {"last_imports", imports},
    };
    out << document.dump(2) << '\n';
}

void write_text(const store::StoreStatus& s, std::ostream& out) {
    const auto row = [&out](std::string_view label, const auto& value) {
        out << "  " << std::left << std::setw(24) << label << value << '\n';
    };
    std::string crs_name;
    try {
        crs_name = " (" + gdal::SpatialReference::from_epsg(s.working_crs).name() + ")";
    } catch (const Error&) {
        crs_name = " (unknown to PROJ)";
    }
    out << "Store " << s.location << " (" << s.backend << ", schema version " << s.schema_version
        << ")\n";
    row("created", s.created_at);
    row("working CRS", "EPSG:" + std::to_string(s.working_crs) + crs_name);
    out << "Records\n";
    row("children", s.children);
    row("episodes",
        std::to_string(s.episodes) + " (" + std::to_string(s.open_episodes) + " still missing)");
    row("return home interviews", s.rhis);
    row("CPI forms", s.cpis);
    row("persons", s.persons);
    row("gazetteer places", s.places);
    row("locations", std::to_string(s.locations) + " (" + std::to_string(s.unresolved_locations) +
                         " unresolved)");
    row("episodes reported", s.first_reported_at
                                 ? *s.first_reported_at + " to " + s.last_reported_at.value_or("")
                                 : std::string("none yet"));
    out << "Imports\n";
    row("import runs", s.import_runs);
    row("quarantined rows", s.quarantined_rows);
    for (const auto& run : s.last_imports) {
        out << "  #" << run.id << ' ' << run.kind << ' ' << run.file << " at " << run.started_at
            << ": " << run.rows_imported << " new, " << run.rows_updated << " updated, "
            << run.rows_unchanged << " unchanged, " << run.rows_quarantined << " quarantined, "
            << run.unresolved_locations << " unresolved locations\n";
    }
    out << "Audit log\n";
    row("entries", s.audit_entries);
}

class StatusCommand final : public Command {
public:
    StatusConfig config;

    void run(const Context& context) override {
        const auto store = store::open_store(context.options.db, store::Access::read);
        const store::StoreStatus status = store->status();
        if (config.json) {
            write_json(status, context.out);
        } else {
            write_text(status, context.out);
        }
    }
};

} // namespace

std::unique_ptr<Command> make_status_command(CLI::App& sub) {
    auto command = std::make_unique<StatusCommand>();
    sub.add_flag("--json", command->config.json, "Write the status as JSON instead of text");
    return command;
}

} // namespace waymark::cli
