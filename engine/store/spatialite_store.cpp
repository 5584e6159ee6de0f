#include "engine/store/spatialite_store.hpp"

#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/spatialite_import.hpp"

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace waymark::store {
namespace {

constexpr std::size_t key_bytes = 32;

bool is_server_url(const std::string& location) {
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

void reject_server_url(const std::string& location) {
    if (is_server_url(location)) {
        throw UsageError("--db " + location.substr(0, location.find(':')) +
                         "://…: this build of Waymark has no PostgreSQL backend; give the path "
                         "of a SpatiaLite store");
    }
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
    std::string result;
    std::size_t start = 0;
    for (std::size_t at = text.find(from); at != std::string_view::npos;
         at = text.find(from, start)) {
        result.append(text.substr(start, at - start));
        result.append(to);
        start = at + from.size();
    }
    result.append(text.substr(start));
    return result;
}

// Runs a migration statement by statement. SpatiaLite's functions
// (AddGeometryColumn, CreateSpatialIndex, InitSpatialMetadata) report failure
// by returning 0 rather than raising an error, so a SELECT answering 0 fails.
void run_checked(sqlite::Database& db, std::string_view sql, std::string_view what) {
    const std::string text(sql);
    const char* next = text.c_str();
    while (*next != '\0') {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        if (sqlite3_prepare_v2(db.get(), next, -1, &raw, &tail) != SQLITE_OK) {
            db.fail(std::string(what) + ": preparing \"" +
                    std::string(next, std::min<std::size_t>(60, std::strlen(next))) + "\"");
        }
        if (raw == nullptr) { // only white space or a comment was left
            break;
        }
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw,
                                                                              sqlite3_finalize);
        const int rc = sqlite3_step(raw);
        if (rc == SQLITE_ROW && sqlite3_column_type(raw, 0) == SQLITE_INTEGER &&
            sqlite3_column_int(raw, 0) == 0) {
            throw StoreError(std::string(what) + " in " + db.path() + ": \"" + sqlite3_sql(raw) +
                             "\" failed (SpatiaLite returned 0)");
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            db.fail(std::string(what) + ": \"" + sqlite3_sql(raw) + "\"");
        }
        next = tail;
    }
}

int read_working_crs(const sqlite::Database& db) {
    return static_cast<int>(
        sqlite::query_int64(db, "SELECT working_crs FROM deployment WHERE singleton = 1"));
}

void insert_deployment(sqlite::Database& db, int working_crs) {
    std::vector<unsigned char> key(key_bytes);
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        throw StoreError("creating the pseudonymisation key: OpenSSL has no randomness");
    }
    db.prepare("INSERT INTO deployment (singleton, created_at, working_crs, pseudonym_key) "
               "VALUES (1, ?, ?, ?)")
        .bind(1, model::format_timestamp(model::now_utc()))
        .bind(2, working_crs)
        .bind_blob(3, key.data(), key.size())
        .run();
}

std::string schema_mismatch(const std::string& path, int version) {
    if (version > current_schema_version()) {
        return "store " + path + " has schema version " + std::to_string(version) +
               ", newer than this Waymark understands (" +
               std::to_string(current_schema_version()) + "): upgrade Waymark";
    }
    return "store " + path + " has schema version " + std::to_string(version) +
           "; this Waymark uses version " + std::to_string(current_schema_version()) +
           ": run 'waymark init' to upgrade it";
}

} // namespace

int stored_schema_version(const sqlite::Database& db) {
    return static_cast<int>(sqlite::query_int64(db, "PRAGMA user_version"));
}

