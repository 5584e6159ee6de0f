// The import writer (store.hpp, ImportWriter), written once for both
// backends; what only SpatiaLite needs (its R*Tree, its geometry_columns_time,
// dropping indexes for a large import) is marked `spatialite`.

#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/sql_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_map>

namespace waymark::store {
namespace {

using model::to_code;

// Optional values are bound as NULL; codes as their canonical text.
template <model::CodeEnum E, class Statement>
void bind_code(Statement& statement, int index, const std::optional<E>& value) {
    if (value) {
        statement.bind(index, to_code(*value));
    } else {
        statement.bind_null(index);
    }
}

template <class Statement>
void bind_time(Statement& statement, int index, const std::optional<model::Timestamp>& value) {
    if (value) {
        statement.bind(index, model::format_timestamp(*value));
    } else {
        statement.bind_null(index);
    }
}

template <class Statement>
void bind_date(Statement& statement, int index, const std::optional<model::Date>& value) {
    if (value) {
        statement.bind(index, model::format_date(*value));
    } else {
        statement.bind_null(index);
    }
}

// Unknown columns are kept as a JSON object (source order is lost; names are
// unique within one row of a file).
template <class Statement>
void bind_attributes(Statement& statement, int index, const model::Attributes& extra) {
    if (extra.empty()) {
        statement.bind_null(index);
        return;
    }
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [name, value] : extra) {
        object[name] = value;
    }
    statement.bind(index, object.dump());
}

// A query's one integer, on either backend.
std::int64_t largest(const sqlite::Database& db, std::string_view sql) {
    return sqlite::query_int64(db, sql);
}
std::int64_t largest(const pg::Connection& db, std::string_view sql) {
    return pg::query_int64(db, sql);
}

struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};

template <class Db>
class SqlImport final : public ImportWriter {
    using Statement = typename Db::Statement;
    static constexpr bool spatialite = std::is_same_v<Db, sqlite::Database>;

public:
    SqlImport(Db& db, int working_crs, const ImportRunInfo& info)
        : m_db(db), m_transaction(db), m_srid(working_crs) {
        become_only_writer(m_db);
        Statement start(m_db, "INSERT INTO import_runs (kind, file, file_sha256, spec, "
                              "started_at) VALUES (?, ?, ?, ?, ?) RETURNING import_run_id");
        start.bind(1, info.kind)
            .bind(2, info.file)
            .bind_text_or_null(3, info.file_sha256)
            .bind_text_or_null(4, info.spec)
            .bind(5, model::format_timestamp(model::now_utc()));
        if (!start.step()) {
            m_db.fail("starting an import run");
        }
        m_run_id = start.column_int64(0);
        start.reset();
        // Places, locations and RHI places are numbered here rather than by
        // the database, so that a row's id is known without asking the
        // database for it: on PostgreSQL that would be a round trip per row.
        // This writer is the only one (become_only_writer), so no one else
        // takes these numbers meanwhile.
        m_next_place = largest(m_db, "SELECT coalesce(max(place_id), 0) FROM places");
        m_next_location = largest(m_db, "SELECT coalesce(max(location_id), 0) FROM locations");
        m_next_rhi_place = largest(m_db, "SELECT coalesce(max(rhi_place_id), 0) FROM rhi_places");
        // The ids this import found stored and left unchanged, for
        // added_earlier(); inserted and updated records carry the run's id.
        // Temporary: it goes with the connection and is emptied per import.
        m_db.exec(std::string("CREATE TEMP TABLE IF NOT EXISTS import_unchanged (kind TEXT NOT "
                              "NULL, id TEXT NOT NULL, PRIMARY KEY (kind, id))") +
                  (spatialite ? " WITHOUT ROWID" : ""));
        m_db.exec("DELETE FROM import_unchanged");
        if constexpr (spatialite) {
            defer_indexes(info);
        } else {
            // From here on, rows are sent without waiting for each answer (pg.hpp).
            m_db.enter_pipeline();
        }
    }

    std::int64_t run_id() const override { return m_run_id; }

    bool added_earlier(std::string_view kind, const std::string& id) override {
        Kind& k = kind_named(kind);
        const Stored& record = stored(k, id);
        if (!record.found) {
            return false;
        }
        if (record.run == m_run_id) {
            return true; // inserted or updated by this import
        }
        if constexpr (!spatialite) {
            return k.known.at(id).unchanged;
        }
        auto& query = statement(m_find_unchanged, "SELECT 1 FROM import_unchanged "
                                                  "WHERE kind = ? AND id = ?");
        query.bind(1, k.name).bind(2, id);
        const bool found = query.step();
        query.reset();
        return found;
    }

