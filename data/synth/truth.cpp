#include "data/synth/truth.hpp"

#include "engine/model/codes.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace waymark::synth {
namespace {

using nlohmann::json;
using namespace std::chrono;
namespace m = waymark::model;

json place_json(const World& world, int index) {
    const Place& p = world.places[static_cast<std::size_t>(index)];
    return {{"key", p.key},
            {"key_type", m::to_code(p.key_type)},
            {"label", p.label},
            {"type", m::to_code(p.type)},
            {"x", p.x},
            {"y", p.y},
            {"restricted", p.restricted}};
}

json places_json(const World& world, const std::vector<int>& places) {
    json list = json::array();
    for (const int p : places) {
        list.push_back(place_json(world, p));
    }
    return list;
}

std::string group_id(std::size_t g) {
    std::string digits = std::to_string(g + 1);
    return "G-" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
}

} // namespace

TruthBuilder::TruthBuilder(const World& world, TruthThresholds thresholds)
    : m_world(world), m_thresholds(thresholds), m_episodes_by_child(world.children.size()) {
    for (const char* name :
         {"repeat_3_in_90_days", "missing_over_24h", "looked_after_missing_over_48h",
          "not_located_7_days", "rhi_graded_high", "rhi_not_within_72h"}) {
        m_triggers[name];
    }
}

void TruthBuilder::add_episode(std::size_t index, const model::ReturnInterview* rhi) {
    const EpisodeSpec& e = m_world.episodes[index];
    if (rhi != nullptr) {
        ++m_rhis;
    }
    if (e.reported > m_world.end) {
        // Last seen before the end but reported after it: on the as_of date
        // of the triggers (the world's end) nobody knew of it yet.
        return;
    }
    const Child& child = m_world.children[static_cast<std::size_t>(e.child)];
    m_episodes_by_child[static_cast<std::size_t>(e.child)].push_back(index);
    // How long the child was missing: to the return, or to the end of the
    // period for a child still missing.
    const auto missing_for = e.returned.value_or(m_world.end) - e.last_seen;
    if (missing_for > hours{m_thresholds.long_missing_hours}) {
        m_triggers["missing_over_24h"][child.id].insert(e.id);
    }
    if (child.looked_after && missing_for > hours{m_thresholds.looked_after_hours}) {
        m_triggers["looked_after_missing_over_48h"][child.id].insert(e.id);
    }
    if (missing_for > days{m_thresholds.not_located_days}) {
        m_triggers["not_located_7_days"][child.id].insert(e.id);
    }
    if (rhi != nullptr) {
        if (rhi->risk_of_repeat == m::RepeatRisk::high) {
            m_triggers["rhi_graded_high"][child.id].insert(e.id);
        }
    }
    // An RHI is due within 72 hours of the return; it is late when no
    // completed interview was held by then and that moment has passed.
    if (e.returned && *e.returned + hours{m_thresholds.rhi_due_hours} <= m_world.end) {
        const bool on_time = rhi != nullptr && rhi->outcome == m::RhiOutcome::completed &&
                             rhi->conducted_at &&
                             *rhi->conducted_at <= *e.returned + hours{m_thresholds.rhi_due_hours};
        if (!on_time) {
            m_triggers["rhi_not_within_72h"][child.id].insert(e.id);
        }
    }
}

void TruthBuilder::add_dirty(std::vector<DirtyDefect> defects) {
    m_dirty = std::move(defects);
}

void TruthBuilder::add_mentions(MentionTruths mentions) {
    for (MentionTruth& mention : mentions.mentions) {
        m_mentions.mentions.push_back(std::move(mention));
    }
    m_mentions.ambiguous += mentions.ambiguous;
}

void TruthBuilder::add_repeat_triggers(std::map<std::string, TriggerList>& triggers) const {
    auto& list = triggers["repeat_3_in_90_days"];
    const auto window = days{m_thresholds.repeat_window_days};
    const auto n = static_cast<std::size_t>(m_thresholds.repeat_episodes);
    for (std::size_t c = 0; c < m_episodes_by_child.size(); ++c) {
        const auto& episodes = m_episodes_by_child[c]; // in reported order
        for (std::size_t i = 0; i + n <= episodes.size(); ++i) {
            const EpisodeSpec& first = m_world.episodes[episodes[i]];
            const EpisodeSpec& last = m_world.episodes[episodes[i + n - 1]];
            if (last.reported - first.reported <= window) {
                for (std::size_t k = i; k < i + n; ++k) {
                    list[m_world.children[c].id].insert(m_world.episodes[episodes[k]].id);
                }
            }
        }
    }
}