std::vector<std::string> apply_migrations(sqlite::Database& db, int working_crs, int target_version,
                                          std::span<const Migration> migrations) {
    std::vector<std::string> applied;
    sqlite::Transaction transaction(db);
    const int from = stored_schema_version(db);
    if (from == 0) {
        // SpatiaLite's metadata tables, with only the SRIDs we use rather than
        // all five thousand; 0 = inside the caller's transaction.
        run_checked(db, "SELECT InitSpatialMetadata(0, 'NONE')", "creating spatial metadata");
        run_checked(db, "SELECT InsertEpsgSrid(" + std::to_string(working_crs) + ")",
                    "registering the working CRS EPSG:" + std::to_string(working_crs));
        if (working_crs != 4326) {
            run_checked(db, "SELECT InsertEpsgSrid(4326)", "registering WGS 84");
        }
    }
    const std::string srid = std::to_string(working_crs);
    for (const Migration& migration : migrations) {
        if (migration.version <= from || migration.version > target_version) {
            continue;
        }
        run_checked(db, replace_all(migration.sql, "{srid}", srid),
                    "schema migration " + std::to_string(migration.version) + " (" +
                        std::string(migration.summary) + ")");
        db.exec("PRAGMA user_version = " + std::to_string(migration.version));
        applied.emplace_back(migration.summary);
    }
    if (from == 0) {
        insert_deployment(db, working_crs);
    }
    transaction.commit();
    return applied;
}

// ---- Store ------------------------------------------------------------------

SpatiaLiteStore::SpatiaLiteStore(sqlite::Database db) : m_db(std::move(db)) {
    m_working_crs = read_working_crs(m_db);
}

int SpatiaLiteStore::schema_version() const {
    return stored_schema_version(m_db);
}

std::vector<unsigned char> SpatiaLiteStore::pseudonym_key() const {
    sqlite::Statement statement(m_db, "SELECT pseudonym_key FROM deployment WHERE singleton = 1");
    if (!statement.step()) {
        m_db.fail("reading the pseudonymisation key");
    }
    const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(statement.get(), 0));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), 0));
    return {data, data + size};
}

StoreStatus SpatiaLiteStore::status() const {
    StoreStatus status;
    status.backend = "SpatiaLite";
    status.location = m_db.path();
    status.schema_version = schema_version();
    status.working_crs = m_working_crs;

    sqlite::Statement deployment(m_db, "SELECT created_at FROM deployment WHERE singleton = 1");
    if (deployment.step()) {
        status.created_at = deployment.column_text(0);
    }

    const auto count = [this](std::string_view sql) { return sqlite::query_int64(m_db, sql); };
    status.children = count("SELECT count(*) FROM children");
    status.episodes = count("SELECT count(*) FROM episodes");
    status.open_episodes = count("SELECT count(*) FROM episodes WHERE returned_at IS NULL");
    status.rhis = count("SELECT count(*) FROM rhis");
    status.cpis = count("SELECT count(*) FROM cpis");
    status.persons = count("SELECT count(*) FROM persons");
    status.places = count("SELECT count(*) FROM places");
    status.locations = count("SELECT count(*) FROM locations");
    status.unresolved_locations =
        count("SELECT count(*) FROM locations WHERE resolution = 'unresolved'");
    status.quarantined_rows = count("SELECT count(*) FROM quarantine");
    status.import_runs = count("SELECT count(*) FROM import_runs");
    status.audit_entries = count("SELECT count(*) FROM audit_log");

    sqlite::Statement range(m_db, "SELECT min(reported_at), max(reported_at) FROM episodes");
    if (range.step()) {
        status.first_reported_at = range.column_optional_text(0);
        status.last_reported_at = range.column_optional_text(1);
    }

    sqlite::Statement imports(
        m_db, "SELECT import_run_id, kind, file, started_at, finished_at, rows_imported, "
              "rows_quarantined, unresolved_locations, rows_updated, rows_unchanged "
              "FROM import_runs "
              "ORDER BY import_run_id DESC LIMIT 5");
    while (imports.step()) {
        status.last_imports.push_back({imports.column_int64(0), imports.column_text(1),
                                       imports.column_text(2), imports.column_text(3),
                                       imports.column_optional_text(4), imports.column_int64(5),
                                       imports.column_int64(6), imports.column_int64(7),
                                       imports.column_int64(8), imports.column_int64(9)});
    }
    return status;
}

