#include "engine/profile_stage.hpp"

#include "base/error.hpp"
#include "engine/layer_writer.hpp"
#include "engine/sha256.hpp"
#include "geo/grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <unordered_set>

namespace waymark {
namespace {

bool is_person(EntityKind kind) {
    return kind == EntityKind::child || kind == EntityKind::adult ||
           kind == EntityKind::unidentified;
}

bool private_entity(const Entity& e) {
    return e.kind == EntityKind::place &&
           ProfileStage::private_place(e.place_type, e.restricted, "", "");
}

// "E-1/E-2" (a co_missing pair) → each part's pseudonym.
std::string profiled_record(const ProfileStage& stage, const std::string& record) {
    std::string out;
    std::size_t start = 0;
    while (start <= record.size()) {
        const std::size_t slash = std::min(record.find('/', start), record.size());
        if (!out.empty()) {
            out += '/';
        }
        out += stage.id(record.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

} // namespace

std::string pseudonym(std::span<const unsigned char> key, std::string_view id) {
    // Domain-separated, so that the same key could serve another purpose
    // without its outputs being comparable with these.
    const std::string message = "waymark-pseudonym-v1:" + std::string(id);
    const std::vector<unsigned char> mac = hmac_sha256(key, message);
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out = "ps-";
    std::uint64_t bits = 0;
    int have = 0;
    std::size_t next = 0;
    while (out.size() < 3 + 13) {
        if (have < 5) {
            bits = (bits << 8) | mac[next++];
            have += 8;
        }
        out += alphabet[(bits >> (have - 5)) & 31U];
        have -= 5;
    }
    return out;
}

void suppress_small_cells(std::vector<AggregateCell>& cells, int k) {
    using S = AggregateCell::Suppression;
    std::int64_t suppressed = 0;
    std::int64_t episodes = 0;
    std::int64_t children = 0;
    for (AggregateCell& cell : cells) {
        if (cell.children < k) {
            cell.suppression = S::primary;
            ++suppressed;
            episodes += cell.episodes;
            children += cell.children;
        }
    }
    if (suppressed == 0) {
        return;
    }
    std::vector<std::size_t> order(cells.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&cells](std::size_t a, std::size_t b) {
        const AggregateCell& x = cells[a];
        const AggregateCell& y = cells[b];
        return std::tie(x.children, x.episodes, x.col, x.row) <
               std::tie(y.children, y.episodes, y.col, y.row);
    });
    for (const std::size_t i : order) {
        if (suppressed >= 2 && episodes >= k && children >= k) {
            break;
        }
        if (cells[i].suppression == S::none) {
            cells[i].suppression = S::secondary;
            ++suppressed;
            episodes += cells[i].episodes;
            children += cells[i].children;
        }
    }
}

ProfileStage::ProfileStage(Profile profile, const PrivacySettings& settings,
                           std::vector<unsigned char> key, int partnership_cell_metres)
    : m_profile(profile), m_settings(settings), m_key(std::move(key)),
      m_cell_metres(partnership_cell_metres) {
    if (m_profile != Profile::analyst && m_key.size() < 16) {
        throw StoreError("the store's pseudonymisation key is missing or too short; run "
                         "'waymark init' on a store made by this version");
    }
}

std::string ProfileStage::id(std::string_view source_id) const {
    if (m_profile == Profile::analyst || source_id.empty()) {
        return std::string(source_id);
    }
    return pseudonym(m_key, source_id);
}

bool ProfileStage::private_place(const std::string& place_type, bool restricted,
                                 std::string_view role, const std::string& setting) {
    if (restricted || place_type == "home" || place_type == "placement") {
        return true;
    }
    if (role == "from" && place_type.empty()) {
        return setting == "home" || setting == "foster_care" || setting == "childrens_home" ||
               setting == "supported_accommodation" || setting == "care_leaver";
    }
    return false;
}

geo::Point ProfileStage::snap(geo::Point p) const {
    const double size = m_settings.panel_snap_metres;
    return {(std::floor(p.x / size) + 0.5) * size, (std::floor(p.y / size) + 0.5) * size};
}

ProfiledIncidents
ProfileStage::incidents(const store::Store& store,
                        const std::function<bool(const store::Incident&)>& select) const {
    StageCounts counts;
    std::vector<store::Incident> kept;
    const bool analyst = m_profile == Profile::analyst;
    store.for_each_incident([&](const store::Incident& source) {
        if (!select(source)) {
            return;
        }
        ++counts.read;
        if (analyst) {
            kept.push_back(source);
            return;
        }
        if (source.sensitive_disclosure) {
            ++counts.sensitive;
            return;
        }
        if (source.consent_to_share == false && m_profile == Profile::panel &&
            !m_settings.share_rhi_without_consent) {
            ++counts.without_consent;
            return;
        }
        if (source.protected_child) {
            ++counts.protected_child;
            return;
        }
        store::Incident incident = source;
        incident.record_id = id(source.record_id);
        incident.episode_id = id(source.episode_id);
        incident.child_id = id(source.child_id);
        if (m_profile == Profile::partnership) {
            incident.place_key.clear();
            incident.place_label.clear();
        } else if (private_place(source.place_type, source.restricted, source.role,
                                 source.setting)) {
            const geo::Point at = snap({source.point.x, source.point.y});
            incident.point = {at.x, at.y};
            char cell[64];
            std::snprintf(cell, sizeof cell, "cell:%.0f,%.0f", at.x, at.y);
            incident.place_key = cell;
            incident.place_label = "home or restricted place (" +
                                   std::to_string(m_settings.panel_snap_metres) + " m cell)";
            ++counts.snapped;
        }
        kept.push_back(std::move(incident));
    });
    return {m_profile, std::move(kept), counts};
}

ProfiledIncidents
ProfileStage::subset(const ProfiledIncidents& from,
                     const std::function<bool(const store::Incident&)>& select) const {
    if (from.profile() != m_profile) {
        throw Error("incidents profiled for " + std::string(to_string(from.profile())) +
                    " cannot be narrowed for " + std::string(to_string(m_profile)));
    }
    std::vector<store::Incident> kept;
    for (const store::Incident& incident : from.incidents()) {
        if (select(incident)) {
            kept.push_back(incident);
        }
    }
    StageCounts counts = from.counts();
    counts.read = static_cast<std::int64_t>(kept.size());
    return {m_profile, std::move(kept), counts};
}

ProfiledNetwork ProfileStage::network(Network net, const store::NetworkEvidence& evidence) const {
    if (m_profile == Profile::partnership) {
        throw UsageError("the partnership profile gets aggregates only, not the network itself; "
                         "'waymark export --profile partnership' writes the network's counts");
    }
    StageCounts counts;
    counts.read = static_cast<std::int64_t>(net.links.size());
    if (m_profile == Profile::analyst) {
        for (const Link& l : net.links) {
            counts.handling_flagged += l.handling_conditions() ? 1 : 0;
        }
        std::vector<bool> placeable(net.entities.size(), true);
        return {m_profile, std::move(net), std::move(placeable), counts};
    }
    // The evidence the panel may see; links left with none are dropped, and
    // a trafficked or UASC child keeps no link to a place.
    const auto is_protected = [&](const Entity& e) {
        return e.kind == EntityKind::child && evidence.protected_children.count(e.id) != 0;
    };
    std::vector<Link> links;
    std::vector<bool> linked(net.entities.size(), false);
    for (Link& link : net.links) {
        const Entity& a = net.entities[link.a];
        const Entity& b = net.entities[link.b];
        if ((is_protected(a) && b.kind == EntityKind::place) ||
            (is_protected(b) && a.kind == EntityKind::place)) {
            ++counts.protected_child;
            continue;
        }
        std::vector<LinkEvidence> kept;
        for (LinkEvidence& e : link.evidence) {
            if (e.sensitive) {
                ++counts.sensitive;
                continue;
            }
            if (e.consent_restricted && !m_settings.share_rhi_without_consent) {
                ++counts.without_consent;
                continue;
            }
            e.record = profiled_record(*this, e.record);
            kept.push_back(std::move(e));
        }
        if (kept.empty() && link.type != LinkType::possible_match) {
            continue;
        }
        link.evidence = std::move(kept);
        counts.handling_flagged += link.handling_conditions() ? 1 : 0;
        linked[link.a] = linked[link.b] = true;
        links.push_back(std::move(link));
    }
    // Entities: children always stay (they are why the network exists);
    // anyone or anything else only while a link remains.
    std::vector<std::optional<std::size_t>> renumber(net.entities.size());
    Network out;
    std::vector<bool> placeable;
    for (std::size_t i = 0; i < net.entities.size(); ++i) {
        Entity e = std::move(net.entities[i]);
        if (!linked[i] && e.kind != EntityKind::child) {
            ++counts.entities_dropped;
            continue;
        }
        placeable.push_back(!is_protected(e));
        if (is_person(e.kind)) {
            e.id = id(e.id);
            e.label = e.id;
        } else if (e.kind == EntityKind::vehicle) {
            e.id = "vehicle:" + id(e.id);
            e.label = e.id.substr(8);
        } else if (private_entity(e)) {
            e.id = "place:" + id(e.id);
            e.label = "home or restricted place (" + std::to_string(m_settings.panel_snap_metres) +
                      " m cell)";
            if (e.point) {
                const geo::Point at = snap({e.point->x, e.point->y});
                e.point = model::Point{at.x, at.y};
            }
            ++counts.snapped;
        }
        renumber[i] = out.entities.size();
        out.index.emplace(e.id, out.entities.size());
        out.entities.push_back(std::move(e));
    }
    for (Link& link : links) {
        link.a = *renumber[link.a];
        link.b = *renumber[link.b];
        if (link.a > link.b) {
            std::swap(link.a, link.b);
        }
        out.links.push_back(std::move(link));
    }
    // The names mentioned, and what resolution made of them, stay with the
    // analyst (resolution.csv): the panel sees pseudonyms only.
    return {m_profile, std::move(out), std::move(placeable), counts};
}

std::map<std::string, std::optional<std::int64_t>>
ProfileStage::network_summary(const Network& net, const store::NetworkEvidence& evidence) const {
    std::map<std::string, std::int64_t> raw;
    for (const Entity& e : net.entities) {
        if (e.kind == EntityKind::child && evidence.protected_children.count(e.id) != 0 &&
            m_profile != Profile::analyst) {
            continue;
        }
        ++raw["entities." + std::string(to_string(e.kind))];
    }
    for (const Link& l : net.links) {
        const bool usable =
            std::any_of(l.evidence.begin(), l.evidence.end(), [this](const LinkEvidence& e) {
                return m_profile == Profile::analyst || !e.sensitive;
            });
        if (usable) {
            ++raw["links." + std::string(to_string(l.type))];
        }
    }
    std::map<std::string, std::optional<std::int64_t>> shown;
    for (const auto& [key, value] : raw) {
        shown[key] = count(value);
    }
    return shown;
}

std::vector<AggregateCell> ProfileStage::aggregate(const ProfiledIncidents& input,
                                                   std::string_view role) const {
    const geo::Grid grid(geo::GridShape::square, m_cell_metres);
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::int64_t, std::set<std::string>>>
        cells;
    for (const store::Incident& incident : input.incidents()) {
        if (incident.role != role) {
            continue;
        }
        const geo::CellId id = grid.cell_of({incident.point.x, incident.point.y});
        auto& cell = cells[{id.col, id.row}];
        ++cell.first;
        // An incident without a child (a CPI form naming none) counts as an
        // episode of concern but adds no child.
        if (!incident.child_id.empty()) {
            cell.second.insert(incident.child_id);
        }
    }
    std::vector<AggregateCell> out;
    out.reserve(cells.size());
    for (const auto& [key, value] : cells) {
        AggregateCell cell;
        cell.col = key.first;
        cell.row = key.second;
        cell.corners = grid.corners({static_cast<int>(key.first), static_cast<int>(key.second)});
        cell.episodes = value.first;
        cell.children = static_cast<std::int64_t>(value.second.size());
        out.push_back(std::move(cell));
    }
    suppress_small_cells(out, m_settings.suppression_k);
    return out;
}

std::map<std::string, std::optional<std::int64_t>>
ProfileStage::withheld(const StageCounts& c) const {
    std::map<std::string, std::optional<std::int64_t>> out;
    const std::pair<const char*, std::int64_t> items[] = {{"read", c.read},
                                                          {"protected_child", c.protected_child},
                                                          {"sensitive", c.sensitive},
                                                          {"without_consent", c.without_consent},
                                                          {"snapped", c.snapped},
                                                          {"handling_flagged", c.handling_flagged},
                                                          {"entities_dropped", c.entities_dropped}};
    for (const auto& [key, value] : items) {
        if (value != 0) {
            out[key] = count(value);
        }
    }
    return out;
}

std::optional<std::int64_t> ProfileStage::count(std::int64_t value) const {
    if (m_profile == Profile::partnership && value < m_settings.suppression_k) {
        return std::nullopt;
    }
    return value;
}

ApprovedLayer ProfileStage::approve(const LayerDescription& layer,
                                    std::span<const LayerFeature> features) const {
    if (m_profile != Profile::partnership) {
        return {m_profile, layer, features};
    }
    const auto refuse = [&layer](const std::string& why) {
        throw Error("layer " + layer.name + " breaks the partnership profile: " + why);
    };
    if (layer.geometry != LayerDescription::Geometry::polygon) {
        refuse("only area aggregates (polygons) may be written");
    }
    std::optional<std::size_t> children;
    for (std::size_t i = 0; i < layer.fields.size(); ++i) {
        const LayerField& field = layer.fields[i];
        if (field.name == "children") {
            children = i;
        } else if (field.type == LayerField::Type::text && field.name != "suppressed") {
            refuse("text field " + field.name + " is not an aggregate");
        }
    }
    if (!children) {
        refuse("it has no children count to check against k");
    }
    for (const LayerFeature& feature : features) {
        const auto* value = std::get_if<std::int64_t>(&feature.values.at(*children));
        if (value != nullptr && *value < m_settings.suppression_k) {
            refuse("a cell of " + std::to_string(*value) +
                   " children is below k = " + std::to_string(m_settings.suppression_k));
        }
    }
    return {m_profile, layer, features};
}

std::map<std::string, std::string> ProfileStage::metadata() const {
    std::map<std::string, std::string> meta = {{"profile", std::string(to_string(m_profile))}};
    switch (m_profile) {
    case Profile::analyst:
        meta["profile_rules"] = "analyst: source ids, exact locations (docs/export.md)";
        break;
    case Profile::panel:
        meta["profile_rules"] =
            "panel: keyed pseudonyms (HMAC-SHA-256; the key is not in any output), homes and "
            "restricted places snapped to " +
            std::to_string(m_settings.panel_snap_metres) +
            " m cells, trafficked and UASC children's locations withheld, nothing from RHIs with "
            "a sensitive disclosure, RHI intelligence without consent " +
            (m_settings.share_rhi_without_consent ? "shared as the area allows" : "withheld") +
            " (docs/export.md)";
        meta["snap_metres"] = std::to_string(m_settings.panel_snap_metres);
        break;
    case Profile::partnership:
        meta["profile_rules"] = "partnership: " + std::to_string(m_cell_metres) +
                                " m cell aggregates; cells of fewer than " +
                                std::to_string(m_settings.suppression_k) +
                                " children suppressed, with secondary suppression (docs/export.md)";
        meta["suppression_k"] = std::to_string(m_settings.suppression_k);
        meta["cell_metres"] = std::to_string(m_cell_metres);
        break;
    }
    return meta;
}

ProfileStage make_profile_stage(const store::Store& store, Profile profile,
                                const AreaSettings& area) {
    return {profile, area.privacy,
            profile == Profile::analyst ? std::vector<unsigned char>{} : store.pseudonym_key(),
            area.grids.partnership_cell_metres};
}

} // namespace waymark
