#pragma once

// The SpatiaLite implementation of Store: one database file.

#include "engine/store/schema.hpp"
#include "engine/store/sqlite.hpp"
#include "engine/store/store.hpp"

#include <span>

namespace waymark::store {

/// Applies `migrations` above the database's current version, up to and
/// including `target_version`, in one transaction; creates SpatiaLite's
/// metadata first on an empty database. On any failure nothing is applied.
/// Returns the summaries of the migrations applied.
std::vector<std::string> apply_migrations(sqlite::Database& db, int working_crs, int target_version,
                                          std::span<const Migration> migrations);

/// The version recorded in the file (PRAGMA user_version); 0 for a new file.
int stored_schema_version(const sqlite::Database& db);

/// The children whose locations never go below area level outside the
/// analyst profile (PRIVACY.md "trafficked / UASC children"): an episode with
/// the trafficking or UASC indicator, or an RHI recording an NRM referral.
inline constexpr std::string_view protected_children_sql = R"sql(
    SELECT child_id FROM episodes WHERE trafficking = 1 OR uasc = 1
    UNION SELECT child_id FROM rhis WHERE nrm_referral = 1 AND child_id IS NOT NULL
    UNION SELECT e.child_id FROM rhis r JOIN episodes e ON e.episode_id = r.episode_id
          WHERE r.nrm_referral = 1)sql";

class SpatiaLiteStore final : public Store {
public:
    /// Wraps an open database at the current schema version.
    explicit SpatiaLiteStore(sqlite::Database db);

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

    sqlite::Database& database() noexcept { return m_db; }

private:
    sqlite::Database m_db;
    int m_working_crs = 0;
};

} // namespace waymark::store
