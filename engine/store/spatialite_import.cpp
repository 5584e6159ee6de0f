#include "engine/store/spatialite_import.hpp"

#include "base/error.hpp"
#include "engine/model/codes.hpp"

#include <nlohmann/json.hpp>

namespace waymark::store {
namespace {

using model::to_code;

// Optional values are bound as NULL; codes as their canonical text.
template <model::CodeEnum E>
void bind_code(sqlite::Statement& statement, int index, const std::optional<E>& value) {
    if (value) {
        statement.bind(index, to_code(*value));
    } else {
        statement.bind_null(index);
    }
}

void bind_time(sqlite::Statement& statement, int index,
               const std::optional<model::Timestamp>& value) {
    if (value) {
        statement.bind(index, model::format_timestamp(*value));
    } else {
        statement.bind_null(index);
    }
}

void bind_date(sqlite::Statement& statement, int index, const std::optional<model::Date>& value) {
    if (value) {
        statement.bind(index, model::format_date(*value));
    } else {
        statement.bind_null(index);
    }
}

// Unknown columns are kept as a JSON object (source order is lost; names are
// unique within one row of a file).
void bind_attributes(sqlite::Statement& statement, int index, const model::Attributes& extra) {
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

class SpatiaLiteImport final : public ImportWriter {
public:
    SpatiaLiteImport(sqlite::Database& db, int working_crs, const ImportRunInfo& info)
        : m_db(db), m_transaction(db), m_srid(working_crs) {
        m_db.prepare("INSERT INTO import_runs (kind, file, file_sha256, spec, started_at) "
                     "VALUES (?, ?, ?, ?, ?)")
            .bind(1, info.kind)
            .bind(2, info.file)
            .bind_text_or_null(3, info.file_sha256)
            .bind_text_or_null(4, info.spec)
            .bind(5, model::format_timestamp(model::now_utc()))
            .run();
        m_run_id = m_db.last_insert_rowid();
    }

    std::int64_t run_id() const override { return m_run_id; }

    bool add(const model::GazetteerEntry& entry, const model::Point& point) override {
        auto& insert = statement(m_insert_place, R"sql(
            INSERT INTO places (key, key_type, label, place_type, restricted, given_x, given_y,
                                given_crs, geom, import_run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, ?), ?)
            ON CONFLICT (key_type, key) DO NOTHING)sql");
        insert.bind(1, entry.key).bind(2, to_code(entry.key_type));
        insert.bind_text_or_null(3, entry.label);
        bind_code(insert, 4, entry.place_type);
        insert.bind(5, entry.restricted).bind(6, entry.x).bind(7, entry.y).bind(8, entry.crs);
        insert.bind(9, point.x).bind(10, point.y).bind(11, m_srid).bind(12, m_run_id);
        if (!inserted(insert)) {
            return false;
        }
        index_point(m_index_place, "idx_places_geom", m_db.last_insert_rowid(), point);
        m_placed = true;
        return true;
    }

    bool add(const model::Person& person) override {
        auto& insert = statement(m_insert_person, R"sql(
            INSERT INTO persons (person_id, kind, name, date_of_birth, sex, import_run_id)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (person_id) DO NOTHING)sql");
        insert.bind(1, person.person_id);
        bind_code(insert, 2, person.kind);
        insert.bind_text_or_null(3, person.name);
        bind_date(insert, 4, person.date_of_birth);
        bind_code(insert, 5, person.sex);
        insert.bind(6, m_run_id);
        if (!inserted(insert)) {
            return false;
        }
        for (const std::string& alias : person.aliases) {
            statement(m_insert_alias, "INSERT OR IGNORE INTO person_aliases VALUES (?, ?)")
                .bind(1, person.person_id)
                .bind(2, alias)
                .run();
        }
        for (const std::string& flag : person.flags) {
            statement(m_insert_flag, "INSERT OR IGNORE INTO person_flags VALUES (?, ?)")
                .bind(1, person.person_id)
                .bind(2, flag)
                .run();
        }
        return true;
    }

    bool add(const model::Episode& e) override {
        if (exists(m_episode_exists, "SELECT 1 FROM episodes WHERE episode_id = ?", e.episode_id)) {
            return false;
        }
        // A child is known from their episodes; the first date of birth and
        // sex given are kept.
        auto& child = statement(m_upsert_child, R"sql(
            INSERT INTO children (child_id, date_of_birth, sex) VALUES (?, ?, ?)
            ON CONFLICT (child_id) DO UPDATE SET
                date_of_birth = coalesce(children.date_of_birth, excluded.date_of_birth),
                sex = coalesce(children.sex, excluded.sex))sql");
        child.bind(1, e.child_id);
        bind_date(child, 2, e.date_of_birth);
        bind_code(child, 3, e.sex);
        child.run();

        const std::int64_t from = add_location(e.from);
        const std::optional<std::int64_t> found =
            e.found ? std::optional(add_location(*e.found)) : std::nullopt;

        auto& insert = statement(m_insert_episode, R"sql(
            INSERT INTO episodes (episode_id, child_id, reported_at, last_seen_at, returned_at,
                age, date_of_birth, sex, category, setting, looked_after, placement_area,
                responsible_authority, risk_grade, police_ref, from_location_id,
                found_location_id, returned_by, safe_and_well, cse, cce, trafficking, uasc,
                attributes, import_run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
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
        insert.bind(16, from).bind(17, found);
        bind_code(insert, 18, e.returned_by);
        insert.bind(19, e.safe_and_well).bind(20, e.cse).bind(21, e.cce);
        insert.bind(22, e.trafficking).bind(23, e.uasc);
        bind_attributes(insert, 24, e.extra);
        insert.bind(25, m_run_id);
        insert.run();

        for (const std::string& other : e.missing_with) {
            statement(m_insert_missing_with, "INSERT OR IGNORE INTO episode_missing_with "
                                             "(episode_id, child_id) VALUES (?, ?)")
                .bind(1, e.episode_id)
                .bind(2, other)
                .run();
        }
        return true;
    }

    bool add(const model::ReturnInterview& r) override {
        auto& insert = statement(m_insert_rhi, R"sql(
            INSERT INTO rhis (rhi_id, episode_id, child_id, referred_at, offered_at, outcome,
                decline_reason, conducted_at, mode, independent, consent_to_share,
                risk_of_repeat, strategy_meeting_required, cse_indicators, cce_indicators,
                nrm_referral, cpi_submitted, sensitive_disclosure, attributes, import_run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (rhi_id) DO NOTHING)sql");
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
        if (!inserted(insert)) {
            return false;
        }

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
            statement(m_insert_high_risk, "INSERT OR REPLACE INTO rhi_high_risk VALUES (?, ?, ?)")
                .bind(1, r.rhi_id)
                .bind(2, to_code(category))
                .bind(3, value)
                .run();
        }
        for (const auto& [key, text] : r.notes) {
            statement(m_insert_note, "INSERT OR REPLACE INTO rhi_notes VALUES (?, ?, ?)")
                .bind(1, r.rhi_id)
                .bind(2, key)
                .bind(3, text)
                .run();
        }
        return true;
    }

    bool add(const model::CpiReport& c) override {
        if (exists(m_cpi_exists, "SELECT 1 FROM cpis WHERE cpi_id = ?", c.cpi_id)) {
            return false;
        }
        const std::optional<std::int64_t> location =
            c.location ? std::optional(add_location(*c.location)) : std::nullopt;
        auto& insert = statement(m_insert_cpi, R"sql(
            INSERT INTO cpis (cpi_id, received_at, shared_with, information, information_date,
                location_id, grading_source, grading_intelligence, grading_handling, attributes,
                import_run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
        insert.bind(1, c.cpi_id);
        // received_at is NOT NULL in the store: an importer quarantines a form without it.
        bind_time(insert, 2, c.received_at);
        insert.bind_text_or_null(3, c.shared_with).bind_text_or_null(4, c.information);
        bind_date(insert, 5, c.information_date);
        insert.bind(6, location);
        bind_code(insert, 7, c.grading.source);
        bind_code(insert, 8, c.grading.intelligence);
        bind_code(insert, 9, c.grading.handling);
        bind_attributes(insert, 10, c.extra);
        insert.bind(11, m_run_id);
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
        return true;
    }

    void quarantine(std::int64_t line, std::string_view reason, std::string_view raw) override {
        statement(m_insert_quarantine,
                  "INSERT INTO quarantine (import_run_id, line, reason, raw) VALUES (?, ?, ?, ?)")
            .bind(1, m_run_id)
            .bind(2, line)
            .bind(3, reason)
            .bind(4, raw)
            .run();
    }

    void commit(const ImportTotals& totals) override {
        m_db.prepare(R"sql(
            UPDATE import_runs SET finished_at = ?, rows_read = ?, rows_imported = ?,
                rows_quarantined = ?, unresolved_locations = ?, report = ?
            WHERE import_run_id = ?)sql")
            .bind(1, model::format_timestamp(model::now_utc()))
            .bind(2, totals.rows_read)
            .bind(3, totals.rows_imported)
            .bind(4, totals.rows_quarantined)
            .bind(5, totals.unresolved_locations)
            .bind_text_or_null(6, totals.report_json)
            .bind(7, m_run_id)
            .run();
        if (m_placed) {
            // What SpatiaLite's triggers did per row, once per import.
            m_db.exec("UPDATE geometry_columns_time SET last_insert = "
                      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                      "WHERE f_table_name IN ('places', 'locations')");
        }
        m_transaction.commit();
    }

private:
    // Prepares `sql` on first use, then reuses it for the rest of the import.
    sqlite::Statement& statement(std::optional<sqlite::Statement>& slot, std::string_view sql) {
        if (!slot) {
            slot.emplace(m_db, sql);
        }
        return *slot;
    }

    // Runs an INSERT … ON CONFLICT DO NOTHING; false if it inserted nothing.
    bool inserted(sqlite::Statement& insert) {
        insert.run();
        return sqlite3_changes(m_db.get()) == 1;
    }

    bool exists(std::optional<sqlite::Statement>& slot, std::string_view sql,
                const std::string& id) {
        auto& query = statement(slot, sql);
        query.bind(1, id);
        const bool found = query.step();
        query.reset();
        return found;
    }

    std::int64_t add_location(const model::Location& l) {
        auto& insert = statement(m_insert_location, R"sql(
            INSERT INTO locations (given_x, given_y, given_crs, given_lat, given_lon, place_key,
                postcode, label, type, resolution, resolved_place_key, place_id, geom)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    (SELECT place_id FROM places WHERE key = ?11 ORDER BY place_id LIMIT 1),
                    CASE WHEN ?12 IS NULL THEN NULL ELSE MakePoint(?12, ?13, ?14) END))sql");
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
        insert.bind_text_or_null(11, l.resolved ? l.resolved->place_key : std::string_view());
        if (placed) {
            insert.bind(12, l.resolved->point.x).bind(13, l.resolved->point.y).bind(14, m_srid);
        } else {
            insert.bind_null(12).bind_null(13).bind_null(14);
        }
        insert.run();
        const std::int64_t id = m_db.last_insert_rowid();
        if (placed) {
            index_point(m_index_location, "idx_locations_geom", id, l.resolved->point);
            m_placed = true;
        }
        return id;
    }

    // Adds a point to a spatial index (schema version 4: no SpatiaLite
    // triggers). SQLite's R*Tree rounds bounds outward to 32-bit floats.
    void index_point(std::optional<sqlite::Statement>& slot, std::string_view index,
                     std::int64_t id, const model::Point& point) {
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
                                                     "location_id) VALUES (?, ?, ?, ?)");
        insert.bind(1, rhi_id).bind(2, part);
        if (role != nullptr) {
            insert.bind(3, to_code(*role));
        } else {
            insert.bind_null(3);
        }
        insert.bind(4, location_id).run();
        return m_db.last_insert_rowid();
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
        statement(m_insert_factor, "INSERT OR IGNORE INTO rhi_factors VALUES (?, ?, ?)")
            .bind(1, rhi_id)
            .bind(2, direction)
            .bind(3, code)
            .run();
    }

    sqlite::Database& m_db;
    sqlite::Transaction m_transaction;
    int m_srid;
    std::int64_t m_run_id = 0;
    bool m_placed = false; ///< a point was added to a spatial index

    std::optional<sqlite::Statement> m_insert_place, m_insert_person, m_insert_alias, m_insert_flag,
        m_episode_exists, m_upsert_child, m_insert_episode, m_insert_missing_with, m_insert_rhi,
        m_insert_place_with, m_insert_high_risk, m_insert_note, m_insert_cpi, m_cpi_exists,
        m_insert_cpi_restricted, m_insert_cpi_subject, m_insert_vehicle, m_insert_cpi_place,
        m_insert_quarantine, m_insert_location, m_insert_rhi_place, m_insert_rhi_person,
        m_insert_factor, m_index_place, m_index_location;
};

} // namespace

std::unique_ptr<ImportWriter> begin_spatialite_import(sqlite::Database& db, int working_crs,
                                                      const ImportRunInfo& info) {
    return std::make_unique<SpatiaLiteImport>(db, working_crs, info);
}

} // namespace waymark::store