void TruthBuilder::write(std::ostream& out) const {
    const World& w = m_world;
    json truth;
    truth["generator"] = {
        {"scale", to_string(w.params.scale)},
        {"seed", w.params.seed},
        {"years", w.spec.years},
        {"start", m::format_timestamp(w.start)},
        {"end", m::format_timestamp(w.end)},
        {"time_zone", "Europe/London"},
        {"crs", 27700},
    };
    std::int64_t with_episodes = 0;
    for (const auto& list : m_episodes_by_child) {
        with_episodes += list.empty() ? 0 : 1;
    }
    truth["counts"] = {{"children", w.children.size()}, {"children_with_episodes", with_episodes},
                       {"episodes", w.episodes.size()}, {"rhis", m_rhis},
                       {"places", w.places.size()},     {"adults", w.adults.size()}};

    // Peer groups, with how often they went missing together.
    std::vector<std::set<int>> events(w.groups.size());
    for (const EpisodeSpec& e : w.episodes) {
        if (e.group_event >= 0) {
            const Child& c = w.children[static_cast<std::size_t>(e.child)];
            events[static_cast<std::size_t>(c.group)].insert(e.group_event);
        }
    }
    json groups = json::array();
    for (std::size_t g = 0; g < w.groups.size(); ++g) {
        const PeerGroup& group = w.groups[g];
        json members = json::array();
        for (const int member : group.members) {
            members.push_back(w.children[static_cast<std::size_t>(member)].id);
        }
        groups.push_back(
            {{"id", group_id(g)},
             {"members", members},
             {"adult", group.adult >= 0 ? json(w.adults[static_cast<std::size_t>(group.adult)].id)
                                        : json(nullptr)},
             {"hangout", place_json(w, group.hangout)},
             {"events", events[g].size()}});
    }
    truth["peer_groups"] = groups;

    json adults = json::array();
    json addresses = json::array();
    for (const Adult& a : w.adults) {
        if (!a.of_concern) {
            continue;
        }
        json group_ids = json::array();
        json children = json::array();
        for (const int g : a.groups) {
            group_ids.push_back(group_id(static_cast<std::size_t>(g)));
            for (const int member : w.groups[static_cast<std::size_t>(g)].members) {
                children.push_back(w.children[static_cast<std::size_t>(member)].id);
            }
        }
        json address_keys = json::array();
        for (const int place : a.addresses) {
            address_keys.push_back(w.places[static_cast<std::size_t>(place)].key);
            json address = place_json(w, place);
            address["adult"] = a.id;
            addresses.push_back(address);
        }
        adults.push_back(
            {{"person_id", a.id},
             {"name", a.given + " " + a.family},
             {"aliases", a.aliases},
             {"addresses", address_keys},
             {"vehicle",
              {{"vrm", a.vehicle.vrm}, {"make", a.vehicle.make}, {"colour", a.vehicle.colour}}},
             {"groups", group_ids},
             {"children", children}});
    }
    truth["adults_of_concern"] = adults;
    truth["addresses_of_concern"] = addresses;
    truth["hotspots"] = {{"from", places_json(w, w.from_hotspots)},
                         {"found", places_json(w, w.found_hotspots)},
                         {"visited", places_json(w, w.visited_hotspots)}};

    // Mentions by name only, with whom they stand for. persons.csv lists the
    // children who went missing and every adult (writer.cpp).
    std::set<std::string> indexed;
    for (std::size_t c = 0; c < m_episodes_by_child.size(); ++c) {
        if (!m_episodes_by_child[c].empty()) {
            indexed.insert(w.children[c].id);
        }
    }
    for (const Adult& a : w.adults) {
        indexed.insert(a.id);
    }
    json mentions = json::array();
    for (const MentionTruth& t : m_mentions.mentions) {
        mentions.push_back({{"file", t.file},
                            {"record", t.record},
                            {"part", t.part},
                            {"index", t.index},
                            {"name", t.name},
                            {"kind", m::to_code(t.kind)},
                            {"person_id", t.person_id},
                            {"in_index", indexed.contains(t.person_id)},
                            {"variant", t.variant}});
    }
    truth["mentions"] = mentions;
    truth["mentions_ambiguous"] = m_mentions.ambiguous;

    std::map<std::string, TriggerList> triggers = m_triggers;
    add_repeat_triggers(triggers);
    json trigger_json = {{"as_of", m::format_timestamp(w.end)},
                         {"thresholds",
                          {{"repeat_episodes", m_thresholds.repeat_episodes},
                           {"repeat_window_days", m_thresholds.repeat_window_days},
                           {"long_missing_hours", m_thresholds.long_missing_hours},
                           {"looked_after_hours", m_thresholds.looked_after_hours},
                           {"not_located_days", m_thresholds.not_located_days},
                           {"rhi_due_hours", m_thresholds.rhi_due_hours}}}};
    for (const auto& [name, list] : triggers) {
        json children = json::object();
        for (const auto& [child, episodes] : list) {
            children[child] = episodes;
        }
        trigger_json[name] = children;
    }
    truth["triggers"] = trigger_json;

    json dirty = json::array();
    for (const DirtyDefect& d : m_dirty) {
        dirty.push_back({{"file", d.file},
                         {"line", d.line},
                         {"record", d.record},
                         {"defect", d.defect},
                         {"detail", d.detail}});
    }
    truth["dirty"] = dirty;
    out << truth.dump(1) << '\n';
}

} // namespace waymark::synth