void SpatiaLiteStore::for_each_place(
    const std::function<void(const model::GazetteerEntry&, const model::Point&)>& visit) const {
    sqlite::Statement query(m_db, "SELECT key, key_type, given_x, given_y, given_crs, label, "
                                  "place_type, restricted, ST_X(geom), ST_Y(geom) FROM places");
    model::GazetteerEntry entry;
    while (query.step()) {
        entry.key = query.column_text(0);
        entry.key_type = model::parse_code<model::GazetteerKeyType>(query.column_text(1));
        entry.x = query.column_double(2);
        entry.y = query.column_double(3);
        entry.crs = static_cast<int>(query.column_int64(4));
        entry.label = query.column_text(5);
        const auto type = query.column_optional_text(6);
        entry.place_type =
            type ? std::optional(model::parse_code<model::PlaceType>(*type)) : std::nullopt;
        const auto restricted = query.column_optional_int64(7);
        entry.restricted = restricted ? std::optional(*restricted != 0) : std::nullopt;
        visit(entry, {query.column_double(8), query.column_double(9)});
    }
}

std::unordered_map<std::string, std::optional<model::Timestamp>>
SpatiaLiteStore::episode_returns() const {
    std::unordered_map<std::string, std::optional<model::Timestamp>> returns;
    sqlite::Statement query(m_db, "SELECT episode_id, returned_at FROM episodes");
    while (query.step()) {
        const auto returned = query.column_optional_text(1);
        returns.emplace(query.column_text(0),
                        returned ? std::optional(model::parse_timestamp_utc(*returned))
                                 : std::nullopt);
    }
    return returns;
}

namespace {

// Every resolved location a record puts a child at, by role (store.hpp,
// Incident). RHI places with role 'found' are left to the episode's found
// location, which says the same thing with police authority. A CPI form names
// a child only through its subjects: the first child subject with an id.
const std::string incidents_sql = R"sql(
WITH ep AS (
    SELECT e.episode_id, e.child_id, e.setting, e.looked_after, e.risk_grade, e.age,
           COALESCE(e.date_of_birth, c.date_of_birth) AS dob, e.cse, e.cce,
           COALESCE(e.last_seen_at, e.reported_at) AS missing_at,
           COALESCE(e.returned_at, e.reported_at) AS found_at,
           e.from_location_id, e.found_location_id
    FROM episodes e LEFT JOIN children c ON c.child_id = e.child_id),
protected_children (child_id) AS ()sql" +
                                  std::string(protected_children_sql) + R"sql(),
raw (role, record_id, episode_id, child_id, location_id, at, setting, looked_after, risk_grade,
     age, dob, cse, cce, consent, sensitive) AS (
    SELECT 'from', episode_id, episode_id, child_id, from_location_id, missing_at, setting,
           looked_after, risk_grade, age, dob, cse, cce, NULL, 0
    FROM ep
    UNION ALL
    SELECT 'found', episode_id, episode_id, child_id, found_location_id, found_at, setting,
           looked_after, risk_grade, age, dob, cse, cce, NULL, 0
    FROM ep WHERE found_location_id IS NOT NULL
    UNION ALL
    SELECT CASE WHEN rp.part = 'places' AND (rp.role IS NULL OR rp.role IN ('went_to', 'slept', 'met'))
                THEN 'visited' ELSE 'concern' END,
           r.rhi_id, r.episode_id, COALESCE(r.child_id, ep.child_id), rp.location_id,
           COALESCE(ep.missing_at, r.conducted_at, r.offered_at, r.referred_at), ep.setting,
           ep.looked_after, ep.risk_grade, ep.age, ep.dob,
           COALESCE(ep.cse, 0) OR COALESCE(r.cse_indicators, 0),
           COALESCE(ep.cce, 0) OR COALESCE(r.cce_indicators, 0),
           r.consent_to_share, COALESCE(r.sensitive_disclosure, 0)
    FROM rhi_places rp JOIN rhis r ON r.rhi_id = rp.rhi_id
         LEFT JOIN ep ON ep.episode_id = r.episode_id
    WHERE rp.part = 'locations_of_concern' OR rp.role IS NULL
          OR rp.role IN ('went_to', 'slept', 'met', 'concern')
    UNION ALL
    SELECT 'concern', c.cpi_id, NULL,
           (SELECT min(s.person_id) FROM cpi_subjects s
            WHERE s.cpi_id = c.cpi_id AND s.kind = 'child' AND s.person_id IS NOT NULL),
           l.location_id, COALESCE(c.information_date, c.received_at), NULL, NULL, NULL, NULL,
           NULL, 0, 0, NULL, 0
    FROM cpis c JOIN (SELECT cpi_id, location_id FROM cpis WHERE location_id IS NOT NULL
                      UNION SELECT cpi_id, location_id FROM cpi_places) l ON l.cpi_id = c.cpi_id)
SELECT raw.role, raw.record_id, raw.episode_id, raw.child_id, raw.location_id,
       X(l.geom), Y(l.geom), COALESCE(p.key, l.resolved_place_key), COALESCE(p.label, l.label),
       raw.at, raw.setting, raw.looked_after, raw.risk_grade, raw.age, raw.dob, raw.cse, raw.cce,
       COALESCE(p.place_type, l.type), COALESCE(p.restricted, 0), raw.consent, raw.sensitive,
       raw.child_id IN (SELECT child_id FROM protected_children)
FROM raw JOIN locations l ON l.location_id = raw.location_id AND l.geom IS NOT NULL
     LEFT JOIN places p ON p.place_id = l.place_id
ORDER BY raw.role, raw.record_id, raw.location_id
)sql";

