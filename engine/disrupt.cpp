// waymark disrupt: adults, places and vehicles ranked for disruption, with
// their evidence and protection and disruption plan skeletons (seed 001,
// Appendix 7). docs/disrupt.md explains every score.

#include "engine/disrupt.hpp"

#include "base/csv.hpp"
#include "base/error.hpp"
#include "base/xml.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/network_output.hpp"
#include "engine/output_files.hpp"
#include "engine/sha256.hpp"
#include "graph/key_players.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace waymark {
namespace {

bool is_person(EntityKind kind) {
    return kind == EntityKind::child || kind == EntityKind::adult ||
           kind == EntityKind::unidentified;
}

/// What one link counts for in a target's risk: the link-type weights of
/// docs/network.md (stated and first-hand links fully, inferred and
/// second-hand ones less), a quarter of it when it rests only on weak
/// intelligence.
double link_factor(const Link& link) {
    double weight = 0.5;
    switch (link.type) {
    case LinkType::went_missing_with:
    case LinkType::with_during_episode:
        weight = 1.0;
        break;
    case LinkType::concern_named:
    case LinkType::cpi_mention:
    case LinkType::associated_vehicle:
    case LinkType::stayed_at:
        weight = 0.75;
        break;
    case LinkType::co_missing:
    case LinkType::found_at:
    case LinkType::visited:
        weight = 0.5;
        break;
    case LinkType::possible_match:
        weight = 0.0;
        break;
    }
    return weight * (link.weak() ? 0.25 : 1.0);
}

struct ChildRisk {
    int grade = 0; ///< highest police risk grade: high 3, medium 2, low 1
    bool cse = false, cce = false;
    int episodes = 0;
    double value() const {
        return 1.0 + grade + (cse ? 1.0 : 0.0) + (cce ? 1.0 : 0.0) +
               std::min(std::max(episodes - 1, 0), 4) / 2.0;
    }
    std::string basis() const {
        static const char* grades[] = {"no grade", "grade low", "grade medium", "grade high"};
        std::string out = grades[grade];
        out += cse ? "; CSE" : "";
        out += cce ? "; CCE" : "";
        out += "; " + std::to_string(episodes) + (episodes == 1 ? " episode" : " episodes");
        return out;
    }
};

int grade_value(const std::string& grade) {
    if (grade == "high") {
        return 3;
    }
    if (grade == "medium") {
        return 2;
    }
    return grade == "low" ? 1 : 0;
}

std::string format_number(double value, int digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

bool in_window(const std::string& date, const NetworkBuildParams& p) {
    const std::string day = date.substr(0, 10);
    return (p.since.empty() || day >= p.since) && (p.until.empty() || day <= p.until);
}

bool private_place(const Entity& e) {
    return e.place_type == "home" || e.place_type == "placement" || e.restricted ||
           e.label.rfind("home or restricted place", 0) == 0;
}

std::vector<PlanAction> plan_for(const DisruptionTarget& t) {
    const std::string who = t.label.empty() || t.label == t.id ? t.id : t.label + " (" + t.id + ")";
    const std::string n = std::to_string(t.children);
    if (t.kind == "adult") {
        return {
            {"The " + n + " children linked to " + who + " are safeguarded",
             "Strategy discussion (s47 Children Act 1989) for each linked child; share this "
             "evidence with their social workers and lead professionals",
             "Police / Children's Social Care manager", "Immediate", "Strategy meeting", ""},
            {who + " has no access to the children",
             "Consider Child Abduction Warning Notices and harbouring or abduction legislation "
             "(seed 001, 9.7); positive action on any offence (8.2); checks on all addresses and "
             "names provided",
             "Police", "ASAP", "Network meeting", ""},
            {"The intelligence is developed and corroborated",
             "Review the CPI intelligence behind each link, corroborate weak (3/E) items, submit "
             "new information",
             "Police intelligence / CSE coordinator", "Ongoing", "CSE strategy meeting", ""},
            {"All relevant people are aware of the level of risk",
             "Complete a current risk assessment and share it with relevant professionals",
             "Network group", "Immediate", "Network meetings", ""}};
    }
    if (t.kind == "place") {
        return {
            {"Children do not go to " + who,
             "Share the place with the children, carers and residential staff; include it in "
             "each linked child's plan; alert on the police missing persons system highlighting "
             "known addresses",
             "Social worker / Police", "Immediate", "Network meeting & CiN review", ""},
            {who + " stops being used to harm children",
             "Checks on the address and its occupants; visits and patrols; consider closure, "
             "licensing or landlord powers",
             "Police / Community safety", "ASAP", "Network meeting", ""},
            {"All relevant people are aware of the level of risk",
             "Complete a current risk assessment and share it with relevant professionals",
             "Network group", "Immediate", "Network meetings", ""}};
    }
    return {{"The vehicle " + who + " is no longer used to reach or move children",
             "Record and share sightings (seed 001, 11: suspicious adults and vehicles); "
             "identify the keeper and drivers; consider ANPR markers and stop checks",
             "Police", "ASAP", "Network meeting", ""},
            {"Carers and staff recognise the vehicle",
             "Share its description (make, colour, number plate) with carers and children's "
             "homes (seed 001, 11.1)",
             "Social worker / Residential staff", "Immediate", "CiN review", ""},
            {"All relevant people are aware of the level of risk",
             "Complete a current risk assessment and share it with relevant professionals",
             "Network group", "Immediate", "Network meetings", ""}};
}

} // namespace

void require_disrupt_profile(Profile profile) {
    if (profile == Profile::partnership) {
        throw UsageError("disrupt --profile partnership: the partnership profile gets aggregates "
                         "only, never named adults, places, vehicles or children; use --profile "
                         "panel (pseudonyms) or analyst");
    }
}

DisruptionResult rank_disruption_targets(const store::Store& store, const ProfileStage& stage,
                                         const DisruptConfig& config,
                                         const DisruptProgress& progress) {
    require_disrupt_profile(stage.profile());
    if (config.top < 1) {
        throw UsageError("--top must be at least 1");
    }
    const auto report = [&progress](std::string_view name, double fraction) {
        if (progress) {
            progress(name, fraction);
        }
    };
    report("reading the records", 0.0);
    const store::NetworkEvidence evidence = store.network_evidence();
    report("resolving names and linking", 0.2);
    const ProfiledNetwork profiled = stage.network(build_network(evidence, config.build), evidence);
    const Network& net = profiled.network();
    const std::size_t n = net.entities.size();

    // ---- each child's risk, by the id the profile shows -----------------------
    report("scoring", 0.5);
    std::unordered_map<std::string, ChildRisk> risk_of;
    for (const store::EpisodeEvidence& e : evidence.episodes) {
        if (!in_window(e.start, config.build)) {
            continue;
        }
        ChildRisk& r = risk_of[stage.id(e.child_id)];
        r.grade = std::max(r.grade, grade_value(e.risk_grade));
        r.cse = r.cse || e.cse;
        r.cce = r.cce || e.cce;
        ++r.episodes;
    }
    const auto child_risk = [&](std::size_t i) {
        const auto found = risk_of.find(net.entities[i].id);
        return found == risk_of.end() ? ChildRisk{} : found->second;
    };

    // ---- found/visited hotspots: distinct children per gazetteer place -------
    std::unordered_map<std::string, std::set<std::string>> found_or_visited;
    store.for_each_incident([&](const store::Incident& incident) {
        if ((incident.role == "found" || incident.role == "visited") &&
            !incident.place_key.empty() && !incident.child_id.empty() &&
            in_window(incident.at, config.build)) {
            found_or_visited["place:" + incident.place_key].insert(incident.child_id);
        }
    });
    std::vector<std::int64_t> hotspot_children(n, 0);
    for (const auto& [id, children] : found_or_visited) {
        if (const auto at = net.find(id)) {
            hotspot_children[*at] = static_cast<std::int64_t>(children.size());
        }
    }
    const auto hotspot_place = [&](std::size_t i) {
        return net.entities[i].kind == EntityKind::place && !private_place(net.entities[i]) &&
               hotspot_children[i] >= config.hotspot_min_children;
    };

    // ---- adjacency (possible matches are not links) --------------------------
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> adj(n); // (other, link)
    for (std::size_t k = 0; k < net.links.size(); ++k) {
        const Link& l = net.links[k];
        if (l.type == LinkType::possible_match) {
            continue;
        }
        adj[l.a].emplace_back(l.b, k);
        adj[l.b].emplace_back(l.a, k);
    }
    std::vector<std::int64_t> child_degree(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        std::set<std::size_t> kids;
        for (const auto& [o, k] : adj[i]) {
            if (net.entities[o].kind == EntityKind::child) {
                kids.insert(o);
            }
        }
        child_degree[i] = static_cast<std::int64_t>(kids.size());
    }

    // ---- adults of concern, and why each entity is of concern ----------------
    std::vector<std::set<std::string>> reasons(n);
    std::vector<bool> adult_of_concern(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        const Entity& e = net.entities[i];
        if (e.kind == EntityKind::adult &&
            std::find(e.flags.begin(), e.flags.end(), "adult_of_concern") != e.flags.end()) {
            reasons[i].insert("adult_of_concern");
        }
        if (e.kind == EntityKind::place && e.place_type == "address_of_concern") {
            reasons[i].insert("address_of_concern");
        }
        for (const auto& [o, k] : adj[i]) {
            const Link& l = net.links[k];
            const bool to_child = net.entities[o].kind == EntityKind::child;
            for (const LinkEvidence& ev : l.evidence) {
                if (l.type == LinkType::concern_named && to_child) {
                    reasons[i].insert(e.kind == EntityKind::place ? "named_location_of_concern"
                                                                  : "named_person_of_concern");
                }
                if (is_person(e.kind) && e.kind != EntityKind::child &&
                    ((l.type == LinkType::cpi_mention && to_child &&
                      ev.detail.find("suspect") != std::string::npos) ||
                     (l.type == LinkType::associated_vehicle && ev.detail == "suspect"))) {
                    reasons[i].insert("cpi_suspect");
                }
            }
        }
        if (e.kind == EntityKind::adult && !reasons[i].empty()) {
            // Identified adults only: an unidentified person named as a
            // concern is a candidate, but resolution could not tie the name
            // to one person, so no connection is formed with it.
            adult_of_concern[i] = true;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        const Entity& e = net.entities[i];
        if (e.kind != EntityKind::place && e.kind != EntityKind::vehicle) {
            continue;
        }
        for (const auto& [o, k] : adj[i]) {
            if (adult_of_concern[o]) {
                reasons[i].insert("linked_to_adult_of_concern");
            }
        }
    }

    // ---- candidates ----------------------------------------------------------
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < n; ++i) {
        const Entity& e = net.entities[i];
        const bool ok = e.kind == EntityKind::adult || e.kind == EntityKind::vehicle ||
                        (e.kind == EntityKind::unidentified && !reasons[i].empty()) ||
                        (e.kind == EntityKind::place && !private_place(e));
        if (ok) {
            candidates.push_back(i);
        }
    }

    // ---- linked children -----------------------------------------------------
    struct Reach {
        double factor = 0;
        int hops = 1;
        std::size_t via = 0;
    };
    const auto direct_children = [&](std::size_t i, double scale, int hops, std::size_t via,
                                     std::map<std::size_t, Reach>& out) {
        for (const auto& [o, k] : adj[i]) {
            if (net.entities[o].kind != EntityKind::child) {
                continue;
            }
            const double f = link_factor(net.links[k]) * scale;
            Reach& r = out[o];
            if (f > r.factor) {
                r = {f, hops, via};
            }
        }
    };
    std::vector<DisruptionTarget> all;
    std::vector<std::map<std::size_t, Reach>> reach_of;
    for (const std::size_t i : candidates) {
        const Entity& e = net.entities[i];
        std::map<std::size_t, Reach> reach;
        direct_children(i, 1.0, 1, i, reach);
        for (const auto& [o, k] : adj[i]) {
            const Entity& other = net.entities[o];
            const bool through = (e.kind == EntityKind::vehicle && is_person(other.kind) &&
                                  other.kind != EntityKind::child &&
                                  net.links[k].type == LinkType::associated_vehicle) ||
                                 (e.kind != EntityKind::vehicle && e.kind != EntityKind::place &&
                                  other.kind == EntityKind::vehicle);
            if (through) {
                direct_children(o, 0.5, 2, o, reach);
            }
        }
        if (reach.empty()) {
            continue; // linked to no child: nothing to protect by disrupting it
        }
        DisruptionTarget t;
        t.id = e.id;
        t.kind = e.kind == EntityKind::place     ? "place"
                 : e.kind == EntityKind::vehicle ? "vehicle"
                                                 : "adult";
        t.label = e.label == e.id ? "" : e.label;
        t.reasons.assign(reasons[i].begin(), reasons[i].end());
        if (e.kind == EntityKind::unidentified) {
            t.reasons.insert(t.reasons.begin(), "unidentified");
        }
        t.children = static_cast<std::int64_t>(reach.size());
        for (const auto& [c, r] : reach) {
            t.risk += child_risk(c).value() * r.factor;
        }
        t.hotspot_children = hotspot_children[i];
        t.hotspot = hotspot_place(i);
        if (e.kind != EntityKind::place) {
            // An adult or vehicle: linked, not on weak intelligence alone, to
            // a hotspot that records call a place of concern.
            for (const auto& [o, k] : adj[i]) {
                t.hotspot = t.hotspot || (hotspot_place(o) && !net.links[k].weak() &&
                                          (reasons[o].count("address_of_concern") != 0 ||
                                           reasons[o].count("named_location_of_concern") != 0));
            }
        }
        // Each reason recorded against the target itself counts a half, being
        // linked to an adult of concern a quarter; at most 1.
        const std::size_t linked = reasons[i].count("linked_to_adult_of_concern");
        t.concern = std::min(1.0, 0.5 * static_cast<double>(reasons[i].size() - linked) +
                                      0.25 * static_cast<double>(linked));
        all.push_back(std::move(t));
        reach_of.push_back(std::move(reach));
        reach_of.back().emplace(n, Reach{0, 0, i}); // remember the entity (key n)
    }

    // ---- fragmentation: each adult of concern's connections of at most two
    // links to children, each adult's in a copy of its own ------------------------
    report("finding key players", 0.6);
    std::vector<graph::Edge> edges;
    std::vector<graph::NodePair> pairs;
    std::vector<std::pair<std::size_t, std::size_t>> pair_entities; // (child, adult)
    std::vector<std::vector<graph::NodeId>> copies(n);
    graph::NodeId next = 0;
    const auto usable = [&](std::size_t k, std::size_t other) {
        const Entity& o = net.entities[other];
        return !net.links[k].weak() &&
               !(o.kind == EntityKind::place && child_degree[other] > config.hub_children);
    };
    std::int64_t adults = 0;
    for (std::size_t a = 0; a < n; ++a) {
        if (!adult_of_concern[a]) {
            continue;
        }
        ++adults;
        std::unordered_map<std::size_t, graph::NodeId> local;
        const auto vertex = [&](std::size_t entity) {
            const auto [it, added] = local.emplace(entity, next);
            if (added) {
                copies[entity].push_back(next++);
            }
            return it->second;
        };
        const graph::NodeId centre = vertex(a);
        std::set<std::size_t> children;
        for (const auto& [x, k] : adj[a]) {
            if (!usable(k, x)) {
                continue;
            }
            edges.push_back({centre, vertex(x), 1.0});
            if (net.entities[x].kind == EntityKind::child) {
                children.insert(x);
            }
            for (const auto& [c, k2] : adj[x]) {
                if (c != a && net.entities[c].kind == EntityKind::child && usable(k2, c) &&
                    !net.links[k2].weak()) {
                    edges.push_back({local.at(x), vertex(c), 1.0});
                    children.insert(c);
                }
            }
        }
        for (const std::size_t c : children) {
            pairs.push_back({local.at(c), centre});
            pair_entities.emplace_back(c, a);
        }
    }
    const graph::Graph kpp_graph(next, edges);
    std::vector<std::vector<graph::NodeId>> units;
    std::vector<std::size_t> unit_of_target(all.size(), 0);
    for (std::size_t t = 0; t < all.size(); ++t) {
        unit_of_target[t] = units.size();
        units.push_back(copies[reach_of[t].at(n).via]);
    }
    graph::KeyPlayerParams kp_params;
    kp_params.set_size = static_cast<std::size_t>(config.top);
    kp_params.seed = config.seed;
    graph::KeyPlayers kp(kpp_graph, pairs, units, kp_params);
    kp.run();
    std::vector<bool> in_set(all.size(), false);
    for (const std::size_t u : kp.set()) {
        in_set[u] = true; // units are numbered as targets
    }
    for (std::size_t t = 0; t < all.size(); ++t) {
        all[t].pairs_cut = static_cast<std::int64_t>(kp.single_cut()[unit_of_target[t]]);
        all[t].fragmentation = kp.connected() == 0 ? 0.0
                                                   : static_cast<double>(all[t].pairs_cut) /
                                                         static_cast<double>(kp.connected());
        all[t].key_player = in_set[unit_of_target[t]];
    }

    // ---- the combined score --------------------------------------------------
    double max_risk = 0, max_children = 0, max_frag = 0;
    for (const DisruptionTarget& t : all) {
        max_risk = std::max(max_risk, std::log1p(t.risk));
        max_children = std::max(max_children, std::log1p(static_cast<double>(t.children)));
        max_frag = std::max(max_frag, t.fragmentation);
    }
    const DisruptWeights& w = config.weights;
    for (DisruptionTarget& t : all) {
        t.score = w.risk * (max_risk > 0 ? std::log1p(t.risk) / max_risk : 0) +
                  w.children * (max_children > 0
                                    ? std::log1p(static_cast<double>(t.children)) / max_children
                                    : 0) +
                  w.fragmentation * (max_frag > 0 ? t.fragmentation / max_frag : 0) +
                  w.key_player * (t.key_player ? 1 : 0) + w.hotspot * (t.hotspot ? 1 : 0) +
                  w.concern * t.concern;
    }
    std::vector<std::size_t> order(all.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        if (all[x].score != all[y].score) {
            return all[x].score > all[y].score;
        }
        return all[x].id < all[y].id;
    });