    AddResult add(const model::GazetteerEntry& entry, const model::Point& point,
                  std::uint64_t hash) override {
        // Places are referred to by locations, so an update changes the row
        // in place rather than replacing it.
        const std::string id = std::string(to_code(entry.key_type)) + ":" + entry.key;
        const AddResult result = begin_add(m_places, id, hash, /*remove=*/false);
        if (result == AddResult::unchanged || result == AddResult::refused) {
            return result;
        }
        auto& write =
            result == AddResult::updated ? statement(
                                               m_update_place, R"sql(
            UPDATE places SET label = ?3, place_type = ?4, restricted = ?5, given_x = ?6,
                given_y = ?7, given_crs = ?8, geom = )sql" + point_sql(m_db, "?9", "?10", "?11") +
                                                                   R"sql(, import_run_id = ?12,
                content_hash = ?13
            WHERE key = ?1 AND key_type = ?2 RETURNING place_id)sql")
                                         : statement(m_insert_place, R"sql(
            INSERT INTO places (key, key_type, label, place_type, restricted, given_x, given_y,
                                given_crs, geom, import_run_id, content_hash, place_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, )sql" + point_sql(m_db, "?9", "?10", "?11") +
                                                                         ", ?12, ?13, ?14)");
        write.bind(1, entry.key).bind(2, to_code(entry.key_type));
        write.bind_text_or_null(3, entry.label);
        bind_code(write, 4, entry.place_type);
        write.bind(5, entry.restricted).bind(6, entry.x).bind(7, entry.y).bind(8, entry.crs);
        write.bind(9, point.x).bind(10, point.y).bind(11, m_srid).bind(12, m_run_id);
        bind_hash(write, 13, hash);
        std::int64_t place_id = 0;
        if (result == AddResult::updated) {
            if (!write.step()) {
                m_db.fail("updating place " + entry.key);
            }
            place_id = write.column_int64(0);
            write.reset();
        } else {
            place_id = ++m_next_place;
            write.bind(14, place_id).run();
        }
        if constexpr (spatialite) {
            if (result == AddResult::updated) {
                statement(m_unindex_place, "DELETE FROM idx_places_geom WHERE pkid = ?")
                    .bind(1, place_id)
                    .run();
            }
            index_point(m_index_place, "idx_places_geom", place_id, point);
        } else {
            (void)place_id; // PostGIS keeps its GiST index itself
        }
        m_placed = true;
        finish_add(m_places, id, result);
        return result;
    }

    AddResult add(const model::Person& person, std::uint64_t hash) override {
        const AddResult result = begin_add(m_persons, person.person_id, hash);
        if (result == AddResult::unchanged || result == AddResult::refused) {
            return result;
        }
        auto& insert = statement(m_insert_person, R"sql(
            INSERT INTO persons (person_id, kind, name, date_of_birth, sex, import_run_id,
                                 content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?))sql");
        insert.bind(1, person.person_id);
        bind_code(insert, 2, person.kind);
        insert.bind_text_or_null(3, person.name);
        bind_date(insert, 4, person.date_of_birth);
        bind_code(insert, 5, person.sex);
        insert.bind(6, m_run_id);
        bind_hash(insert, 7, hash);
        insert.run();
        for (const std::string& alias : person.aliases) {
            statement(m_insert_alias,
                      "INSERT INTO person_aliases VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(1, person.person_id)
                .bind(2, alias)
                .run();
        }
        for (const std::string& flag : person.flags) {
            statement(m_insert_flag,
                      "INSERT INTO person_flags VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(1, person.person_id)
                .bind(2, flag)
                .run();
        }
        finish_add(m_persons, person.person_id, result);
        return result;
    }

    AddResult add(const model::Episode& e, std::uint64_t hash) override {
        const AddResult result = begin_add(m_episodes, e.episode_id, hash);
        if (result == AddResult::unchanged || result == AddResult::refused) {
            return result;
        }
        // A child is known from their episodes; the first date of birth and
        // sex given are kept.
        auto& child = statement(m_upsert_child, R"sql(
            INSERT INTO children (child_id, date_of_birth, sex) VALUES (?, ?, ?)
            ON CONFLICT (child_id) DO UPDATE SET
                date_of_birth = coalesce(children.date_of_birth, excluded.date_of_birth),
                sex = coalesce(children.sex, excluded.sex)
            WHERE children.date_of_birth IS NULL OR children.sex IS NULL)sql");
        child.bind(1, e.child_id);
        bind_date(child, 2, e.date_of_birth);
        bind_code(child, 3, e.sex);
        child.run();

        const std::int64_t from = add_location(e.from);
        // 0 stands for "no found location" (location ids start at 1); a plain
        // integer rather than an optional keeps GCC's -Wmaybe-uninitialized quiet.
        const std::int64_t found = e.found ? add_location(*e.found) : 0;

        auto& insert = statement(m_insert_episode, R"sql(
            INSERT INTO episodes (episode_id, child_id, reported_at, last_seen_at, returned_at,
                age, date_of_birth, sex, category, setting, looked_after, placement_area,
                responsible_authority, risk_grade, police_ref, from_location_id,
                found_location_id, returned_by, safe_and_well, cse, cce, trafficking, uasc,
                attributes, import_run_id, content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    ?))sql");
        insert.bind(1, e.episode_id).bind(2, e.child_id);
        insert.bind(3, model::format_timestamp(e.reported_at));
        bind_time(insert, 4, e.last_seen_at);
        bind_time(insert, 5, e.returned_at);
        insert.bind(6, e.age);
        bind_date(insert, 7, e.date_of_birth);
        bind_code(insert, 8, e.sex);
        insert.bind(9, to_code(e.category)).bind(10, to_code(e.setting));
        insert.bind(11, e.looked_after);
        bind_code(insert, 12, e.placement_area);
        insert.bind_text_or_null(13, e.responsible_authority);
        bind_code(insert, 14, e.risk_grade);
        insert.bind_text_or_null(15, e.police_ref);
        insert.bind(16, from);
        if (found != 0) {
            insert.bind(17, found);
        } else {
            insert.bind_null(17);
        }
        bind_code(insert, 18, e.returned_by);
        insert.bind(19, e.safe_and_well).bind(20, e.cse).bind(21, e.cce);
        insert.bind(22, e.trafficking).bind(23, e.uasc);
        bind_attributes(insert, 24, e.extra);
        insert.bind(25, m_run_id);
        bind_hash(insert, 26, hash);
        insert.run();

        for (const std::string& other : e.missing_with) {
            statement(m_insert_missing_with,
                      "INSERT INTO episode_missing_with (episode_id, child_id) "
                      "VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(1, e.episode_id)
                .bind(2, other)
                .run();
        }
        finish_add(m_episodes, e.episode_id, result);
        return result;
    }

    AddResult add(const model::ReturnInterview& r, std::uint64_t hash) override {
        const AddResult result = begin_add(m_rhis, r.rhi_id, hash);
        if (result == AddResult::unchanged || result == AddResult::refused) {
            return result;
        }
        auto& insert = statement(m_insert_rhi, R"sql(
            INSERT INTO rhis (rhi_id, episode_id, child_id, referred_at, offered_at, outcome,
                decline_reason, conducted_at, mode, independent, consent_to_share,
                risk_of_repeat, strategy_meeting_required, cse_indicators, cce_indicators,
                nrm_referral, cpi_submitted, sensitive_disclosure, attributes, import_run_id,
                content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
        insert.bind(1, r.rhi_id);
        insert.bind_text_or_null(2, r.episode_id).bind_text_or_null(3, r.child_id);
        bind_time(insert, 4, r.referred_at);
        bind_time(insert, 5, r.offered_at);
        bind_code(insert, 6, r.outcome);
        insert.bind_text_or_null(7, r.decline_reason);
        bind_time(insert, 8, r.conducted_at);
        bind_code(insert, 9, r.mode);
        insert.bind(10, r.independent).bind(11, r.consent_to_share);
        bind_code(insert, 12, r.risk_of_repeat);
        insert.bind(13, r.strategy_meeting_required).bind(14, r.cse_indicators);
        insert.bind(15, r.cce_indicators).bind(16, r.nrm_referral);
        insert.bind(17, r.cpi_submitted).bind(18, r.sensitive_disclosure);
        bind_attributes(insert, 19, r.extra);
        insert.bind(20, m_run_id);
        bind_hash(insert, 21, hash);
        insert.run();

        for (const model::RhiPlace& place : r.places) {
            const std::int64_t place_id =
                add_rhi_place(r.rhi_id, "places", &place.role, place.location);
            for (const std::string& person : place.with) {
                statement(m_insert_place_with, "INSERT INTO rhi_place_with VALUES (?, ?)")
                    .bind(1, place_id)
                    .bind(2, person)
                    .run();
            }
        }
        for (const model::Location& location : r.locations_of_concern) {
            add_rhi_place(r.rhi_id, "locations_of_concern", nullptr, location);
        }
        add_rhi_people(r.rhi_id, "with", r.with);
        add_rhi_people(r.rhi_id, "people_of_concern", r.people_of_concern);
        add_rhi_people(r.rhi_id, "young_people_of_concern", r.young_people_of_concern);
        for (const model::PushFactor factor : r.push_factors) {
            add_factor(r.rhi_id, "push", to_code(factor));
        }
        for (const model::PullFactor factor : r.pull_factors) {
            add_factor(r.rhi_id, "pull", to_code(factor));
        }
        for (const auto& [category, value] : r.high_risk) {
            statement(m_insert_high_risk,
                      "INSERT INTO rhi_high_risk VALUES (?, ?, ?) "
                      "ON CONFLICT (rhi_id, category) DO UPDATE SET value = excluded.value")
                .bind(1, r.rhi_id)
                .bind(2, to_code(category))
                .bind(3, value)
                .run();
        }
        for (const auto& [key, text] : r.notes) {
            statement(m_insert_note, "INSERT INTO rhi_notes VALUES (?, ?, ?) "
                                     "ON CONFLICT (rhi_id, key) DO UPDATE SET text = excluded.text")
                .bind(1, r.rhi_id)
                .bind(2, key)
                .bind(3, text)
                .run();
        }
        finish_add(m_rhis, r.rhi_id, result);
        return result;
    }

    AddResult add(const model::CpiReport& c, std::uint64_t hash) override {
        const AddResult result = begin_add(m_cpis, c.cpi_id, hash);
        if (result == AddResult::unchanged || result == AddResult::refused) {
            return result;
        }
        // 0: no location (ids start at 1); see the found location of episodes.
        const std::int64_t location = c.location ? add_location(*c.location) : 0;
        auto& insert = statement(m_insert_cpi, R"sql(
            INSERT INTO cpis (cpi_id, received_at, shared_with, information, information_date,
                location_id, grading_source, grading_intelligence, grading_handling, attributes,
                import_run_id, content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
        insert.bind(1, c.cpi_id);
        // received_at is NOT NULL in the store: an importer quarantines a form without it.
        bind_time(insert, 2, c.received_at);
        insert.bind_text_or_null(3, c.shared_with).bind_text_or_null(4, c.information);
        bind_date(insert, 5, c.information_date);
        if (location != 0) {
            insert.bind(6, location);
        } else {
            insert.bind_null(6);
        }
        bind_code(insert, 7, c.grading.source);
        bind_code(insert, 8, c.grading.intelligence);
        bind_code(insert, 9, c.grading.handling);
        bind_attributes(insert, 10, c.extra);
        insert.bind(11, m_run_id);
        bind_hash(insert, 12, hash);
        insert.run();

        auto& restricted = statement(m_insert_cpi_restricted, R"sql(
            INSERT INTO cpi_restricted VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
        restricted.bind(1, c.cpi_id);
        restricted.bind_text_or_null(2, c.submitter.name);
        restricted.bind_text_or_null(3, c.submitter.organisation);
        restricted.bind_text_or_null(4, c.submitter.phone);
        restricted.bind_text_or_null(5, c.submitter.email);
        restricted.bind_text_or_null(6, c.source.name);
        restricted.bind_text_or_null(7, c.source.dob);
        restricted.bind_text_or_null(8, c.source.address);
        restricted.bind(9, c.source.can_recontact);
        restricted.bind_text_or_null(10, c.source.contact);
        restricted.bind_text_or_null(11, c.source.how_known);
        restricted.bind_text_or_null(12, c.source.when_known);
        restricted.run();

        for (const model::CpiSubject& subject : c.subjects) {
            auto& person = statement(m_insert_cpi_subject, R"sql(
                INSERT INTO cpi_subjects (cpi_id, person_id, name, kind, role, date_of_birth, sex)
                VALUES (?, ?, ?, ?, ?, ?, ?))sql");
            person.bind(1, c.cpi_id);
            person.bind_text_or_null(2, subject.person.person_id);
            person.bind_text_or_null(3, subject.person.name);
            bind_code(person, 4, subject.person.kind);
            bind_code(person, 5, subject.role);
            bind_date(person, 6, subject.person.dob);
            bind_code(person, 7, subject.person.sex);
            person.run();
        }
        for (const model::Vehicle& vehicle : c.vehicles) {
            statement(m_insert_vehicle, "INSERT INTO cpi_vehicles VALUES (?, ?, ?, ?, ?)")
                .bind(1, c.cpi_id)
                .bind_text_or_null(2, vehicle.vrm)
                .bind_text_or_null(3, vehicle.make)
                .bind_text_or_null(4, vehicle.model)
                .bind_text_or_null(5, vehicle.colour)
                .run();
        }
        for (const model::Location& place : c.places) {
            statement(m_insert_cpi_place, "INSERT INTO cpi_places VALUES (?, ?)")
                .bind(1, c.cpi_id)
                .bind(2, add_location(place))
                .run();
        }
        finish_add(m_cpis, c.cpi_id, result);
        return result;
    }

    const std::vector<std::string>& last_changes() const override { return m_changes; }

    void quarantine(std::int64_t line, std::string_view reason, std::string_view raw) override {
        statement(m_insert_quarantine,
                  "INSERT INTO quarantine (import_run_id, line, reason, raw) VALUES (?, ?, ?, ?)")
            .bind(1, m_run_id)
            .bind(2, line)
            .bind(3, reason);
        // The bytes as read, which may not be UTF-8 (that may be why the
        // row is here): a blob for PostgreSQL's bytea; SQLite's text keeps
        // any bytes.
        auto& insert = *m_insert_quarantine;
        if constexpr (spatialite) {
            insert.bind(4, raw);
        } else {
            insert.bind_blob(4, raw.data(), raw.size());
        }
        insert.run();
    }

    void warning(std::int64_t line, std::string_view code, std::string_view message) override {
        statement(m_insert_warning, "INSERT INTO import_warnings VALUES (?, ?, ?, ?)")
            .bind(1, m_run_id)
            .bind(2, line)
            .bind(3, code)
            .bind(4, message)
            .run();
    }

    void commit(const ImportTotals& totals) override {
        m_db.prepare(R"sql(
            UPDATE import_runs SET finished_at = ?, rows_read = ?, rows_imported = ?,
                rows_quarantined = ?, unresolved_locations = ?, report = ?, rows_updated = ?,
                rows_unchanged = ?
            WHERE import_run_id = ?)sql")
            .bind(1, model::format_timestamp(model::now_utc()))
            .bind(2, totals.rows_read)
            .bind(3, totals.rows_imported)
            .bind(4, totals.rows_quarantined)
            .bind(5, totals.unresolved_locations)
            .bind_text_or_null(6, totals.report_json)
            .bind(7, totals.rows_updated)
            .bind(8, totals.rows_unchanged)
            .bind(9, m_run_id)
            .run();
        if constexpr (spatialite) {
            if (m_placed) {
                // What SpatiaLite's triggers did per row, once per import.
                m_db.exec("UPDATE geometry_columns_time SET last_insert = "
                          "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                          "WHERE f_table_name IN ('places', 'locations')");
            }
            for (const std::string& sql : m_deferred_indexes) {
                m_db.exec(sql);
            }
        }
        // Audited in the same transaction: an import is in the log if and only
        // if it is in the store (design/PRIVACY.md).
        append_import_audit_entry(m_db, m_run_id);
        m_transaction.commit();
        if constexpr (!spatialite) {
            m_db.leave_pipeline();
        }
    }

private:
    // A large import into a table that holds fewer rows drops the secondary
    // indexes that no import reads and builds them again before it commits:
    // one sort per index instead of a B-tree descent per row per index (about
    // 7 µs a row on a million episodes, bench/RESULTS.md). It is all one
    // transaction, so a reader never sees the store without them. Indexes
    // that imports use (ids, the parts of a record an update deletes) stay.
    void defer_indexes(const ImportRunInfo& info) {
        struct Deferrable {
            std::string_view kind;
            std::string_view table; ///< whose size decides
            std::vector<std::string_view> indexes;
        };
        static const Deferrable deferrable[] = {
            {"episodes",
             "episodes",
             {"episodes_child", "episodes_reported", "locations_resolution"}},
            {"rhi", "rhis", {"rhis_episode", "rhis_child", "locations_resolution"}},
        };
        constexpr std::int64_t min_records = 10'000;
        for (const Deferrable& d : deferrable) {
            if (d.kind != info.kind || info.expected_records < min_records ||
                info.expected_records <=
                    largest(m_db, "SELECT coalesce(max(rowid), 0) FROM " + std::string(d.table))) {
                continue;
            }
            for (const std::string_view index : d.indexes) {
                std::string sql;
                {
                    // Finished before DROP INDEX, which SQLite refuses while
                    // a statement reading the schema is still running.
                    Statement definition(
                        m_db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?");
                    definition.bind(1, index);
                    if (!definition.step()) {
                        continue; // not in this schema version
                    }
                    sql = definition.column_text(0);
                }
                m_db.exec("DROP INDEX \"" + std::string(index) + "\"");
                m_deferred_indexes.push_back(std::move(sql));
            }
        }
    }

    // Prepares `sql` on first use, then reuses it for the rest of the import.
    Statement& statement(std::optional<Statement>& slot, std::string_view sql) {
        if (!slot) {
            slot.emplace(m_db, sql);
        }
        return *slot;
    }

    struct Known {
        std::int64_t run = 0;
        std::uint64_t hash = 0;
        bool unchanged = false; ///< found with the same content by this import
    };

    // One kind of record for re-import: how to find a stored record's import
    // run and content hash by id, read its fields for comparison, and remove
    // it. Everything is looked up in the store, so an import's memory does
    // not grow with the number of records it reads.
    struct Kind {
        std::string_view name;         ///< as recorded in import_changes
        std::string_view lookup_sql;   ///< SELECT import_run_id, content_hash WHERE id = ?
        std::string_view snapshot_sql; ///< SELECT the record's fields WHERE id = ?
        std::vector<std::string_view> location_sql; ///< SELECT its location ids WHERE id = ?
        std::string_view delete_sql;                ///< DELETE the record WHERE id = ?
        std::string_view all_sql;                   ///< SELECT id, import_run_id, content_hash
        std::optional<Statement> lookup{}, snapshot{}, remove{};
        std::vector<Statement> locations{};
        // PostgreSQL only (known_record): every stored record of the kind.
        std::unordered_map<std::string, Known, KeyHash, std::equal_to<>> known{};
        bool loaded = false;
    };

    // What the store holds under an id: kept for the add() that follows the
    // importer's added_earlier() check of the same id, so it is read once.
    struct Stored {
        const Kind* kind = nullptr;
        std::string id;
        bool found = false;
        std::int64_t run = 0;
        std::uint64_t hash = 0;
    };

    const Stored& stored(Kind& kind, const std::string& id) {
        if (m_stored.kind == &kind && m_stored.id == id) {
            return m_stored;
        }
        if constexpr (!spatialite) {
            const Known* known = known_record(kind, id);
            m_stored = {&kind, id, known != nullptr, known ? known->run : 0,
                        known ? known->hash : 0};
            return m_stored;
        }
        auto& query = statement(kind.lookup, kind.lookup_sql);
        query.bind(1, id);
        m_stored.kind = &kind;
        m_stored.id = id;
        m_stored.found = query.step();
        m_stored.run = m_stored.found && !query.is_null(0) ? query.column_int64(0) : 0;
        m_stored.hash = m_stored.found && !query.is_null(1)
                            ? static_cast<std::uint64_t>(query.column_int64(1))
                            : 0;
        query.reset();
        return m_stored;
    }

    Kind& kind_named(std::string_view name) {
        for (Kind* kind : {&m_places, &m_persons, &m_episodes, &m_rhis, &m_cpis}) {
            if (kind->name == name) {
                return *kind;
            }
        }
        throw StoreError("no record kind '" + std::string(name) + "' in the store");
    }

    // Decides what to do with a record: insert it, leave it, or (when its
    // content changed) remember its fields and remove it so that the caller
    // inserts the new version. `remove` false: the caller updates in place.
    AddResult begin_add(Kind& kind, const std::string& id, std::uint64_t hash, bool remove = true) {
        m_changes.clear();
        const Stored& before = stored(kind, id);
        // Whatever happens next changes the stored row: look it up again.
        m_stored.kind = nullptr;
        if (!before.found) {
            remember(kind, id, hash);
            return AddResult::inserted;
        }
        if (hash == 0) {
            return AddResult::refused;
        }
        if (before.hash == hash) {
            // Left as it is, but seen by this import (added_earlier).
            if constexpr (!spatialite) {
                kind.known.at(id).unchanged = true;
                return AddResult::unchanged;
            }
            statement(m_insert_unchanged, "INSERT INTO import_unchanged (kind, id) VALUES (?, ?) "
                                          "ON CONFLICT DO NOTHING")
                .bind(1, kind.name)
                .bind(2, id)
                .run();
            return AddResult::unchanged;
        }
        m_before = snapshot(kind, id);
        if (remove) {
            remove_record(kind, id);
        }
        remember(kind, id, hash);
        return AddResult::updated;
    }

    // PostgreSQL: what the store holds of a kind, read in one query when the
    // import first asks, then kept up to date by this import (the only
    // writer). A lookup per record would be a round trip to the server per
    // record; the cost is memory in proportion to the table (about 100 bytes
    // a record). SQLite answers each lookup from its own cache instead.
    const Known* known_record(Kind& kind, const std::string& id) {
        if (!kind.loaded) {
            Statement all(m_db, kind.all_sql);
            while (all.step()) {
                kind.known.emplace(all.column_text(0),
                                   Known{all.column_optional_int64(1).value_or(0),
                                         static_cast<std::uint64_t>(all.column_int64(2)), false});
            }
            kind.loaded = true;
        }
        const auto found = kind.known.find(id);
        return found == kind.known.end() ? nullptr : &found->second;
    }

    // The record is written by this import now, with this hash.
    void remember(Kind& kind, const std::string& id, std::uint64_t hash) {
        if constexpr (!spatialite) {
            kind.known.insert_or_assign(id, Known{m_run_id, hash, false});
        }
    }

    // Remembers the new hash and, for an update, which fields changed.
    void finish_add(Kind& kind, const std::string& id, AddResult result) {
        if (result != AddResult::updated) {
            return;
        }
        const auto after = snapshot(kind, id);
        for (const auto& [column, value] : after) {
            const auto before = std::find_if(m_before.begin(), m_before.end(),
                                             [&](const auto& p) { return p.first == column; });
            if (before == m_before.end() || before->second != value) {
                m_changes.push_back(column);
            }
        }
        if (m_changes.empty()) {
            // Only parts kept in other tables (places, people, factors…) differ.
            m_changes.emplace_back("details");
        }
        std::string fields;
        for (const std::string& field : m_changes) {
            fields += (fields.empty() ? "" : ",") + field;
        }
        statement(m_insert_change, "INSERT INTO import_changes VALUES (?, ?, ?, ?)")
            .bind(1, m_run_id)
            .bind(2, kind.name)
            .bind(3, id)
            .bind(4, fields)
            .run();
    }

    // The stored fields of a record that say what it is (not its bookkeeping).
    std::vector<std::pair<std::string, std::optional<std::string>>>
    snapshot(Kind& kind, const std::string& id) {
        auto& query = statement(kind.snapshot, kind.snapshot_sql);
        query.bind(1, id);
        std::vector<std::pair<std::string, std::optional<std::string>>> fields;
        if (query.step()) {
            for (int c = 0; c < query.column_count(); ++c) {
                const std::string name = query.column_name(c);
                if (name == "import_run_id" || name == "content_hash" ||
                    name.ends_with("location_id") || name == "place_id" || name == "geom") {
                    continue;
                }
                fields.emplace_back(name, query.column_optional_text(c));
            }
        }
        query.reset();
        return fields;
    }

    // Removes a record with its parts and its locations.
    void remove_record(Kind& kind, const std::string& id) {
        if (kind.locations.empty()) {
            for (const std::string_view sql : kind.location_sql) {
                kind.locations.emplace_back(m_db, sql);
            }
        }
        std::vector<std::int64_t> locations;
        for (Statement& query : kind.locations) {
            query.bind(1, id);
            while (query.step()) {
                if (!query.is_null(0)) {
                    locations.push_back(query.column_int64(0));
                }
            }
            query.reset();
        }
        statement(kind.remove, kind.delete_sql).bind(1, id).run();
        for (const std::int64_t location : locations) {
            statement(m_delete_location, "DELETE FROM locations WHERE location_id = ?")
                .bind(1, location)
                .run();
        }
    }

    static void bind_hash(Statement& statement, int index, std::uint64_t hash) {
        if (hash == 0) {
            statement.bind_null(index);
        } else {
            statement.bind(index, static_cast<std::int64_t>(hash));
        }
    }

    // The place a resolved location refers to, by gazetteer key: looked up in
    // memory (loaded once per import) because a per-row subquery costs an
    // index search and, for the key types, an ephemeral table each time. As
    // in the resolver's gazetteer index, the first place with a key wins.
    // 0 when there is none (place ids start at 1): a plain integer, because
    // GCC's -Wmaybe-uninitialized misfires on an inlined optional here.
    std::int64_t place_of(std::string_view key) {
        if (key.empty()) {
            return 0;
        }
        if (!m_place_ids_loaded) {
            Statement all(m_db, "SELECT key, place_id FROM places ORDER BY place_id");
            while (all.step()) {
                m_place_ids.emplace(all.column_text(0), all.column_int64(1));
            }
            m_place_ids_loaded = true;
        }
        const auto it = m_place_ids.find(key);
        return it == m_place_ids.end() ? 0 : it->second;
    }

    // An unresolved location has no point: both MakePoint and ST_MakePoint
    // give NULL for NULL coordinates.
    std::int64_t add_location(const model::Location& l) {
        auto& insert = statement(m_insert_location, R"sql(
            INSERT INTO locations (given_x, given_y, given_crs, given_lat, given_lon, place_key,
                postcode, label, type, resolution, resolved_place_key, place_id, geom, location_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    )sql" + point_sql(m_db, "?13", "?14", "?15") +
                                                        ", ?16)");
        insert.bind(1, l.x).bind(2, l.y);
        if (l.x || l.y) {
            insert.bind(3, l.crs);
        } else {
            insert.bind_null(3);
        }
        insert.bind(4, l.lat).bind(5, l.lon);
        insert.bind_text_or_null(6, l.place_id);
        insert.bind_text_or_null(7, l.postcode);
        insert.bind_text_or_null(8, l.label);
        bind_code(insert, 9, l.type);
        const bool placed = l.resolved && l.resolved->how != model::Resolution::unresolved;
        insert.bind(10, to_code(l.resolved ? l.resolved->how : model::Resolution::unresolved));
        const std::string_view place_key = l.resolved ? l.resolved->place_key : std::string_view();
        insert.bind_text_or_null(11, place_key);
        if (const std::int64_t place = place_of(place_key); place != 0) {
            insert.bind(12, place);
        } else {
            insert.bind_null(12);
        }
        if (placed) {
            insert.bind(13, l.resolved->point.x).bind(14, l.resolved->point.y).bind(15, m_srid);
        } else {
            insert.bind_null(13).bind_null(14).bind_null(15);
        }
        const std::int64_t id = ++m_next_location;
        insert.bind(16, id).run();
        m_placed = m_placed || placed;
        return id;
    }

    // Adds a point to a spatial index (schema version 4: no SpatiaLite
    // triggers). SQLite's R*Tree rounds bounds outward to 32-bit floats.
    void index_point(std::optional<Statement>& slot, std::string_view index, std::int64_t id,
                     const model::Point& point) {
        if (!slot) {
            slot.emplace(m_db, "INSERT INTO \"" + std::string(index) +
                                   "\" (pkid, xmin, xmax, ymin, ymax) VALUES (?, ?, ?, ?, ?)");
        }
        slot->bind(1, id).bind(2, point.x).bind(3, point.x).bind(4, point.y).bind(5, point.y).run();
    }

    std::int64_t add_rhi_place(const std::string& rhi_id, std::string_view part,
                               const model::PlaceRole* role, const model::Location& location) {
        const std::int64_t location_id = add_location(location);
        auto& insert = statement(m_insert_rhi_place, "INSERT INTO rhi_places (rhi_id, part, role, "
                                                     "location_id, rhi_place_id) "
                                                     "VALUES (?, ?, ?, ?, ?)");
        insert.bind(1, rhi_id).bind(2, part);
        if (role != nullptr) {
            insert.bind(3, to_code(*role));
        } else {
            insert.bind_null(3);
        }
        const std::int64_t id = ++m_next_rhi_place;
        insert.bind(4, location_id).bind(5, id).run();
        return id;
    }

    void add_rhi_people(const std::string& rhi_id, std::string_view part,
                        const std::vector<model::PersonMention>& people) {
        for (const model::PersonMention& p : people) {
            auto& insert = statement(m_insert_rhi_person, R"sql(
                INSERT INTO rhi_people (rhi_id, part, person_id, name, kind, relation, felt_safe,
                                        date_of_birth, sex)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
            insert.bind(1, rhi_id).bind(2, part);
            insert.bind_text_or_null(3, p.person_id).bind_text_or_null(4, p.name);
            bind_code(insert, 5, p.kind);
            insert.bind_text_or_null(6, p.relation).bind(7, p.felt_safe);
            bind_date(insert, 8, p.dob);
            bind_code(insert, 9, p.sex);
            insert.run();
        }
    }

    void add_factor(const std::string& rhi_id, std::string_view direction, std::string_view code) {
        statement(m_insert_factor,
                  "INSERT INTO rhi_factors VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(1, rhi_id)
            .bind(2, direction)
            .bind(3, code)
            .run();
    }

    Db& m_db;
    typename Db::Transaction m_transaction;
    int m_srid;
    std::int64_t m_run_id = 0;
    bool m_placed = false; ///< a point was written (geometry_columns_time)
    std::int64_t m_next_place = 0, m_next_location = 0, m_next_rhi_place = 0; ///< the last used
    std::unordered_map<std::string, std::int64_t, KeyHash, std::equal_to<>> m_place_ids;
    bool m_place_ids_loaded = false;

    std::vector<std::string> m_deferred_indexes; ///< CREATE INDEX statements run at commit
    std::vector<std::string> m_changes;
    std::vector<std::pair<std::string, std::optional<std::string>>> m_before;
    Stored m_stored;

    // A place's id is "key_type:key" (key types have no colon); the lookup
    // splits it so that the (key_type, key) index serves it.
    Kind m_places{"gazetteer",
                  "SELECT import_run_id, content_hash FROM places WHERE key_type = "
                  "substr(?1, 1, instr(?1, ':') - 1) AND key = substr(?1, instr(?1, ':') + 1)",
                  "SELECT * FROM places WHERE key_type || ':' || key = ?",
                  {},
                  "",
                  "SELECT key_type || ':' || key, import_run_id, content_hash FROM places"};
    Kind m_persons{"persons",
                   "SELECT import_run_id, content_hash FROM persons WHERE person_id = ?",
                   "SELECT p.*, (SELECT group_concat(alias, ';') FROM person_aliases a "
                   "WHERE a.person_id = p.person_id) AS aliases, (SELECT group_concat(flag, ';') "
                   "FROM person_flags f WHERE f.person_id = p.person_id) AS flags "
                   "FROM persons p WHERE person_id = ?",
                   {},
                   "DELETE FROM persons WHERE person_id = ?",
                   "SELECT person_id, import_run_id, content_hash FROM persons"};
    Kind m_episodes{
        "episodes",
        "SELECT import_run_id, content_hash FROM episodes WHERE episode_id = ?",
        "SELECT e.*, f.given_x AS from_x, f.given_y AS from_y, f.given_crs AS from_crs, "
        "f.given_lat AS from_lat, f.given_lon AS from_lon, f.place_key AS from_place_id, "
        "f.postcode AS from_postcode, f.label AS from_label, f.type AS from_type, "
        "o.given_x AS found_x, o.given_y AS found_y, o.given_crs AS found_crs, "
        "o.given_lat AS found_lat, o.given_lon AS found_lon, o.place_key AS found_place_id, "
        "o.postcode AS found_postcode, o.label AS found_label, o.type AS found_type, "
        "f.resolution AS from_resolution, f.resolved_place_key AS from_resolved_place, "
        "o.resolution AS found_resolution, o.resolved_place_key AS found_resolved_place, "
        "(SELECT group_concat(child_id, ';') FROM episode_missing_with w "
        "WHERE w.episode_id = e.episode_id) AS missing_with "
        "FROM episodes e JOIN locations f ON f.location_id = e.from_location_id "
        "LEFT JOIN locations o ON o.location_id = e.found_location_id WHERE e.episode_id = ?",
        {"SELECT from_location_id FROM episodes WHERE episode_id = ?",
         "SELECT found_location_id FROM episodes WHERE episode_id = ?"},
        "DELETE FROM episodes WHERE episode_id = ?",
        "SELECT episode_id, import_run_id, content_hash FROM episodes"};
    Kind m_rhis{"rhi",
                "SELECT import_run_id, content_hash FROM rhis WHERE rhi_id = ?",
                "SELECT * FROM rhis WHERE rhi_id = ?",
                {"SELECT location_id FROM rhi_places WHERE rhi_id = ?"},
                "DELETE FROM rhis WHERE rhi_id = ?",
                "SELECT rhi_id, import_run_id, content_hash FROM rhis"};
    Kind m_cpis{"cpi",
                "SELECT import_run_id, content_hash FROM cpis WHERE cpi_id = ?",
                "SELECT * FROM cpis WHERE cpi_id = ?",
                {"SELECT location_id FROM cpis WHERE cpi_id = ?",
                 "SELECT location_id FROM cpi_places WHERE cpi_id = ?"},
                "DELETE FROM cpis WHERE cpi_id = ?",
                "SELECT cpi_id, import_run_id, content_hash FROM cpis"};

    std::optional<Statement> m_insert_place, m_update_place, m_unindex_place, m_insert_person,
        m_insert_alias, m_insert_flag, m_upsert_child, m_insert_episode, m_insert_missing_with,
        m_insert_rhi, m_insert_place_with, m_insert_high_risk, m_insert_note, m_insert_cpi,
        m_insert_cpi_restricted, m_insert_cpi_subject, m_insert_vehicle, m_insert_cpi_place,
        m_insert_quarantine, m_insert_location, m_insert_rhi_place, m_insert_rhi_person,
        m_insert_factor, m_index_place, m_insert_change, m_delete_location, m_insert_warning,
        m_insert_unchanged, m_find_unchanged;
};

} // namespace

template <class Db>
std::unique_ptr<ImportWriter> begin_sql_import(Db& db, int working_crs, const ImportRunInfo& info) {
    return std::make_unique<SqlImport<Db>>(db, working_crs, info);
}

template std::unique_ptr<ImportWriter> begin_sql_import(sqlite::Database&, int,
                                                        const ImportRunInfo&);
template std::unique_ptr<ImportWriter> begin_sql_import(pg::Connection&, int, const ImportRunInfo&);

} // namespace waymark::store