// Whole years from a date of birth (YYYY-MM-DD) to a UTC time or date.
std::optional<int> age_at(const std::optional<std::string>& date_of_birth, const std::string& at) {
    if (!date_of_birth || date_of_birth->size() < 10 || at.size() < 10) {
        return std::nullopt;
    }
    try {
        const auto born =
            std::chrono::year_month_day(model::parse_date(date_of_birth->substr(0, 10)));
        const auto then = std::chrono::year_month_day(model::parse_date(at.substr(0, 10)));
        int years = static_cast<int>(then.year()) - static_cast<int>(born.year());
        if (std::chrono::month_day(then.month(), then.day()) <
            std::chrono::month_day(born.month(), born.day())) {
            --years;
        }
        return years;
    } catch (const InputError&) {
        return std::nullopt; // the importer validated dates; a stray one only loses the age
    }
}

} // namespace

void SpatiaLiteStore::for_each_incident(const std::function<void(const Incident&)>& visit) const {
    sqlite::Statement query(m_db, incidents_sql);
    Incident incident;
    while (query.step()) {
        incident.role = query.column_text(0);
        incident.record_id = query.column_text(1);
        incident.episode_id = query.column_optional_text(2).value_or("");
        incident.child_id = query.column_optional_text(3).value_or("");
        incident.location_id = query.column_int64(4);
        incident.point = {query.column_double(5), query.column_double(6)};
        incident.place_key = query.column_optional_text(7).value_or("");
        incident.place_label = query.column_optional_text(8).value_or("");
        incident.at = query.column_optional_text(9).value_or("");
        incident.setting = query.column_optional_text(10).value_or("");
        const auto looked_after = query.column_optional_int64(11);
        incident.looked_after = looked_after ? std::optional(*looked_after != 0) : std::nullopt;
        incident.risk_grade = query.column_optional_text(12).value_or("");
        const auto age = query.column_optional_int64(13);
        incident.age = age ? std::optional(static_cast<int>(*age))
                           : age_at(query.column_optional_text(14), incident.at);
        incident.cse = query.column_int64(15) != 0;
        incident.cce = query.column_int64(16) != 0;
        incident.place_type = query.column_optional_text(17).value_or("");
        incident.restricted = query.column_int64(18) != 0;
        const auto consent = query.column_optional_int64(19);
        incident.consent_to_share = consent ? std::optional(*consent != 0) : std::nullopt;
        incident.sensitive_disclosure = query.column_int64(20) != 0;
        incident.protected_child = query.column_optional_int64(21).value_or(0) != 0;
        visit(incident);
    }
}

