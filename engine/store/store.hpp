#pragma once

// The store behind an interface: callers see Store, never SQLite, so that a
// PostGIS backend can be added without touching them. `waymark init` calls
// create_or_upgrade_store(); every other command calls open_store().

#include "engine/model/cpi_report.hpp"
#include "engine/model/episode.hpp"
#include "engine/model/gazetteer.hpp"
#include "engine/model/person.hpp"
#include "engine/model/return_interview.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace waymark::store {

/// What the store holds, for `waymark status`.
struct ImportRunSummary {
    std::int64_t id = 0;
    std::string kind;
    std::string file;
    std::string started_at;
    std::optional<std::string> finished_at;
    std::int64_t rows_imported = 0;
    std::int64_t rows_quarantined = 0;
    std::int64_t unresolved_locations = 0;
};

struct StoreStatus {
    std::string backend;  ///< "SpatiaLite"
    std::string location; ///< the file path (or URL for a server backend)
    int schema_version = 0;
    int working_crs = 0;
    std::string created_at;

    std::int64_t children = 0;
    std::int64_t episodes = 0;
    std::int64_t open_episodes = 0; ///< not yet returned
    std::int64_t rhis = 0;
    std::int64_t cpis = 0;
    std::int64_t persons = 0;
    std::int64_t places = 0; ///< gazetteer entries
    std::int64_t locations = 0;
    std::int64_t unresolved_locations = 0;
    std::int64_t quarantined_rows = 0;
    std::int64_t import_runs = 0;
    std::int64_t audit_entries = 0;
    std::optional<std::string> first_reported_at;
    std::optional<std::string> last_reported_at;
    std::vector<ImportRunSummary> last_imports; ///< newest first, at most five
};

/// Describes one import, recorded in import_runs.
struct ImportRunInfo {
    std::string kind;        ///< episodes, rhi, cpi, persons, gazetteer
    std::string file;        ///< as given by the user
    std::string file_sha256; ///< of the bytes read
    std::string spec;        ///< the import specification's path, if any
};

/// The import's totals, written when it commits.
struct ImportTotals {
    std::int64_t rows_read = 0;
    std::int64_t rows_imported = 0;
    std::int64_t rows_quarantined = 0;
    std::int64_t unresolved_locations = 0;
    std::string report_json; ///< the import report, kept with the run
};

/// All writes of one import, in one transaction (the store's only writer
/// while it lives). Destroying it without commit() rolls everything back,
/// the import run included: the store is either before or after an import,
/// never between.
///
/// Each add() returns false, writing nothing, if a record with the same id is
/// already stored (in this import or an earlier one); the importer decides
/// what to report. Locations are stored as given, with their resolved point
/// (working CRS) when the importer resolved them.
class ImportWriter {
public:
    virtual ~ImportWriter() = default;

    virtual std::int64_t run_id() const = 0;

    /// `point` is the entry's position in the working CRS.
    virtual bool add(const model::GazetteerEntry& entry, const model::Point& point) = 0;
    virtual bool add(const model::Person& person) = 0;
    virtual bool add(const model::Episode& episode) = 0;
    virtual bool add(const model::ReturnInterview& interview) = 0;
    virtual bool add(const model::CpiReport& report) = 0;
    /// Keeps a row that could not be used, with its line and the reason.
    virtual void quarantine(std::int64_t line, std::string_view reason, std::string_view raw) = 0;

    virtual void commit(const ImportTotals& totals) = 0;
};

class Store {
public:
    virtual ~Store() = default;

    virtual int schema_version() const = 0;
    /// The EPSG code of the CRS in which geometries are stored.
    virtual int working_crs() const = 0;
    /// The deployment's pseudonymisation key (32 bytes). It never leaves the
    /// store: no writer may put it into an output (PRIVACY.md).
    virtual std::vector<unsigned char> pseudonym_key() const = 0;
    virtual StoreStatus status() const = 0;

    /// Starts an import. Throws StoreError if the store was opened read-only.
    virtual std::unique_ptr<ImportWriter> begin_import(const ImportRunInfo& info) = 0;
};

enum class Access { read, write };

/// Opens an existing store at its current schema version. Throws StoreError
/// if it does not exist ("run 'waymark init'"), needs upgrading, or is newer
/// than this build; throws UsageError for a location of an unknown kind.
std::unique_ptr<Store> open_store(const std::string& location, Access access);

struct InitResult {
    bool created = false; ///< a new store was made
    int from_version = 0; ///< 0 for a new store
    int to_version = 0;
    int working_crs = 0;
    std::vector<std::string> applied; ///< summaries of the migrations applied
};

/// Creates the store with the current schema and a new pseudonymisation key,
/// or upgrades an existing one (never touching its key). All in one
/// transaction: on failure the store is as it was. `working_crs` must match
/// an existing store's.
InitResult create_or_upgrade_store(const std::string& location, int working_crs);

} // namespace waymark::store