    // ---- the top targets' evidence, cuts and plans ---------------------------
    report("gathering the evidence", 0.8);
    DisruptionResult result;
    result.profile = std::string(to_string(stage.profile()));
    result.candidates = static_cast<std::int64_t>(all.size());
    result.adults_of_concern = adults;
    result.pairs = static_cast<std::int64_t>(kp.connected());
    result.set_fragmentation = kp.fragmentation();
    for (const std::size_t u : kp.set()) {
        result.key_player_set.push_back(all[u].id);
    }
    const std::size_t top = std::min(order.size(), static_cast<std::size_t>(config.top));
    for (std::size_t r = 0; r < top; ++r) {
        const std::size_t t_at = order[r];
        DisruptionTarget t = all[t_at];
        const std::size_t entity = reach_of[t_at].at(n).via;
        t.rank = static_cast<int>(r + 1);
        for (const auto& [c, reach] : reach_of[t_at]) {
            if (c == n) {
                continue;
            }
            const ChildRisk cr = child_risk(c);
            LinkedChild lc;
            lc.id = net.entities[c].id;
            lc.risk = cr.value();
            lc.risk_basis = cr.basis();
            lc.hops = reach.hops;
            lc.via = reach.hops == 2 ? net.entities[reach.via].id : "";
            lc.factor = reach.factor;
            t.linked_children.push_back(std::move(lc));
        }
        std::sort(t.linked_children.begin(), t.linked_children.end(),
                  [](const LinkedChild& x, const LinkedChild& y) {
                      return std::tie(y.risk, x.hops, x.id) < std::tie(x.risk, y.hops, y.id);
                  });
        for (const auto& [o, k] : adj[entity]) {
            const Link& l = net.links[k];
            DisruptionEvidence ev;
            ev.other = net.entities[o].id;
            ev.other_kind = std::string(to_string(net.entities[o].kind));
            ev.link_type = std::string(to_string(l.type));
            ev.first_date = l.first_date();
            ev.last_date = l.last_date();
            ev.records = static_cast<std::int64_t>(l.evidence.size());
            std::set<std::string> sources, gradings;
            std::vector<std::string> records;
            for (const LinkEvidence& e : l.evidence) {
                if (std::find(records.begin(), records.end(), e.record) == records.end()) {
                    records.push_back(e.record);
                }
                sources.insert(e.source);
                if (!e.grade_source.empty() || !e.grade_intelligence.empty()) {
                    gradings.insert(e.grade_source + "/" + e.grade_intelligence + "/" +
                                    e.grade_handling);
                }
            }
            const auto join = [](const auto& parts) {
                std::string out;
                for (const std::string& p : parts) {
                    out += (out.empty() ? "" : ";") + p;
                }
                return out;
            };
            ev.record_ids = join(records);
            ev.sources = join(sources);
            ev.gradings = join(gradings);
            ev.weak = l.weak();
            ev.handling_conditions = l.handling_conditions();
            ev.consent_restricted = l.consent_restricted();
            t.evidence.push_back(std::move(ev));
        }
        std::sort(t.evidence.begin(), t.evidence.end(),
                  [](const DisruptionEvidence& x, const DisruptionEvidence& y) {
                      return std::tie(x.link_type, x.other) < std::tie(y.link_type, y.other);
                  });
        if (t.pairs_cut > 0) {
            const auto& removed = copies[entity];
            for (const std::size_t k : graph::cut_pairs(kpp_graph, pairs, removed)) {
                t.cuts.push_back({net.entities[pair_entities[k].first].id,
                                  net.entities[pair_entities[k].second].id});
            }
        }
        t.plan = plan_for(t);
        result.targets.push_back(std::move(t));
    }
    report("ranked", 0.9);
    return result;
}

