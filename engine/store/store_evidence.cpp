// SqlStore<Db>::network_evidence: the records the peer network is built
// from, read in a few ordered scans (one per table) and joined in memory by
// id, which is much faster than a query per record. Never reads free text or
// the CPI's source-restricted blocks.

#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "engine/store/sql_store.hpp"

#include <map>

namespace waymark::store {
namespace {

namespace m = waymark::model;

std::optional<m::Date> optional_date(const std::optional<std::string>& text) {
    if (!text || text->size() < 10) {
        return std::nullopt;
    }
    try {
        return m::parse_date(text->substr(0, 10));
    } catch (const InputError&) {
        return std::nullopt; // stored by an importer that validated it; never expected
    }
}

template <class E>
std::optional<E> optional_code(const std::optional<std::string>& text) {
    return text ? m::try_parse_code<E>(*text) : std::nullopt;
}

template <class Row>
std::optional<bool> optional_bool(const Row& row, int column) {
    const auto value = row.column_optional_int64(column);
    return value ? std::optional(*value != 0) : std::nullopt;
}

template <class Row>
m::PersonMention mention_from(const Row& row, int first) {
    // Columns from `first`: person_id, name, kind, date_of_birth, sex.
    m::PersonMention mention;
    mention.person_id = row.column_optional_text(first).value_or("");
    mention.name = row.column_optional_text(first + 1).value_or("");
    mention.kind = optional_code<m::PersonKind>(row.column_optional_text(first + 2));
    mention.dob = optional_date(row.column_optional_text(first + 3));
    mention.sex = optional_code<m::Sex>(row.column_optional_text(first + 4));
    return mention;
}

template <class Db>
void read_persons(const Db& db, NetworkEvidence& evidence) {
    std::map<std::string, std::size_t> at;
    typename Db::Statement persons(
        db, "SELECT person_id, kind, name, date_of_birth, sex FROM persons ORDER BY person_id");
    while (persons.step()) {
        m::Person person;
        person.person_id = persons.column_text(0);
        person.kind = optional_code<m::PersonKind>(persons.column_optional_text(1));
        person.name = persons.column_optional_text(2).value_or("");
        person.date_of_birth = optional_date(persons.column_optional_text(3));
        person.sex = optional_code<m::Sex>(persons.column_optional_text(4));
        at.emplace(person.person_id, evidence.persons.size());
        evidence.persons.push_back(std::move(person));
    }
    typename Db::Statement aliases(
        db, "SELECT person_id, alias FROM person_aliases ORDER BY person_id, rowid");
    while (aliases.step()) {
        evidence.persons[at.at(aliases.column_text(0))].aliases.push_back(aliases.column_text(1));
    }
    typename Db::Statement flags(
        db, "SELECT person_id, flag FROM person_flags ORDER BY person_id, flag");
    while (flags.step()) {
        evidence.persons[at.at(flags.column_text(0))].flags.push_back(flags.column_text(1));
    }
    typename Db::Statement children(db, "SELECT child_id, date_of_birth, sex FROM children");
    while (children.step()) {
        evidence.children.emplace(
            children.column_text(0),
            std::pair(optional_date(children.column_optional_text(1)),
                      optional_code<m::Sex>(children.column_optional_text(2))));
    }
}

template <class Db>
void read_locations(const Db& db, NetworkEvidence& evidence) {
    typename Db::Statement locations(
        db,
        "SELECT l.location_id, ST_X(l.geom), ST_Y(l.geom), COALESCE(p.key, l.resolved_place_key), "
        "COALESCE(p.label, l.label), COALESCE(p.place_type, l.type), l.postcode, "
        "COALESCE(p.restricted, 0) "
        "FROM locations l LEFT JOIN places p ON p.place_id = l.place_id");
    while (locations.step()) {
        EvidenceLocation location;
        if (!locations.is_null(1)) {
            location.point = m::Point{locations.column_double(1), locations.column_double(2)};
        }
        location.place_key = locations.column_optional_text(3).value_or("");
        location.label = locations.column_optional_text(4).value_or("");
        location.type = locations.column_optional_text(5).value_or("");
        location.postcode = locations.column_optional_text(6).value_or("");
        location.restricted = locations.column_int64(7) != 0;
        evidence.locations.emplace(locations.column_int64(0), std::move(location));
    }
}

template <class Db>
void read_episodes(const Db& db, NetworkEvidence& evidence) {
    std::map<std::string, std::size_t> at;
    typename Db::Statement episodes(
        db, "SELECT episode_id, child_id, COALESCE(last_seen_at, reported_at), returned_at, "
            "from_location_id, found_location_id, risk_grade, COALESCE(cse, 0), COALESCE(cce, 0) "
            "FROM episodes ORDER BY episode_id");
    while (episodes.step()) {
        EpisodeEvidence e;
        e.episode_id = episodes.column_text(0);
        e.child_id = episodes.column_text(1);
        e.start = episodes.column_text(2);
        e.end = episodes.column_optional_text(3).value_or("");
        e.from = episodes.column_int64(4);
        e.found = episodes.column_optional_int64(5).value_or(0);
        e.risk_grade = episodes.column_optional_text(6).value_or("");
        e.cse = episodes.column_int64(7) != 0;
        e.cce = episodes.column_int64(8) != 0;
        at.emplace(e.episode_id, evidence.episodes.size());
        evidence.episodes.push_back(std::move(e));
    }
    typename Db::Statement with(
        db, "SELECT episode_id, child_id FROM episode_missing_with ORDER BY episode_id, child_id");
    while (with.step()) {
        evidence.episodes[at.at(with.column_text(0))].missing_with.push_back(with.column_text(1));
    }
}

template <class Db>
void read_rhis(const Db& db, NetworkEvidence& evidence) {
    std::map<std::string, std::size_t> at;
    typename Db::Statement rhis(
        db, "SELECT rhi_id, episode_id, child_id, COALESCE(conducted_at, offered_at, referred_at), "
            "outcome, consent_to_share, COALESCE(sensitive_disclosure, 0) FROM rhis "
            "ORDER BY rhi_id");
    while (rhis.step()) {
        RhiEvidence r;
        r.rhi_id = rhis.column_text(0);
        r.episode_id = rhis.column_optional_text(1).value_or("");
        r.child_id = rhis.column_optional_text(2).value_or("");
        r.at = rhis.column_optional_text(3).value_or("");
        r.outcome = rhis.column_optional_text(4).value_or("");
        r.consent_to_share = optional_bool(rhis, 5);
        r.sensitive_disclosure = rhis.column_int64(6) != 0;
        at.emplace(r.rhi_id, evidence.rhis.size());
        evidence.rhis.push_back(std::move(r));
    }
    typename Db::Statement people(
        db, "SELECT rhi_id, part, person_id, name, kind, date_of_birth, sex, relation, felt_safe "
            "FROM rhi_people ORDER BY rhi_id, part, rhi_person_id");
    std::string last_rhi, last_part;
    int index = 0;
    while (people.step()) {
        RhiPersonEvidence p;
        const std::string rhi = people.column_text(0);
        p.part = people.column_text(1);
        index = rhi == last_rhi && p.part == last_part ? index + 1 : 0;
        last_rhi = rhi;
        last_part = p.part;
        p.index = index;
        p.person = mention_from(people, 2);
        p.person.relation = people.column_optional_text(7).value_or("");
        p.person.felt_safe = optional_bool(people, 8);
        evidence.rhis[at.at(rhi)].people.push_back(std::move(p));
    }
    std::map<std::int64_t, std::pair<std::size_t, std::size_t>> place_at;
    typename Db::Statement places(
        db, "SELECT rhi_id, rhi_place_id, part, role, location_id FROM rhi_places "
            "ORDER BY rhi_id, rhi_place_id");
    while (places.step()) {
        RhiEvidence& r = evidence.rhis[at.at(places.column_text(0))];
        RhiPlaceEvidence p;
        p.part = places.column_text(2);
        p.role = places.column_optional_text(3).value_or("");
        p.location = places.column_int64(4);
        place_at.emplace(places.column_int64(1), std::pair(at.at(r.rhi_id), r.places.size()));
        r.places.push_back(std::move(p));
    }
    typename Db::Statement with(
        db, "SELECT rhi_place_id, person_ref FROM rhi_place_with ORDER BY rhi_place_id, rowid");
    while (with.step()) {
        const auto [rhi, place] = place_at.at(with.column_int64(0));
        evidence.rhis[rhi].places[place].with.push_back(with.column_text(1));
    }
}

template <class Db>
void read_cpis(const Db& db, NetworkEvidence& evidence) {
    std::map<std::string, std::size_t> at;
    typename Db::Statement cpis(
        db, "SELECT cpi_id, COALESCE(information_date, received_at), grading_source, "
            "grading_intelligence, grading_handling, location_id FROM cpis ORDER BY cpi_id");
    while (cpis.step()) {
        CpiEvidence c;
        c.cpi_id = cpis.column_text(0);
        c.at = cpis.column_optional_text(1).value_or("");
        c.grade_source = cpis.column_optional_text(2).value_or("");
        c.grade_intelligence = cpis.column_optional_text(3).value_or("");
        c.grade_handling = cpis.column_optional_text(4).value_or("");
        c.location = cpis.column_optional_int64(5).value_or(0);
        at.emplace(c.cpi_id, evidence.cpis.size());
        evidence.cpis.push_back(std::move(c));
    }
    typename Db::Statement subjects(
        db, "SELECT cpi_id, person_id, name, kind, date_of_birth, sex, role FROM cpi_subjects "
            "ORDER BY cpi_id, cpi_subject_id");
    while (subjects.step()) {
        m::CpiSubject subject;
        subject.person = mention_from(subjects, 1);
        subject.role = optional_code<m::SubjectRole>(subjects.column_optional_text(6));
        evidence.cpis[at.at(subjects.column_text(0))].subjects.push_back(std::move(subject));
    }
    typename Db::Statement vehicles(
        db, "SELECT cpi_id, vrm, make, model, colour FROM cpi_vehicles ORDER BY cpi_id, rowid");
    while (vehicles.step()) {
        m::Vehicle vehicle;
        vehicle.vrm = vehicles.column_optional_text(1).value_or("");
        vehicle.make = vehicles.column_optional_text(2).value_or("");
        vehicle.model = vehicles.column_optional_text(3).value_or("");
        vehicle.colour = vehicles.column_optional_text(4).value_or("");
        evidence.cpis[at.at(vehicles.column_text(0))].vehicles.push_back(std::move(vehicle));
    }
    typename Db::Statement places(
        db, "SELECT cpi_id, location_id FROM cpi_places ORDER BY cpi_id, rowid");
    while (places.step()) {
        evidence.cpis[at.at(places.column_text(0))].places.push_back(places.column_int64(1));
    }
}

} // namespace

template <class Db>
NetworkEvidence SqlStore<Db>::network_evidence() const {
    return read_snapshot(m_db, [this] {
        NetworkEvidence evidence;
        read_persons(m_db, evidence);
        read_locations(m_db, evidence);
        read_episodes(m_db, evidence);
        read_rhis(m_db, evidence);
        read_cpis(m_db, evidence);
        typename Db::Statement protected_children(m_db, std::string(protected_children_sql));
        while (protected_children.step()) {
            evidence.protected_children.insert(protected_children.column_text(0));
        }
        return evidence;
    });
}

template NetworkEvidence SqlStore<sqlite::Database>::network_evidence() const;
template NetworkEvidence SqlStore<pg::Connection>::network_evidence() const;

} // namespace waymark::store
