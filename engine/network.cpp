#include "engine/network.hpp"

#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "graph/names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

namespace waymark {
namespace {

namespace m = waymark::model;

constexpr std::array<std::string_view, 5> entity_kind_names = {"child", "adult", "unidentified",
                                                               "place", "vehicle"};
constexpr std::array<std::string_view, 10> link_type_names = {
    "went_missing_with",  "co_missing",    "with_during_episode", "concern_named",
    "cpi_mention",        "found_at",      "stayed_at",           "visited",
    "associated_vehicle", "possible_match"};

/// A VRM as plates are compared: upper-case letters and digits only.
std::string normalise_vrm(std::string_view vrm) {
    std::string out;
    for (const char c : vrm) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

bool weak_grading(const store::CpiEvidence& cpi) {
    return cpi.grade_source == "3" || cpi.grade_intelligence == "E";
}

std::int64_t seconds_of(const std::string& utc) {
    return std::chrono::duration_cast<std::chrono::seconds>(
               m::parse_timestamp_utc(utc).time_since_epoch())
        .count();
}

class Builder {
public:
    Builder(const store::NetworkEvidence& evidence, const NetworkBuildParams& params)
        : m_ev(evidence), m_params(params) {
        for (const auto& e : m_ev.episodes) {
            m_episode_at.emplace(e.episode_id, &e);
        }
        for (const m::Person& person : m_ev.persons) {
            m_person_at.emplace(person.person_id, &person);
        }
    }

    Network build() {
        resolve_mentions();
        add_episode_links();
        add_co_missing();
        add_rhi_links();
        add_cpi_links();
        add_possible_matches();
        return finish();
    }

private:
    // ---- entities -----------------------------------------------------------

    std::size_t entity(const std::string& id, EntityKind kind, const std::string& label) {
        const auto [it, added] = m_net.index.emplace(id, m_net.entities.size());
        if (added) {
            Entity e;
            e.id = id;
            e.kind = kind;
            e.label = label.empty() ? id : label;
            m_net.entities.push_back(std::move(e));
        }
        return it->second;
    }

    /// A person known by id: the index says who they are; else a child when
    /// episodes know them, else what the mention says.
    std::size_t person(const std::string& id, std::optional<m::PersonKind> said) {
        const auto known = m_person_at.find(id);
        EntityKind kind = said == m::PersonKind::child ? EntityKind::child : EntityKind::adult;
        std::string label;
        if (known != m_person_at.end()) {
            if (known->second->kind) {
                kind = *known->second->kind == m::PersonKind::child ? EntityKind::child
                                                                    : EntityKind::adult;
            }
            label = known->second->name;
        }
        if (m_ev.children.contains(id)) {
            kind = EntityKind::child;
        }
        const std::size_t at = entity(id, kind, label);
        if (known != m_person_at.end() && m_net.entities[at].flags.empty()) {
            m_net.entities[at].flags = known->second->flags;
        }
        return at;
    }

    /// The entity a person object stands for: by id, or as resolved.
    std::optional<std::size_t> mentioned(const m::PersonMention& p, const std::string& key) {
        if (!p.person_id.empty()) {
            return person(p.person_id, p.kind);
        }
        const auto resolved = m_resolved.find(key);
        if (resolved == m_resolved.end()) {
            return std::nullopt; // neither an id nor a name: no one to link
        }
        const MentionOutcome& outcome = m_net.mentions[resolved->second];
        std::size_t at = 0;
        if (outcome.resolution.outcome == graph::Outcome::merged) {
            at = person(outcome.resolution.entity, p.kind);
        } else {
            at = entity(outcome.resolution.entity, EntityKind::unidentified, p.name);
        }
        ++m_net.entities[at].mentions;
        return at;
    }

    std::optional<std::size_t> place(std::int64_t location_id) {
        if (location_id == 0) {
            return std::nullopt;
        }
        const auto found = m_ev.locations.find(location_id);
        if (found == m_ev.locations.end()) {
            return std::nullopt;
        }
        const store::EvidenceLocation& l = found->second;
        std::string id;
        if (!l.place_key.empty()) {
            id = "place:" + l.place_key;
        } else if (l.point) {
            // Unnamed points within 10 m are one place.
            id = "point:" + std::to_string(std::llround(l.point->x / 10) * 10) + "," +
                 std::to_string(std::llround(l.point->y / 10) * 10);
        } else if (!graph::normalise_name(l.label).empty()) {
            id = "label:" + graph::normalise_name(l.label);
        } else {
            return std::nullopt;
        }
        const std::size_t at = entity(id, EntityKind::place, l.label);
        Entity& e = m_net.entities[at];
        if (!e.point && l.point) {
            e.point = l.point;
        }
        e.restricted = e.restricted || l.restricted;
        // A place any record calls a home or placement is one: points within
        // 10 m are one place, and the panel profile must snap it whichever
        // record came first.
        const auto home = [](const std::string& type) {
            return type == "home" || type == "placement";
        };
        if (e.place_type.empty() || (home(l.type) && !home(e.place_type))) {
            e.place_type = l.type;
        }
        return at;
    }

    std::optional<std::size_t> vehicle(const m::Vehicle& v) {
        const std::string vrm = normalise_vrm(v.vrm);
        if (vrm.empty()) {
            return std::nullopt;
        }
        std::string label = vrm;
        for (const std::string* part : {&v.colour, &v.make, &v.model}) {
            if (!part->empty()) {
                label += (label == vrm ? " (" : " ") + *part;
            }
        }
        if (label != vrm) {
            label += ")";
        }
        return entity("vehicle:" + vrm, EntityKind::vehicle, label);
    }

    // ---- links --------------------------------------------------------------

    bool in_window(const std::string& date) const {
        const std::string day = date.substr(0, 10);
        return (m_params.since.empty() || day >= m_params.since) &&
               (m_params.until.empty() || day <= m_params.until);
    }

    void link(std::size_t x, std::size_t y, LinkType type, const LinkEvidence& evidence) {
        if (x == y || !in_window(evidence.date) || (evidence.weak && !m_params.include_weak)) {
            return;
        }
        const auto key = std::tuple(static_cast<int>(type), std::min(x, y), std::max(x, y));
        const auto [it, added] = m_link_at.emplace(key, m_net.links.size());
        if (added) {
            Link l;
            l.a = std::min(x, y);
            l.b = std::max(x, y);
            l.type = type;
            m_net.links.push_back(std::move(l));
        }
        m_net.links[it->second].evidence.push_back(evidence);
    }

    static LinkEvidence evidence(std::string record, std::string source, std::string date,
                                 std::string detail) {
        LinkEvidence e;
        e.record = std::move(record);
        e.source = std::move(source);
        e.date = std::move(date);
        e.detail = std::move(detail);
        return e;
    }

    /// The date an RHI's evidence counts from: its episode's, else its own.
    std::string rhi_date(const store::RhiEvidence& r) const {
        const auto found = m_episode_at.find(r.episode_id);
        return found != m_episode_at.end() ? found->second->start : r.at;
    }

    std::string rhi_child(const store::RhiEvidence& r) const {
        if (!r.child_id.empty()) {
            return r.child_id;
        }
        const auto found = m_episode_at.find(r.episode_id);
        return found != m_episode_at.end() ? found->second->child_id : std::string();
    }

    // ---- entity resolution --------------------------------------------------

    void resolve_mentions() {
        std::vector<graph::KnownPerson> people;
        for (const m::Person& p : m_ev.persons) {
            if (p.name.empty() && p.aliases.empty()) {
                continue;
            }
            graph::KnownPerson k;
            k.id = p.person_id;
            k.kind = p.kind.value_or(m_ev.children.contains(p.person_id) ? m::PersonKind::child
                                                                         : m::PersonKind::adult);
            k.name = p.name;
            k.aliases = p.aliases;
            k.dob = p.date_of_birth;
            k.sex = p.sex;
            people.push_back(std::move(k));
        }
        // Links known from records naming both people by id.
        std::unordered_map<std::string, std::set<std::string>> linked;
        const auto tie = [&linked](const std::string& x, const std::string& y) {
            if (!x.empty() && !y.empty() && x != y) {
                linked[x].insert(y);
                linked[y].insert(x);
            }
        };
        std::vector<graph::NameMention> mentions;
        for (const auto& e : m_ev.episodes) {
            for (const std::string& other : e.missing_with) {
                tie(e.child_id, other);
            }
        }
        for (const auto& r : m_ev.rhis) {
            std::vector<std::string> context = rhi_context(r);
            for (const std::string& id : context) {
                tie(context.front(), id);
            }
            for (const auto& p : r.people) {
                if (p.person.person_id.empty() && !p.person.name.empty()) {
                    mentions.push_back(name_mention("rhi:" + r.rhi_id + ":" + p.part + ":" +
                                                        std::to_string(p.index),
                                                    r.rhi_id, p.person, context));
                    // The child the interview is with is never one of the
                    // people they name.
                    mentions.back().subject = rhi_child(r);
                }
            }
        }
        for (const auto& c : m_ev.cpis) {
            std::vector<std::string> context;
            for (const auto& s : c.subjects) {
                if (!s.person.person_id.empty()) {
                    context.push_back(s.person.person_id);
                }
            }
            for (std::size_t i = 0; i < context.size(); ++i) {
                for (std::size_t j = i + 1; j < context.size(); ++j) {
                    tie(context[i], context[j]);
                }
            }
            for (std::size_t k = 0; k < c.subjects.size(); ++k) {
                const m::PersonMention& p = c.subjects[k].person;
                if (p.person_id.empty() && !p.name.empty()) {
                    mentions.push_back(
                        name_mention("cpi:" + c.cpi_id + ":subjects:" + std::to_string(k), c.cpi_id,
                                     p, context));
                }
            }
        }
        std::unordered_map<std::string, std::vector<std::string>> links;
        for (auto& [id, others] : linked) {
            links.emplace(id, std::vector<std::string>(others.begin(), others.end()));
        }
        const graph::Resolver resolver(people, links, m_params.overrides, m_params.resolution);
        std::vector<graph::MentionResolution> results = resolver.resolve(mentions);
        for (std::size_t i = 0; i < mentions.size(); ++i) {
            m_resolved.emplace(mentions[i].key, m_net.mentions.size());
            m_net.mentions.push_back({std::move(mentions[i]), std::move(results[i])});
        }
    }

    /// The RHI's child first, then everyone the record names by id and the
    /// children its episode's police record says went missing with them.
    std::vector<std::string> rhi_context(const store::RhiEvidence& r) const {
        std::vector<std::string> context{rhi_child(r)};
        const auto add = [&context](const std::string& id) {
            if (!id.empty() && std::find(context.begin(), context.end(), id) == context.end()) {
                context.push_back(id);
            }
        };
        for (const auto& p : r.people) {
            add(p.person.person_id);
        }
        for (const auto& place : r.places) {
            for (const std::string& id : place.with) {
                add(id);
            }
        }
        const auto episode = m_episode_at.find(r.episode_id);
        if (episode != m_episode_at.end()) {
            for (const std::string& id : episode->second->missing_with) {
                add(id);
            }
        }
        if (context.front().empty()) {
            context.erase(context.begin());
        }
        return context;
    }

    static graph::NameMention name_mention(std::string key, const std::string& record,
                                           const m::PersonMention& p,
                                           const std::vector<std::string>& context) {
        graph::NameMention mention;
        mention.key = std::move(key);
        mention.record = record;
        mention.name = p.name;
        mention.kind = p.kind;
        mention.dob = p.dob;
        mention.sex = p.sex;
        mention.context = context;
        return mention;
    }

    // ---- links from each kind of record --------------------------------------

    void add_episode_links() {
        for (const auto& e : m_ev.episodes) {
            const std::size_t child = person(e.child_id, m::PersonKind::child);
            for (const std::string& other : e.missing_with) {
                link(child, person(other, m::PersonKind::child), LinkType::went_missing_with,
                     evidence(e.episode_id, "police record", e.start, "missing_with"));
            }
            if (const auto found = place(e.found)) {
                link(child, *found, LinkType::found_at,
                     evidence(e.episode_id, "police record", e.end.empty() ? e.start : e.end,
                              "found"));
            }
        }
    }

    /// Two children's episodes from one place, last seen within the window of
    /// each other and overlapping; or found at one place with returns within
    /// the window of each other.
    void add_co_missing() {
        const auto window = static_cast<std::int64_t>(m_params.co_missing_hours * 3600);
        struct Timed {
            std::int64_t start, end;
            const store::EpisodeEvidence* episode;
        };
        std::map<std::size_t, std::vector<Timed>> by_from, by_found;
        for (const auto& e : m_ev.episodes) {
            const std::int64_t start = seconds_of(e.start);
            const std::int64_t end = e.end.empty() ? start + window : seconds_of(e.end);
            if (const auto from = place(e.from)) {
                by_from[*from].push_back({start, end, &e});
            }
            if (!e.end.empty()) {
                if (const auto found = place(e.found)) {
                    by_found[*found].push_back({start, end, &e});
                }
            }
        }
        const auto pair_up = [&](std::map<std::size_t, std::vector<Timed>>& groups, bool from) {
            for (auto& [at, list] : groups) {
                const auto time = [from](const Timed& t) { return from ? t.start : t.end; };
                std::sort(list.begin(), list.end(), [&](const Timed& a, const Timed& b) {
                    const std::int64_t ta = time(a);
                    const std::int64_t tb = time(b);
                    return std::tie(ta, a.episode->episode_id) <
                           std::tie(tb, b.episode->episode_id);
                });
                for (std::size_t i = 0; i < list.size(); ++i) {
                    for (std::size_t j = i + 1;
                         j < list.size() && time(list[j]) - time(list[i]) <= window; ++j) {
                        const auto& a = *list[i].episode;
                        const auto& b = *list[j].episode;
                        if (a.child_id == b.child_id || (from && list[j].start >= list[i].end)) {
                            continue;
                        }
                        link(person(a.child_id, m::PersonKind::child),
                             person(b.child_id, m::PersonKind::child), LinkType::co_missing,
                             evidence(a.episode_id + "/" + b.episode_id, "inferred",
                                      std::min(a.start, b.start),
                                      from ? "same_from" : "same_found"));
                    }
                }
            }
        };
        pair_up(by_from, true);
        pair_up(by_found, false);
    }

    void add_rhi_links() {
        for (const auto& r : m_ev.rhis) {
            const std::string child_id = rhi_child(r);
            if (child_id.empty()) {
                continue;
            }
            const std::size_t child = person(child_id, m::PersonKind::child);
            const std::string date = rhi_date(r);
            const auto rhi_evidence = [&](const std::string& detail) {
                LinkEvidence e = evidence(r.rhi_id, "RHI", date, detail);
                e.consent_restricted = r.consent_to_share == false;
                e.sensitive = r.sensitive_disclosure;
                return e;
            };
            for (const auto& p : r.people) {
                const auto other = mentioned(p.person, "rhi:" + r.rhi_id + ":" + p.part + ":" +
                                                           std::to_string(p.index));
                if (!other) {
                    continue;
                }
                link(child, *other,
                     p.part == "with" ? LinkType::with_during_episode : LinkType::concern_named,
                     rhi_evidence(p.part));
            }
            for (const auto& pl : r.places) {
                const auto at = place(pl.location);
                if (!at) {
                    continue;
                }
                LinkType type = LinkType::visited;
                if (pl.part == "locations_of_concern" || pl.role == "concern") {
                    type = LinkType::concern_named;
                } else if (pl.role == "slept") {
                    type = LinkType::stayed_at;
                } else if (pl.role == "found") {
                    type = LinkType::found_at;
                }
                const std::string detail = pl.part == "locations_of_concern"
                                               ? pl.part
                                               : (pl.role.empty() ? "place" : pl.role);
                link(child, *at, type, rhi_evidence(detail));
                for (const std::string& id : pl.with) {
                    link(person(id, std::nullopt), *at, type, rhi_evidence(detail + " (with)"));
                }
            }
        }
    }

    void add_cpi_links() {
        for (const auto& c : m_ev.cpis) {
            const auto cpi_evidence = [&](const std::string& detail) {
                LinkEvidence e = evidence(c.cpi_id, "CPI", c.at, detail);
                e.grade_source = c.grade_source;
                e.grade_intelligence = c.grade_intelligence;
                e.grade_handling = c.grade_handling;
                e.weak = weak_grading(c);
                return e;
            };
            struct Subject {
                std::size_t entity;
                std::string role;
                bool adult;
            };
            std::vector<Subject> subjects;
            for (std::size_t k = 0; k < c.subjects.size(); ++k) {
                const auto& s = c.subjects[k];
                if (const auto at =
                        mentioned(s.person, "cpi:" + c.cpi_id + ":subjects:" + std::to_string(k))) {
                    const EntityKind kind = m_net.entities[*at].kind;
                    subjects.push_back(
                        {*at, s.role ? std::string(m::to_code(*s.role)) : "unknown",
                         kind == EntityKind::adult || (kind == EntityKind::unidentified &&
                                                       s.person.kind == m::PersonKind::adult)});
                }
            }
            for (std::size_t i = 0; i < subjects.size(); ++i) {
                for (std::size_t j = i + 1; j < subjects.size(); ++j) {
                    link(subjects[i].entity, subjects[j].entity, LinkType::cpi_mention,
                         cpi_evidence(subjects[i].role + "/" + subjects[j].role));
                }
            }
            std::vector<std::size_t> vehicles;
            for (const auto& v : c.vehicles) {
                if (const auto at = vehicle(v)) {
                    vehicles.push_back(*at);
                }
            }
            // A vehicle goes with the adults the form names; with everyone
            // named when it names no adult.
            const bool any_adult = std::any_of(subjects.begin(), subjects.end(),
                                               [](const Subject& s) { return s.adult; });
            for (const std::size_t v : vehicles) {
                for (const Subject& s : subjects) {
                    if (s.adult || !any_adult) {
                        link(s.entity, v, LinkType::associated_vehicle, cpi_evidence(s.role));
                    }
                }
            }
            std::vector<std::int64_t> locations = c.places;
            if (c.location != 0) {
                locations.insert(locations.begin(), c.location);
            }
            for (const std::int64_t location : locations) {
                const auto at = place(location);
                if (!at) {
                    continue;
                }
                for (const Subject& s : subjects) {
                    link(s.entity, *at, LinkType::cpi_mention, cpi_evidence(s.role + "/place"));
                }
                if (subjects.empty()) {
                    for (const std::size_t v : vehicles) {
                        link(v, *at, LinkType::cpi_mention, cpi_evidence("vehicle/place"));
                    }
                }
            }
        }
    }

    /// An unidentified person who may be a known one: a tentative link to each
    /// candidate, carrying the resolution score.
    void add_possible_matches() {
        for (const MentionOutcome& outcome : m_net.mentions) {
            if (outcome.resolution.outcome != graph::Outcome::possible) {
                continue;
            }
            const auto self = m_net.index.find(outcome.resolution.entity);
            if (self == m_net.index.end()) {
                continue; // its record fell outside the time window
            }
            for (const graph::Match& match : outcome.resolution.possible) {
                const std::size_t candidate = person(match.person_id, outcome.mention.kind);
                const std::size_t before = m_net.links.size();
                char score[16];
                std::snprintf(score, sizeof score, "%.2f", match.score);
                // The name itself stays out of the link (it is the unidentified
                // person's label, and in resolution.csv): a link's evidence
                // reaches profiles that never see names.
                LinkEvidence e = evidence(outcome.mention.record, "resolution", "",
                                          std::string("score ") + score);
                // Undated: a resolution is not an event, so no window applies.
                const auto key = std::tuple(static_cast<int>(LinkType::possible_match),
                                            std::min(self->second, candidate),
                                            std::max(self->second, candidate));
                const auto [it, added] = m_link_at.emplace(key, before);
                if (added) {
                    Link l;
                    l.a = std::min(self->second, candidate);
                    l.b = std::max(self->second, candidate);
                    l.type = LinkType::possible_match;
                    m_net.links.push_back(std::move(l));
                }
                Link& l = m_net.links[it->second];
                l.evidence.push_back(std::move(e));
                l.score = std::max(l.score, match.score);
            }
        }
    }

    /// Drops entities no link reaches (people and places known only from
    /// records outside the window), orders evidence, renumbers.
    Network finish() {
        std::vector<bool> used(m_net.entities.size(), false);
        for (const Link& l : m_net.links) {
            used[l.a] = used[l.b] = true;
        }
        std::vector<std::size_t> new_at(m_net.entities.size(), 0);
        Network out;
        out.mentions = std::move(m_net.mentions);
        for (std::size_t i = 0; i < m_net.entities.size(); ++i) {
            if (used[i]) {
                new_at[i] = out.entities.size();
                out.index.emplace(m_net.entities[i].id, out.entities.size());
                out.entities.push_back(std::move(m_net.entities[i]));
            }
        }
        for (Link& l : m_net.links) {
            l.a = new_at[l.a];
            l.b = new_at[l.b];
            if (l.a > l.b) {
                std::swap(l.a, l.b);
            }
            std::sort(l.evidence.begin(), l.evidence.end(),
                      [](const LinkEvidence& x, const LinkEvidence& y) {
                          return std::tie(x.date, x.record, x.detail) <
                                 std::tie(y.date, y.record, y.detail);
                      });
            out.links.push_back(std::move(l));
        }
        return out;
    }

    const store::NetworkEvidence& m_ev;
    const NetworkBuildParams& m_params;
    std::unordered_map<std::string, const store::EpisodeEvidence*> m_episode_at;
    std::unordered_map<std::string, const m::Person*> m_person_at;
    std::unordered_map<std::string, std::size_t> m_resolved; ///< mention key → m_net.mentions
    std::map<std::tuple<int, std::size_t, std::size_t>, std::size_t> m_link_at;
    Network m_net;
};

/// How much one record of each link type ties two entities together, for
/// the weighted measures (weighted degree, communities): stated and first-hand
/// links count fully, inferred and second-hand ones less (docs/network.md).
double type_weight(LinkType type) {
    switch (type) {
    case LinkType::went_missing_with:
    case LinkType::with_during_episode:
        return 1.0;
    case LinkType::concern_named:
    case LinkType::cpi_mention:
    case LinkType::associated_vehicle:
    case LinkType::stayed_at:
        return 0.75;
    case LinkType::co_missing:
    case LinkType::found_at:
    case LinkType::visited:
        return 0.5;
    case LinkType::possible_match:
        return 0.0;
    }
    return 0.0;
}

} // namespace

std::string_view to_string(EntityKind kind) {
    return entity_kind_names.at(static_cast<std::size_t>(kind));
}

std::string_view to_string(LinkType type) {
    return link_type_names.at(static_cast<std::size_t>(type));
}

std::string Link::first_date() const {
    for (const LinkEvidence& e : evidence) {
        if (!e.date.empty()) {
            return e.date;
        }
    }
    return {};
}

std::string Link::last_date() const {
    return evidence.empty() ? std::string() : evidence.back().date;
}

bool Link::weak() const {
    return !evidence.empty() && std::all_of(evidence.begin(), evidence.end(),
                                            [](const LinkEvidence& e) { return e.weak; });
}

bool Link::handling_conditions() const {
    return std::any_of(evidence.begin(), evidence.end(),
                       [](const LinkEvidence& e) { return e.grade_handling == "C"; });
}

bool Link::consent_restricted() const {
    return std::any_of(evidence.begin(), evidence.end(),
                       [](const LinkEvidence& e) { return e.consent_restricted; });
}

std::optional<std::size_t> Network::find(const std::string& id) const {
    const auto found = index.find(id);
    return found == index.end() ? std::nullopt : std::optional(found->second);
}

Network build_network(const store::NetworkEvidence& evidence, const NetworkBuildParams& params) {
    return Builder(evidence, params).build();
}

double link_weight(const Link& link) {
    double weight = 0;
    for (const LinkEvidence& e : link.evidence) {
        weight += type_weight(link.type) * (e.weak ? 0.25 : 1.0);
    }
    return weight;
}

NetworkMeasures measure_network(const Network& network, const MeasureParams& params) {
    // Two graphs: every link for the measures of ties (degree, eigenvector,
    // cores, components, communities), and only links with at least one
    // record that is not weak intelligence for the measures of paths
    // (betweenness, closeness): a rumour graded 3/E should not make anyone a
    // broker between groups.
    std::vector<graph::Edge> edges, paths;
    edges.reserve(network.links.size());
    for (const Link& l : network.links) {
        const double weight = link_weight(l);
        if (weight > 0) {
            const graph::Edge edge{static_cast<graph::NodeId>(l.a), static_cast<graph::NodeId>(l.b),
                                   weight};
            edges.push_back(edge);
            if (!l.weak()) {
                paths.push_back(edge);
            }
        }
    }
    const graph::Graph g(network.entities.size(), edges);
    const graph::Graph path_graph(network.entities.size(), paths);
    NetworkMeasures out;
    out.degree = graph::degree(g);
    out.weighted_degree = graph::weighted_degree(g);
    graph::BetweennessParams bp;
    bp.seed = params.seed;
    bp.threads = params.threads;
    graph::Betweenness betweenness(path_graph, bp);
    betweenness.run();
    out.betweenness = betweenness.values();
    out.betweenness_sampled = betweenness.sampled();
    out.betweenness_error = betweenness.error_bound();
    graph::Closeness closeness(path_graph, {params.threads});
    closeness.run();
    out.closeness = closeness.closeness();
    out.harmonic = closeness.harmonic();
    graph::Eigenvector eigenvector(g, {});
    eigenvector.run();
    out.eigenvector = eigenvector.values();
    out.core = graph::core_numbers(g);
    const graph::Components components = graph::connected_components(g);
    out.component = components.component;
    out.components = components.count;
    graph::LouvainParams lp;
    lp.seed = params.seed;
    graph::Louvain louvain(g, lp);
    louvain.run();
    out.community = louvain.communities();
    out.communities = louvain.count();
    out.modularity = louvain.modularity();
    return out;
}

} // namespace waymark