std::int64_t SpatiaLiteStore::record_analysis(const AnalysisRecord& record) {
    if (sqlite3_db_readonly(m_db.get(), "main") == 1) {
        throw StoreError("cannot record the " + record.command + " run in " + m_db.path() +
                         ": the store was opened read-only");
    }
    sqlite::Transaction transaction(m_db);
    sqlite::Statement insert(m_db, "INSERT INTO analysis_runs (command, profile, started_at, "
                                   "finished_at, parameters, outputs) VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, record.command)
        .bind(2, record.profile)
        .bind(3, record.started_at)
        .bind(4, model::format_timestamp(model::now_utc()))
        .bind(5, record.parameters)
        .bind(6, record.outputs)
        .run();
    const std::int64_t id = m_db.last_insert_rowid();
    const nlohmann::json inputs = {{"user", current_os_user()},
                                   {"parameters", nlohmann::json::parse(record.parameters)}};
    const nlohmann::json outputs = {{"analysis_run", id},
                                    {"files", nlohmann::json::parse(record.outputs)}};
    append_audit_entry(m_db, {record.command, record.profile, inputs.dump(), outputs.dump()});
    transaction.commit();
    return id;
}

std::unique_ptr<ImportWriter> SpatiaLiteStore::begin_import(const ImportRunInfo& info) {
    if (sqlite3_db_readonly(m_db.get(), "main") == 1) {
        throw StoreError("cannot import into " + m_db.path() + ": the store was opened read-only");
    }
    return begin_spatialite_import(m_db, m_working_crs, info);
}

std::vector<AuditLogEntry> SpatiaLiteStore::audit_log(const std::string& since) const {
    return list_audit_entries(m_db, since);
}

AuditVerification SpatiaLiteStore::verify_audit_log(const std::string& expected_head) const {
    return verify_audit_chain(m_db, expected_head);
}

std::vector<AuditLogEntry> Store::audit_log(const std::string& /*since*/) const {
    throw StoreError("this store keeps no audit log");
}

AuditVerification Store::verify_audit_log(const std::string& /*expected_head*/) const {
    throw StoreError("this store keeps no audit log");
}

// ---- Factories --------------------------------------------------------------

std::unique_ptr<Store> open_store(const std::string& location, Access access) {
    reject_server_url(location);
    if (!std::filesystem::exists(location)) {
        throw StoreError("no store at " + location + ": run 'waymark init' to create one");
    }
    auto db =
        sqlite::Database::open(location, access == Access::write ? sqlite::OpenMode::read_write
                                                                 : sqlite::OpenMode::read_only);
    const int version = stored_schema_version(db);
    if (version == 0) {
        throw StoreError(location + " is not a Waymark store (it has no Waymark schema)");
    }
    if (version != current_schema_version()) {
        throw StoreError(schema_mismatch(location, version));
    }
    return std::make_unique<SpatiaLiteStore>(std::move(db));
}

namespace {

InitResult create_or_upgrade(const std::string& location, int working_crs, bool created) {
    InitResult result;
    result.created = created;
    auto db = sqlite::Database::open(location, sqlite::OpenMode::create);
    result.from_version = stored_schema_version(db);
    if (result.from_version > current_schema_version()) {
        throw StoreError(schema_mismatch(location, result.from_version));
    }
    if (result.from_version == 0 &&
        sqlite::query_int64(db, "SELECT count(*) FROM sqlite_schema") != 0) {
        throw StoreError(location + " is an SQLite database but not a Waymark store: "
                                    "choose another --db path");
    }
    if (result.from_version > 0) {
        const int existing = read_working_crs(db);
        if (existing != working_crs) {
            throw StoreError("store " + location +
                             " uses working CRS EPSG:" + std::to_string(existing) +
                             " but the area settings ask for EPSG:" + std::to_string(working_crs));
        }
    }
    result.applied =
        apply_migrations(db, working_crs, current_schema_version(), spatialite_migrations());
    result.to_version = stored_schema_version(db);
    result.working_crs = working_crs;
    db.close();
    return result;
}

} // namespace

InitResult create_or_upgrade_store(const std::string& location, int working_crs) {
    reject_server_url(location);
    const bool created = !std::filesystem::exists(location);
    try {
        return create_or_upgrade(location, working_crs, created);
    } catch (...) {
        // A store we failed to create is removed, so that the next attempt
        // starts clean; an existing store was rolled back and is left alone.
        if (created) {
            std::error_code ignored;
            for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
                std::filesystem::remove(location + suffix, ignored);
            }
        }
        throw;
    }
}

} // namespace waymark::store
