#pragma once

// The Store on an SQL database, written once for both backends:
//   SpatiaLiteStore  one database file (sqlite.hpp), for one analyst;
//   PostgisStore     a PostgreSQL database with PostGIS (pg.hpp), shared by a force.
// Both hold the same schema (schema.cpp) and run the same queries; the few
// places where the dialects differ are named in the functions below, each
// with one definition per backend (spatialite_store.cpp, postgis_store.cpp).

#include "engine/store/pg.hpp"
#include "engine/store/schema.hpp"
#include "engine/store/sqlite.hpp"
#include "engine/store/store.hpp"

#include <span>

namespace waymark::store {

/// The children whose locations never go below area level outside the
/// analyst profile (PRIVACY.md "trafficked / UASC children"): an episode with
/// the trafficking or UASC indicator, or an RHI recording an NRM referral.
inline constexpr std::string_view protected_children_sql = R"sql(
    SELECT child_id FROM episodes WHERE trafficking = 1 OR uasc = 1
    UNION SELECT child_id FROM rhis WHERE nrm_referral = 1 AND child_id IS NOT NULL
    UNION SELECT e.child_id FROM rhis r JOIN episodes e ON e.episode_id = r.episode_id
          WHERE r.nrm_referral = 1)sql";

// ---- What differs between the backends --------------------------------------

/// "SpatiaLite" or "PostGIS".
std::string_view backend_name(const sqlite::Database& db);
std::string_view backend_name(const pg::Connection& db);

/// The schema version the store records (0: no Waymark schema).
int stored_schema_version(const sqlite::Database& db);
int stored_schema_version(const pg::Connection& db);

/// Whether the store was opened for reading only, or the account may not write.
bool opened_read_only(const sqlite::Database& db);
bool opened_read_only(const pg::Connection& db);

/// The deployment's pseudonymisation key, as stored.
std::vector<unsigned char> read_pseudonym_key(const sqlite::Database& db);
std::vector<unsigned char> read_pseudonym_key(const pg::Connection& db);

/// Called first in every write transaction. SQLite's BEGIN IMMEDIATE already
/// made this connection the only writer; PostgreSQL writers take an advisory
/// lock held to the end of the transaction, so that imports and appends to
/// the audit log happen one after another and the hash chain stays whole
/// while readers go on reading.
void become_only_writer(sqlite::Database& db);
void become_only_writer(pg::Connection& db);

/// An SQL expression for a point from three parameters (x, y, EPSG code),
/// e.g. point_sql(db, "?9", "?10", "?11").
std::string point_sql(const sqlite::Database& db, std::string_view x, std::string_view y,
                      std::string_view srid);
std::string point_sql(const pg::Connection& db, std::string_view x, std::string_view y,
                      std::string_view srid);

/// Applies `migrations` above the database's current version, up to and
/// including `target_version`, in one transaction; creates the spatial
/// metadata first on an empty database. On any failure nothing is applied.
/// Returns the summaries of the migrations applied.
std::vector<std::string> apply_migrations(sqlite::Database& db, int working_crs, int target_version,
                                          std::span<const Migration> migrations);
std::vector<std::string> apply_migrations(pg::Connection& db, int working_crs, int target_version,
                                          std::span<const Migration> migrations);

// ---- Shared by both backends' set-up ------------------------------------------

/// Creates the deployment row with a new random pseudonymisation key.
template <class Db>
void insert_deployment(Db& db, int working_crs);

/// A migration's SQL with "{srid}" replaced by the working CRS's EPSG code.
std::string with_srid(std::string_view sql, std::string_view srid);

/// Why a store at `version` cannot be opened by this build.
std::string schema_mismatch_message(const std::string& location, int version);

// ---- The store ------------------------------------------------------------------

template <class Db>
class SqlStore final : public Store {
public:
    /// Wraps an open database at the current schema version.
    explicit SqlStore(Db db);

    int schema_version() const override;
    int working_crs() const override { return m_working_crs; }
    std::vector<unsigned char> pseudonym_key() const override;
    StoreStatus status() const override;
    void for_each_place(const std::function<void(const model::GazetteerEntry&,
                                                 const model::Point&)>& visit) const override;
    std::unordered_map<std::string, std::optional<model::Timestamp>>
    episode_returns() const override;
    void for_each_incident(const std::function<void(const Incident&)>& visit) const override;
    NetworkEvidence network_evidence() const override;
    CaseRecords case_records() const override;
    std::int64_t record_analysis(const AnalysisRecord& record) override;
    std::unique_ptr<ImportWriter> begin_import(const ImportRunInfo& info) override;
    std::vector<AuditLogEntry> audit_log(const std::string& since) const override;
    AuditVerification verify_audit_log(const std::string& expected_head) const override;

    Db& database() noexcept { return m_db; }

private:
    Db m_db;
    int m_working_crs = 0;
};

using SpatiaLiteStore = SqlStore<sqlite::Database>;
using PostgisStore = SqlStore<pg::Connection>;

/// Starts an import on `db` (import_writer.cpp).
template <class Db>
std::unique_ptr<ImportWriter> begin_sql_import(Db& db, int working_crs, const ImportRunInfo& info);

/// open_store() and create_or_upgrade_store() for a postgresql:// URL (postgis_store.cpp).
std::unique_ptr<Store> open_postgis_store(const std::string& url, Access access);
InitResult create_or_upgrade_postgis_store(const std::string& url, int working_crs);

} // namespace waymark::store
