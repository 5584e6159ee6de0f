// SqlStore: the Store's reads and its analysis records, written once for
// SpatiaLite and PostGIS (sql_store.hpp).

#include "engine/store/sql_store.hpp"

#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/audit.hpp"

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

namespace waymark::store {

using pg::query_int64;
using sqlite::query_int64;

template <class Db>
void insert_deployment(Db& db, int working_crs) {
    constexpr std::size_t key_bytes = 32;
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

template void insert_deployment(sqlite::Database&, int);
template void insert_deployment(pg::Connection&, int);

std::string with_srid(std::string_view sql, std::string_view srid) {
    std::string result;
    std::size_t start = 0;
    constexpr std::string_view placeholder = "{srid}";
    for (std::size_t at = sql.find(placeholder); at != std::string_view::npos;
         at = sql.find(placeholder, start)) {
        result.append(sql.substr(start, at - start));
        result.append(srid);
        start = at + placeholder.size();
    }
    result.append(sql.substr(start));
    return result;
}

std::string schema_mismatch_message(const std::string& location, int version) {
    if (version > current_schema_version()) {
        return "store " + location + " has schema version " + std::to_string(version) +
               ", newer than this Waymark understands (" +
               std::to_string(current_schema_version()) + "): upgrade Waymark";
    }
    return "store " + location + " has schema version " + std::to_string(version) +
           "; this Waymark uses version " + std::to_string(current_schema_version()) +
           ": run 'waymark init' to upgrade it";
}

template <class Db>
SqlStore<Db>::SqlStore(Db db) : m_db(std::move(db)) {
    m_working_crs = static_cast<int>(
        query_int64(m_db, "SELECT working_crs FROM deployment WHERE singleton = 1"));
}

template <class Db>
int SqlStore<Db>::schema_version() const {
    return stored_schema_version(m_db);
}

template <class Db>
std::vector<unsigned char> SqlStore<Db>::pseudonym_key() const {
    return read_pseudonym_key(m_db);
}

template <class Db>
StoreStatus SqlStore<Db>::status() const {
    // One snapshot: an import committing meanwhile is counted whole or not at all.
    return read_snapshot(m_db, [this] {
        StoreStatus status;
        status.backend = std::string(backend_name(m_db));
        status.location = m_db.path();
        status.schema_version = schema_version();
        status.working_crs = m_working_crs;

        typename Db::Statement deployment(m_db,
                                          "SELECT created_at FROM deployment WHERE singleton = 1");
        if (deployment.step()) {
            status.created_at = deployment.column_text(0);
        }

        const auto count = [this](std::string_view sql) { return query_int64(m_db, sql); };
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

        typename Db::Statement range(m_db,
                                     "SELECT min(reported_at), max(reported_at) FROM episodes");
        if (range.step()) {
            status.first_reported_at = range.column_optional_text(0);
            status.last_reported_at = range.column_optional_text(1);
        }

        typename Db::Statement imports(
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
    });
}

template <class Db>
void SqlStore<Db>::for_each_place(
    const std::function<void(const model::GazetteerEntry&, const model::Point&)>& visit) const {
    typename Db::Statement query(m_db, "SELECT key, key_type, given_x, given_y, given_crs, label, "
                                       "place_type, restricted, ST_X(geom), ST_Y(geom) FROM places "
                                       "ORDER BY place_id");
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

template <class Db>
std::unordered_map<std::string, std::optional<model::Timestamp>>
SqlStore<Db>::episode_returns() const {
    std::unordered_map<std::string, std::optional<model::Timestamp>> returns;
    typename Db::Statement query(m_db, "SELECT episode_id, returned_at FROM episodes");
    while (query.step()) {
        const auto returned = query.column_optional_text(1);
        returns.emplace(query.column_text(0),
                        returned ? std::optional(model::parse_timestamp_utc(*returned))
                                 : std::nullopt);
    }
    return returns;
}

namespace {

// The yes/no columns of the first two parts are typed: PostgreSQL matches a
// UNION's column types pair by pair, and two bare NULLs would be text.
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
           looked_after, risk_grade, age, dob, cse, cce, CAST(NULL AS INTEGER), 0
    FROM ep
    UNION ALL
    SELECT 'found', episode_id, episode_id, child_id, found_location_id, found_at, setting,
           looked_after, risk_grade, age, dob, cse, cce, CAST(NULL AS INTEGER), 0
    FROM ep WHERE found_location_id IS NOT NULL
    UNION ALL
    SELECT CASE WHEN rp.part = 'places' AND (rp.role IS NULL OR rp.role IN ('went_to', 'slept', 'met'))
                THEN 'visited' ELSE 'concern' END,
           r.rhi_id, r.episode_id, COALESCE(r.child_id, ep.child_id), rp.location_id,
           COALESCE(ep.missing_at, r.conducted_at, r.offered_at, r.referred_at), ep.setting,
           ep.looked_after, ep.risk_grade, ep.age, ep.dob,
           CASE WHEN COALESCE(ep.cse, 0) = 1 OR COALESCE(r.cse_indicators, 0) = 1 THEN 1 ELSE 0 END,
           CASE WHEN COALESCE(ep.cce, 0) = 1 OR COALESCE(r.cce_indicators, 0) = 1 THEN 1 ELSE 0 END,
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
       ST_X(l.geom), ST_Y(l.geom), COALESCE(p.key, l.resolved_place_key), COALESCE(p.label, l.label),
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

template <class Db>
void SqlStore<Db>::for_each_incident(const std::function<void(const Incident&)>& visit) const {
    typename Db::Statement query(m_db, incidents_sql);
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

template <class Db>
std::int64_t SqlStore<Db>::record_analysis(const AnalysisRecord& record) {
    if (opened_read_only(m_db)) {
        throw StoreError("cannot record the " + record.command + " run in " + m_db.path() +
                         ": the store was opened read-only");
    }
    typename Db::Transaction transaction(m_db);
    become_only_writer(m_db);
    typename Db::Statement insert(m_db, "INSERT INTO analysis_runs (command, profile, started_at, "
                                        "finished_at, parameters, outputs) "
                                        "VALUES (?, ?, ?, ?, ?, ?) RETURNING analysis_run_id");
    insert.bind(1, record.command)
        .bind(2, record.profile)
        .bind(3, record.started_at)
        .bind(4, model::format_timestamp(model::now_utc()))
        .bind(5, record.parameters)
        .bind(6, record.outputs);
    if (!insert.step()) {
        m_db.fail("recording the " + record.command + " run");
    }
    const std::int64_t id = insert.column_int64(0);
    insert.reset();
    const nlohmann::json inputs = {{"user", current_os_user()},
                                   {"parameters", nlohmann::json::parse(record.parameters)}};
    const nlohmann::json outputs = {{"analysis_run", id},
                                    {"files", nlohmann::json::parse(record.outputs)}};
    append_audit_entry(m_db, {record.command, record.profile, inputs.dump(), outputs.dump()});
    transaction.commit();
    return id;
}

template <class Db>
std::unique_ptr<ImportWriter> SqlStore<Db>::begin_import(const ImportRunInfo& info) {
    if (opened_read_only(m_db)) {
        throw StoreError("cannot import into " + m_db.path() + ": the store was opened read-only");
    }
    return begin_sql_import(m_db, m_working_crs, info);
}

template <class Db>
std::vector<AuditLogEntry> SqlStore<Db>::audit_log(const std::string& since) const {
    return list_audit_entries(m_db, since);
}

template <class Db>
AuditVerification SqlStore<Db>::verify_audit_log(const std::string& expected_head) const {
    return verify_audit_chain(m_db, expected_head);
}

std::vector<AuditLogEntry> Store::audit_log(const std::string& /*since*/) const {
    throw StoreError("this store keeps no audit log");
}

AuditVerification Store::verify_audit_log(const std::string& /*expected_head*/) const {
    throw StoreError("this store keeps no audit log");
}

template class SqlStore<sqlite::Database>;
template class SqlStore<pg::Connection>;

} // namespace waymark::store