// ---- writers ------------------------------------------------------------------

namespace {

std::string html(const std::string& text) {
    std::string out;
    xml::append_attribute(out, text);
    return out;
}

/// Text for a Markdown table cell: no markup, no line breaks, no pipes.
std::string md(const std::string& text) {
    std::string out;
    for (const char c : xml::clean(text)) {
        switch (c) {
        case '|':
            out += "\\|";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '*':
        case '_':
        case '`':
        case '[':
        case ']':
        case '\\':
            out += '\\';
            out += c;
            break;
        case '\n':
        case '\r':
        case '\t':
            out += ' ';
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string yes(bool value) {
    return value ? "yes" : "no";
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const std::string& p : parts) {
        out += (out.empty() ? "" : separator) + p;
    }
    return out;
}

constexpr std::size_t shown = 25; ///< rows per target in the Markdown and HTML

void write_targets_csv(const DisruptionResult& r, std::ostream& o) {
    o << "rank,id,kind,label,score,children,risk,fragmentation,pairs_cut,key_player,hotspot,"
         "hotspot_children,concern,reasons,children_ids\r\n";
    for (const DisruptionTarget& t : r.targets) {
        std::vector<std::string> ids;
        for (const LinkedChild& c : t.linked_children) {
            ids.push_back(c.id);
        }
        o << t.rank << ',' << csv::cell(t.id) << ',' << t.kind << ',' << csv::cell(t.label) << ','
          << format_number(t.score, 4) << ',' << t.children << ',' << format_number(t.risk, 2)
          << ',' << format_number(t.fragmentation, 4) << ',' << t.pairs_cut << ','
          << (t.key_player ? "true" : "false") << ',' << (t.hotspot ? "true" : "false") << ','
          << t.hotspot_children << ',' << format_number(t.concern, 2) << ','
          << csv::cell(join(t.reasons, ";")) << ',' << csv::cell(join(ids, ";")) << "\r\n";
    }
}

void write_evidence_csv(const DisruptionResult& r, std::ostream& o) {
    o << "rank,target,other,other_kind,link_type,first_date,last_date,records,record_ids,sources,"
         "gradings,weak,handling_conditions,consent_restricted\r\n";
    for (const DisruptionTarget& t : r.targets) {
        for (const DisruptionEvidence& e : t.evidence) {
            o << t.rank << ',' << csv::cell(t.id) << ',' << csv::cell(e.other) << ','
              << e.other_kind << ',' << e.link_type << ',' << e.first_date << ',' << e.last_date
              << ',' << e.records << ',' << csv::cell(e.record_ids) << ',' << csv::cell(e.sources)
              << ',' << csv::cell(e.gradings) << ',' << (e.weak ? "true" : "false") << ','
              << (e.handling_conditions ? "true" : "false") << ','
              << (e.consent_restricted ? "true" : "false") << "\r\n";
        }
    }
}

void write_plan_csv(const DisruptionResult& r, std::ostream& o) {
    o << "rank,target,kind,objective,desired_outcome,action,owner_role,when,review_point,"
         "progress\r\n";
    for (const DisruptionTarget& t : r.targets) {
        for (std::size_t k = 0; k < t.plan.size(); ++k) {
            const PlanAction& a = t.plan[k];
            o << t.rank << ',' << csv::cell(t.id) << ',' << t.kind << ',' << k + 1 << ','
              << csv::cell(a.desired_outcome) << ',' << csv::cell(a.action) << ','
              << csv::cell(a.owner_role) << ',' << csv::cell(a.when) << ','
              << csv::cell(a.review_point) << ',' << csv::cell(a.progress) << "\r\n";
        }
    }
}

std::string title_of(const DisruptionTarget& t) {
    return std::to_string(t.rank) + ". " + t.kind + " " + t.id +
           (t.label.empty() ? "" : " — " + t.label);
}

void write_markdown(const DisruptionResult& r, const ProfileStage& stage,
                    const std::string& generated_at, std::ostream& o) {
    o << "# Protection and disruption plan skeletons\n\n"
      << "Generated by Waymark " WAYMARK_VERSION_STRING " at " << generated_at << " for the **"
      << r.profile << "** profile. Targets ranked by `waymark disrupt` (docs/disrupt.md); each "
      << "plan follows seed 001, Appendix 7 (desired outcome, action, who by, when, review, "
      << "progress at review). Progress is left blank for the meeting.\n\n";
    for (const auto& [key, value] : stage.metadata()) {
        o << "- " << md(key) << ": " << md(value) << '\n';
    }
    o << "- candidates: " << r.candidates << "; adults of concern: " << r.adults_of_concern
      << "; child-to-adult-of-concern connections: " << r.pairs
      << "; cut by the key-player set together: " << format_number(r.set_fragmentation, 3)
      << "\n\n";
    o << "| rank | target | kind | score | children | risk | fragmentation | key player | "
         "hotspot | concern |\n|---|---|---|---|---|---|---|---|---|---|\n";
    for (const DisruptionTarget& t : r.targets) {
        o << "| " << t.rank << " | " << md(t.id) << (t.label.empty() ? "" : " " + md(t.label))
          << " | " << t.kind << " | " << format_number(t.score, 3) << " | " << t.children << " | "
          << format_number(t.risk, 1) << " | " << format_number(t.fragmentation, 3) << " | "
          << yes(t.key_player) << " | " << yes(t.hotspot) << " | " << md(join(t.reasons, ", "))
          << " |\n";
    }
    for (const DisruptionTarget& t : r.targets) {
        o << "\n## " << md(title_of(t)) << "\n\n"
          << "Score " << format_number(t.score, 3) << ": " << t.children << " children, risk "
          << format_number(t.risk, 1) << ", fragmentation " << format_number(t.fragmentation, 3)
          << " (" << t.pairs_cut << " connections), key player " << yes(t.key_player)
          << ", hotspot " << yes(t.hotspot) << ", concern " << format_number(t.concern, 2)
          << (t.reasons.empty() ? "" : " (" + md(join(t.reasons, ", ")) + ")") << ".\n\n"
          << "| Desired outcome | Action: recommendations | Who by (role) | When | To be "
             "reviewed at | Progress at review |\n|---|---|---|---|---|---|\n";
        for (const PlanAction& a : t.plan) {
            o << "| " << md(a.desired_outcome) << " | " << md(a.action) << " | " << md(a.owner_role)
              << " | " << md(a.when) << " | " << md(a.review_point) << " | " << md(a.progress)
              << " |\n";
        }
        o << "\n### Children linked\n\n| child | risk | basis | how |\n|---|---|---|---|\n";
        for (std::size_t k = 0; k < t.linked_children.size() && k < shown; ++k) {
            const LinkedChild& c = t.linked_children[k];
            o << "| " << md(c.id) << " | " << format_number(c.risk, 1) << " | " << md(c.risk_basis)
              << " | " << (c.hops == 1 ? std::string("direct") : "through " + md(c.via)) << " ×"
              << format_number(c.factor, 3) << " |\n";
        }
        if (t.linked_children.size() > shown) {
            o << "\n"
              << t.linked_children.size() - shown << " more in disruption.csv (children_ids).\n";
        }
        o << "\n### Evidence\n\n| with | link | dates | records | sources | grading | weak |\n"
             "|---|---|---|---|---|---|---|\n";
        for (std::size_t k = 0; k < t.evidence.size() && k < shown; ++k) {
            const DisruptionEvidence& e = t.evidence[k];
            o << "| " << md(e.other) << " (" << e.other_kind << ") | " << e.link_type << " | "
              << e.first_date.substr(0, 10) << " – " << e.last_date.substr(0, 10) << " | "
              << e.records << " | " << md(e.sources) << " | " << md(e.gradings) << " | "
              << yes(e.weak) << (e.handling_conditions ? " (handling C)" : "") << " |\n";
        }
        if (t.evidence.size() > shown) {
            o << "\n" << t.evidence.size() - shown << " more links in disruption-evidence.csv.\n";
        }
        o << "\n### What removing it cuts\n\n";
        if (t.cuts.empty()) {
            o << "No child-to-adult-of-concern connection depends on it alone.\n";
        } else {
            for (std::size_t k = 0; k < t.cuts.size() && k < shown; ++k) {
                o << "- " << md(t.cuts[k].child) << " – " << md(t.cuts[k].adult) << '\n';
            }
            if (t.cuts.size() > shown) {
                o << "- and " << t.cuts.size() - shown << " more\n";
            }
        }
    }
}

void write_html(const DisruptionResult& r, const ProfileStage& stage,
                const std::string& generated_at, std::ostream& o) {
    o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'\"><title>Protection and disruption plan skeletons</title><style>"
         "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;"
         "margin:.5em 0}td,th{border:1px solid #999;padding:.25em .5em;vertical-align:top;"
         "text-align:left}th{background:#eee}td.progress{min-width:12em}</style></head><body>\n"
      << "<h1>Protection and disruption plan skeletons</h1>\n<p>Generated by "
         "Waymark " WAYMARK_VERSION_STRING " at "
      << html(generated_at) << " for the <strong>" << html(r.profile)
      << "</strong> profile. Each plan follows seed 001, Appendix 7; progress is left blank for "
         "the meeting.</p>\n<ul>";
    for (const auto& [key, value] : stage.metadata()) {
        o << "<li>" << html(key) << ": " << html(value) << "</li>";
    }
    o << "<li>candidates: " << r.candidates << "; adults of concern: " << r.adults_of_concern
      << "; connections: " << r.pairs
      << "; cut by the key-player set together: " << format_number(r.set_fragmentation, 3)
      << "</li></ul>\n<table><tr><th>rank</th><th>"
         "target</th><th>kind</th><th>score</th><th>children</th><th>risk</th><th>"
         "fragmentation</th><th>key player</th><th>hotspot</th><th>concern</th></tr>\n";
    for (const DisruptionTarget& t : r.targets) {
        o << "<tr><td>" << t.rank << "</td><td><a href=\"#t" << t.rank << "\">" << html(t.id)
          << "</a> " << html(t.label) << "</td><td>" << t.kind << "</td><td>"
          << format_number(t.score, 3) << "</td><td>" << t.children << "</td><td>"
          << format_number(t.risk, 1) << "</td><td>" << format_number(t.fragmentation, 3)
          << "</td><td>" << yes(t.key_player) << "</td><td>" << yes(t.hotspot) << "</td><td>"
          << html(join(t.reasons, ", ")) << "</td></tr>\n";
    }
    o << "</table>\n";
    for (const DisruptionTarget& t : r.targets) {
        o << "<h2 id=\"t" << t.rank << "\">" << html(title_of(t))
          << "</h2>\n<table><tr><th>"
             "Desired outcome</th><th>Action: recommendations</th><th>Who by (role)</th><th>"
             "When</th><th>To be reviewed at</th><th>Progress at review</th></tr>\n";
        for (const PlanAction& a : t.plan) {
            o << "<tr><td>" << html(a.desired_outcome) << "</td><td>" << html(a.action)
              << "</td><td>" << html(a.owner_role) << "</td><td>" << html(a.when) << "</td><td>"
              << html(a.review_point) << "</td><td class=\"progress\">" << html(a.progress)
              << "</td></tr>\n";
        }
        o << "</table>\n<h3>Children linked (" << t.linked_children.size()
          << ")</h3>\n<table><tr><th>child</th><th>risk</th><th>basis</th><th>how</th></tr>\n";
        for (std::size_t k = 0; k < t.linked_children.size() && k < shown; ++k) {
            const LinkedChild& c = t.linked_children[k];
            o << "<tr><td>" << html(c.id) << "</td><td>" << format_number(c.risk, 1) << "</td><td>"
              << html(c.risk_basis) << "</td><td>"
              << (c.hops == 1 ? std::string("direct") : "through " + html(c.via)) << " ×"
              << format_number(c.factor, 3) << "</td></tr>\n";
        }
        o << "</table>\n<h3>Evidence (" << t.evidence.size()
          << " links)</h3>\n<table><tr><th>with</th><th>link</th><th>dates</th><th>records</th>"
             "<th>sources</th><th>grading</th><th>weak</th></tr>\n";
        for (std::size_t k = 0; k < t.evidence.size() && k < shown; ++k) {
            const DisruptionEvidence& e = t.evidence[k];
            o << "<tr><td>" << html(e.other) << " (" << e.other_kind << ")</td><td>" << e.link_type
              << "</td><td>" << html(e.first_date.substr(0, 10)) << " – "
              << html(e.last_date.substr(0, 10)) << "</td><td>" << e.records << "</td><td>"
              << html(e.sources) << "</td><td>" << html(e.gradings) << "</td><td>" << yes(e.weak)
              << (e.handling_conditions ? " (handling C)" : "") << "</td></tr>\n";
        }
        o << "</table>\n<h3>What removing it cuts (" << t.cuts.size() << ")</h3>\n<p>";
        for (std::size_t k = 0; k < t.cuts.size() && k < shown; ++k) {
            o << (k == 0 ? "" : "; ") << html(t.cuts[k].child) << " – " << html(t.cuts[k].adult);
        }
        o << (t.cuts.empty() ? "No child-to-adult-of-concern connection depends on it alone." : "")
          << "</p>\n";
    }
    o << "<p>SIGNED: ____________ DATE: ____________</p>\n</body></html>\n";
}

} // namespace

std::vector<std::filesystem::path> write_disruption_files(const DisruptionResult& result,
                                                          const DisruptConfig& config,
                                                          const ProfileStage& stage,
                                                          const std::filesystem::path& dir) {
    if (stage.profile() == Profile::partnership ||
        result.profile != std::string(to_string(stage.profile()))) {
        throw Error("disruption list made for profile " + result.profile + " written for " +
                    std::string(to_string(stage.profile())));
    }
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) {
        throw IoError("cannot create " + dir.string() + ": " + error.message());
    }
    const std::string generated_at = config.generated_at.empty()
                                         ? model::format_timestamp(model::now_utc())
                                         : config.generated_at;
    return {
        write_output_file(dir / "disruption.csv",
                          [&](std::ostream& o) { write_targets_csv(result, o); }),
        write_output_file(dir / "disruption-evidence.csv",
                          [&](std::ostream& o) { write_evidence_csv(result, o); }),
        write_output_file(dir / "disruption-plan.csv",
                          [&](std::ostream& o) { write_plan_csv(result, o); }),
        write_output_file(dir / "disruption-plan.md",
                          [&](std::ostream& o) { write_markdown(result, stage, generated_at, o); }),
        write_output_file(dir / "disruption-plan.html",
                          [&](std::ostream& o) { write_html(result, stage, generated_at, o); })};
}

std::string disrupt_parameters(const DisruptConfig& config) {
    const DisruptWeights& w = config.weights;
    nlohmann::json parameters = {{"top", config.top},
                                 {"hotspot_min_children", config.hotspot_min_children},
                                 {"hub_children", config.hub_children},
                                 {"seed", config.seed},
                                 {"weights",
                                  {{"risk", w.risk},
                                   {"children", w.children},
                                   {"fragmentation", w.fragmentation},
                                   {"key_player", w.key_player},
                                   {"hotspot", w.hotspot},
                                   {"concern", w.concern}}}};
    add_network_build_parameters(parameters, config.build, config.overrides_file);
    return parameters.dump();
}

DisruptionResult run_disrupt(store::Store& store, const DisruptConfig& config,
                             const ProfileStage& stage, const DisruptProgress& progress) {
    DisruptConfig c = config;
    const std::string started_at = model::format_timestamp(model::now_utc());
    if (c.generated_at.empty()) {
        c.generated_at = started_at;
    }
    DisruptionResult result = rank_disruption_targets(store, stage, c, progress);
    if (progress) {
        progress("writing", 0.9);
    }
    result.files = write_disruption_files(result, c, stage, c.out);
    nlohmann::json files = nlohmann::json::object();
    for (const std::filesystem::path& file : result.files) {
        files[std::filesystem::relative(file, c.out).string()] = sha256_of_file(file);
    }
    const nlohmann::json parameters = nlohmann::json::parse(disrupt_parameters(c));
    result.analysis_run = store.record_analysis(
        {"disrupt", result.profile, started_at, parameters.dump(), files.dump()});
    nlohmann::json targets = nlohmann::json::array();
    for (const DisruptionTarget& t : result.targets) {
        targets.push_back({{"rank", t.rank},
                           {"id", t.id},
                           {"kind", t.kind},
                           {"label", t.label},
                           {"score", t.score},
                           {"children", t.children},
                           {"risk", t.risk},
                           {"fragmentation", t.fragmentation},
                           {"pairs_cut", t.pairs_cut},
                           {"key_player", t.key_player},
                           {"hotspot", t.hotspot},
                           {"concern", t.concern},
                           {"reasons", t.reasons}});
    }
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [key, value] : stage.metadata()) {
        meta[key] = value;
    }
    const nlohmann::json run = {{"profile", result.profile},
                                {"generated_at", started_at},
                                {"privacy", meta},
                                {"parameters", parameters},
                                {"summary",
                                 {{"candidates", result.candidates},
                                  {"adults_of_concern", result.adults_of_concern},
                                  {"pairs", result.pairs},
                                  {"key_player_set", result.key_player_set},
                                  {"set_fragmentation", result.set_fragmentation}}},
                                {"targets", targets},
                                {"files", files},
                                {"analysis_run", result.analysis_run}};
    result.files.push_back(write_output_file(c.out / "disruption.json",
                                             [&](std::ostream& o) { o << run.dump(2) << '\n'; }));
    if (progress) {
        progress("done", 1.0);
    }
    return result;
}

} // namespace waymark
