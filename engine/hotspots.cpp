#include "engine/hotspots.hpp"

#include "base/error.hpp"
#include "engine/layer_writer.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/profile_stage.hpp"
#include "engine/sha256.hpp"
#include "geo/dbscan.hpp"
#include "geo/gdal.hpp"
#include "geo/geos.hpp"
#include "geo/gistar.hpp"
#include "geo/kde.hpp"
#include "geo/raster.hpp"

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numbers>
#include <set>
#include <unordered_map>
#include <utility>

namespace waymark {
namespace {

constexpr std::array<std::pair<HotspotRole, std::string_view>, 5> role_names{{
    {HotspotRole::from, "from"},
    {HotspotRole::found, "found"},
    {HotspotRole::visited, "visited"},
    {HotspotRole::concern, "concern"},
    {HotspotRole::all, "all"},
}};
constexpr std::array<std::pair<HotspotMethod, std::string_view>, 3> method_names{{
    {HotspotMethod::dbscan, "dbscan"},
    {HotspotMethod::gistar, "gistar"},
    {HotspotMethod::kde, "kde"},
}};
constexpr std::array<std::pair<CountMode, std::string_view>, 2> count_names{{
    {CountMode::episodes, "episodes"},
    {CountMode::children, "children"},
}};

template <class E, std::size_t N>
E parse_name(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text,
             std::string_view option) {
    std::string allowed;
    for (const auto& [value, name] : names) {
        if (name == text) {
            return value;
        }
        allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    }
    throw UsageError(std::string(option) + ": '" + std::string(text) + "' is not one of " +
                     allowed);
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) {
            return name;
        }
    }
    return names.front().second;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// ---- Sites: the distinct places incidents happen at ---------------------------

// Whom an incident counts as in children mode: its child, or (for a record
// naming none, most CPI forms) the record itself, which is then one unknown child.
std::string child_key(const store::Incident& incident) {
    return incident.child_id.empty() ? "record:" + incident.record_id : incident.child_id;
}

// A role's incidents, each with its child_key() as a small number (the same
// number for the same key in every role), so that distinct children are
// counted without comparing strings.
struct RoleInput {
    HotspotRole role;
    std::vector<store::Incident> incidents;
    std::vector<std::int32_t> children; ///< one per incident
};

// How many different numbers `ids` holds.
std::int64_t distinct(std::vector<std::int32_t> ids) {
    std::sort(ids.begin(), ids.end());
    return static_cast<std::int64_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
}

// The local hour (0-23) and weekday (0 = Monday) of a UTC time, or nothing for
// a date without a time.
struct LocalTime {
    int hour = -1;
    int weekday = -1;
};

class LocalClock {
public:
    explicit LocalClock(const std::string& zone) : m_zone(date::locate_zone(zone)) {}

    LocalTime of(const std::string& at) const {
        if (at.size() != 20) {
            return {};
        }
        model::Timestamp utc;
        try {
            utc = model::parse_timestamp_utc(at);
        } catch (const InputError&) {
            return {};
        }
        const auto local = date::make_zoned(m_zone, utc).get_local_time();
        const auto day = date::floor<date::days>(local);
        const auto hours = date::floor<std::chrono::hours>(local - day);
        const unsigned iso = date::weekday(day).iso_encoding(); // Monday 1 … Sunday 7
        return {static_cast<int>(hours.count()), static_cast<int>(iso - 1)};
    }

private:
    const date::time_zone* m_zone;
};

struct Site {
    geo::Point point;
    std::string label;
    std::vector<std::size_t> incidents; // indexes into the role's incidents
    std::int64_t episodes = 0;
    std::int64_t children = 0;
};

// Groups a role's incidents by place: the gazetteer place they resolved to,
// else the exact point. Sites come out in a stable order (by key).
std::vector<Site> group_sites(const RoleInput& input) {
    const std::vector<store::Incident>& incidents = input.incidents;
    std::map<std::string, Site> by_key;
    for (std::size_t i = 0; i < incidents.size(); ++i) {
        const store::Incident& incident = incidents[i];
        char xy[64];
        std::snprintf(xy, sizeof xy, "xy:%.3f,%.3f", incident.point.x, incident.point.y);
        const std::string key = incident.place_key.empty() ? xy : "place:" + incident.place_key;
        Site& site = by_key[key];
        if (site.incidents.empty()) {
            site.point = {incident.point.x, incident.point.y};
            site.label = incident.place_label;
        }
        site.incidents.push_back(i);
    }
    std::vector<Site> sites;
    sites.reserve(by_key.size());
    for (auto& [key, site] : by_key) {
        std::vector<std::int32_t> children;
        children.reserve(site.incidents.size());
        for (const std::size_t i : site.incidents) {
            children.push_back(input.children[i]);
        }
        site.episodes = static_cast<std::int64_t>(site.incidents.size());
        site.children = distinct(std::move(children));
        sites.push_back(std::move(site));
    }
    return sites;
}

std::vector<double> site_weights(const std::vector<Site>& sites, CountMode mode) {
    std::vector<double> weights;
    weights.reserve(sites.size());
    for (const Site& site : sites) {
        weights.push_back(
            static_cast<double>(mode == CountMode::episodes ? site.episodes : site.children));
    }
    return weights;
}

std::vector<geo::Point> site_points(const std::vector<Site>& sites) {
    std::vector<geo::Point> points;
    points.reserve(sites.size());
    for (const Site& site : sites) {
        points.push_back(site.point);
    }
    return points;
}

// ---- What a group of incidents looks like (a cluster) -----------------------

struct Profile24 {
    std::int64_t episodes = 0;
    std::int64_t children = 0;
    std::map<std::string, std::int64_t> settings;
    std::array<std::int64_t, 24> hours{};
    std::array<std::int64_t, 7> weekdays{};
    std::string first;
    std::string last;
};

Profile24 describe(const RoleInput& input, const std::vector<std::size_t>& members,
                   const LocalClock& clock) {
    Profile24 d;
    std::vector<std::int32_t> children;
    children.reserve(members.size());
    for (const std::size_t i : members) {
        const store::Incident& incident = input.incidents[i];
        ++d.episodes;
        children.push_back(input.children[i]);
        ++d.settings[incident.setting.empty() ? "unknown" : incident.setting];
        const LocalTime local = clock.of(incident.at);
        if (local.hour >= 0) {
            ++d.hours[static_cast<std::size_t>(local.hour)];
            ++d.weekdays[static_cast<std::size_t>(local.weekday)];
        }
        const std::string day = incident.at.substr(0, 10);
        if (!day.empty() && (d.first.empty() || day < d.first)) {
            d.first = day;
        }
        if (day > d.last) {
            d.last = day;
        }
    }
    d.children = distinct(std::move(children));
    return d;
}

template <std::size_t N>
std::string join_counts(const std::array<std::int64_t, N>& counts) {
    std::string text;
    for (std::size_t i = 0; i < N; ++i) {
        if (i > 0) {
            text += ',';
        }
        text += std::to_string(counts[i]);
    }
    return text;
}

std::string setting_shares(const Profile24& d) {
    nlohmann::json shares = nlohmann::json::object();
    for (const auto& [setting, count] : d.settings) {
        shares[setting] =
            std::round(1000.0 * static_cast<double>(count) / static_cast<double>(d.episodes)) /
            1000.0;
    }
    return shares.dump();
}

// ---- DBSCAN clusters ------------------------------------------------------------

std::vector<LayerField> cluster_fields() {
    using T = LayerField::Type;
    return {{"cluster", T::integer}, {"episodes", T::integer},    {"children", T::integer},
            {"places", T::integer},  {"core_places", T::integer}, {"setting_shares", T::text},
            {"top_places", T::text}, {"hours", T::text},          {"weekdays", T::text},
            {"first_date", T::text}, {"last_date", T::text}};
}

// The cluster's outline: the concave hull of its places (convex when it has
// fewer than four, where a concave hull adds nothing), widened by a tenth of
// eps so that a cluster of one or two places is an area, not a point or line.
std::vector<std::vector<geo::Point>>
cluster_outline(const geos::Context& geos, const std::vector<geo::Point>& points, double eps) {
    const geos::Geometry all = geos.multipoint(points);
    const geos::Geometry hull = points.size() >= 4 ? all.concave_hull(0.3) : all.convex_hull();
    return hull.buffer(eps / 10.0, 4).polygon_rings();
}

// The three labels with the most (episodes or distinct children) in a
// cluster. Places are grouped by label, because one address reached by
// postcode, coordinates and gazetteer key makes several sites with one name.
std::string top_places(const RoleInput& input, const std::vector<Site>& sites,
                       const std::vector<std::size_t>& members, CountMode mode) {
    struct Tally {
        std::int64_t episodes = 0;
        std::vector<std::int32_t> children;
    };
    std::map<std::string, Tally> by_label;
    for (const std::size_t s : members) {
        const Site& site = sites[s];
        Tally& tally = by_label[site.label.empty() ? "(unnamed places)" : site.label];
        tally.episodes += site.episodes;
        for (const std::size_t i : site.incidents) {
            tally.children.push_back(input.children[i]);
        }
    }
    std::vector<std::pair<std::int64_t, std::string>> ranked;
    for (const auto& [label, tally] : by_label) {
        ranked.emplace_back(mode == CountMode::episodes ? tally.episodes : distinct(tally.children),
                            label);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string text;
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
        if (i > 0) {
            text += "; ";
        }
        text += ranked[i].second + " (" + std::to_string(ranked[i].first) + ")";
    }
    return text;
}

using Metadata = std::map<std::string, std::string>;

// No density surface larger than this (25 million cells, 100 MB as Float32):
// an automatic cell size grows until the surface fits.
constexpr double max_raster_cells = 25e6;

// The incidents in one grid cell.
struct CellCount {
    std::int64_t episodes = 0;
    std::vector<std::int32_t> children; ///< made distinct once the cell is filled
};

// ---- Per role ---------------------------------------------------------------------

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

class RoleAnalysis {
public:
    RoleAnalysis(const HotspotConfig& config, const RoleInput& input, const ProfileStage& stage,
                 LayerSink& layers, const Metadata& common, const SurfaceSink& surfaces,
                 const LocalClock& clock)
        : m_config(config), m_input(input), m_stage(stage), m_layers(layers), m_common(common),
          m_surfaces(surfaces), m_clock(clock), m_sites(group_sites(input)) {
        m_summary.role = std::string(to_string(input.role));
        m_summary.incidents = static_cast<std::int64_t>(input.incidents.size());
        m_summary.children = distinct(input.children);
        m_summary.places = static_cast<std::int64_t>(m_sites.size());
    }

    void run(HotspotMethod method) {
        if (m_input.incidents.empty()) {
            note(std::string(to_string(method)) + ": no incidents match the selection");
            return;
        }
        try {
            switch (method) {
            case HotspotMethod::dbscan:
                clusters();
                break;
            case HotspotMethod::gistar:
                gistar();
                break;
            case HotspotMethod::kde:
                density();
                break;
            }
        } catch (const InputError& refused) {
            // A statistic that cannot mean anything on this selection is
            // refused for this role; the others still run.
            note(std::string(to_string(method)) + " refused: " + refused.what());
        }
    }

    /// Every incident of the role as a point (after the profile stage: panel
    /// points carry pseudonyms, and homes and restricted places are at their
    /// snapped cell centre).
    void points() {
        using T = LayerField::Type;
        const std::vector<LayerField> fields = {
            {"record", T::text},  {"episode", T::text},         {"child", T::text},
            {"at", T::text},      {"place", T::text},           {"place_type", T::text},
            {"setting", T::text}, {"looked_after", T::integer}, {"risk_grade", T::text},
            {"age", T::integer},  {"cse", T::integer},          {"cce", T::integer}};
        std::vector<LayerFeature> features;
        features.reserve(m_input.incidents.size());
        for (const store::Incident& incident : m_input.incidents) {
            LayerFeature feature;
            feature.rings.push_back({{incident.point.x, incident.point.y}});
            feature.values.reserve(fields.size());
            feature.values.emplace_back(incident.record_id);
            feature.values.emplace_back(incident.episode_id);
            feature.values.emplace_back(incident.child_id);
            feature.values.emplace_back(incident.at);
            feature.values.emplace_back(incident.place_label);
            feature.values.emplace_back(incident.place_type);
            feature.values.emplace_back(incident.setting);
            if (incident.looked_after) {
                feature.values.emplace_back(std::int64_t{*incident.looked_after ? 1 : 0});
            } else {
                feature.values.emplace_back(std::monostate{});
            }
            feature.values.emplace_back(incident.risk_grade);
            if (incident.age) {
                feature.values.emplace_back(std::int64_t{*incident.age});
            } else {
                feature.values.emplace_back(std::monostate{});
            }
            feature.values.emplace_back(std::int64_t{incident.cse ? 1 : 0});
            feature.values.emplace_back(std::int64_t{incident.cce ? 1 : 0});
            features.push_back(std::move(feature));
        }
        const LayerDescription layer{
            layer_name("points"),
            "Incidents: " + m_summary.role,
            "Every located incident of the role, one point each: the record, its episode and "
            "child, the time (UTC), the place, and the episode's setting, looked-after status, "
            "risk grade, age and CSE/CCE indicators.",
            LayerDescription::Geometry::point,
            fields,
            metadata({{"method", "points"}})};
        m_layers.write(m_stage.approve(layer, features));
    }

    RoleSummary& summary() { return m_summary; }
    const RoleSummary& summary() const { return m_summary; }
    const std::vector<Site>& sites() const { return m_sites; }

private:
    void note(std::string text) { m_summary.notes.push_back(std::move(text)); }

    // What every output of this role records beside its method's parameters:
    // the role and its record counts (the layer writer adds the run's own).
    Metadata metadata(Metadata specific) const {
        specific["role"] = m_summary.role;
        specific["incidents"] = std::to_string(m_summary.incidents);
        specific["children"] = std::to_string(m_summary.children);
        specific["places"] = std::to_string(m_summary.places);
        return specific;
    }

    std::string layer_name(std::string_view kind) const {
        return std::string(kind) + "_" + m_summary.role;
    }

    void clusters() {
        const std::vector<geo::Point> points = site_points(m_sites);
        const std::vector<double> weights = site_weights(m_sites, m_config.count);
        const double min_points = m_config.min_points > 0
                                      ? m_config.min_points
                                      : auto_min_points(points, weights, m_config.eps);
        geo::Dbscan dbscan(points, weights, {m_config.eps, min_points, m_config.threads});
        dbscan.run();
        std::vector<std::vector<std::size_t>> members(
            static_cast<std::size_t>(dbscan.cluster_count()));
        std::vector<int> core_places(members.size(), 0);
        for (std::size_t s = 0; s < m_sites.size(); ++s) {
            const int label = dbscan.labels()[s];
            if (label != geo::Dbscan::noise) {
                members[static_cast<std::size_t>(label)].push_back(s);
                core_places[static_cast<std::size_t>(label)] += dbscan.core()[s];
            }
        }
        const geos::Context geos;
        std::vector<LayerFeature> features;
        for (std::size_t c = 0; c < members.size(); ++c) {
            std::vector<std::size_t> incidents;
            std::vector<geo::Point> outline_points;
            for (const std::size_t s : members[c]) {
                incidents.insert(incidents.end(), m_sites[s].incidents.begin(),
                                 m_sites[s].incidents.end());
                outline_points.push_back(m_sites[s].point);
            }
            const Profile24 d = describe(m_input, incidents, m_clock);
            features.push_back({cluster_outline(geos, outline_points, m_config.eps),
                                {static_cast<std::int64_t>(c + 1), d.episodes, d.children,
                                 static_cast<std::int64_t>(members[c].size()),
                                 static_cast<std::int64_t>(core_places[c]), setting_shares(d),
                                 top_places(m_input, m_sites, members[c], m_config.count),
                                 join_counts(d.hours), join_counts(d.weekdays), d.first, d.last}});
        }
        // Largest first, by the chosen count, so that cluster 1 is the biggest.
        const std::size_t key = m_config.count == CountMode::episodes ? 1 : 2;
        std::stable_sort(features.begin(), features.end(), [key](const auto& a, const auto& b) {
            return std::get<std::int64_t>(a.values[key]) > std::get<std::int64_t>(b.values[key]);
        });
        for (std::size_t i = 0; i < features.size(); ++i) {
            features[i].values[0] = static_cast<std::int64_t>(i + 1);
        }
        const LayerDescription layer{
            layer_name("clusters"),
            "Clusters (DBSCAN): " + m_summary.role,
            "Places within " + number(m_config.eps) + " m of each other where at least " +
                number(min_points) + " " + std::string(to_string(m_config.count)) +
                " gather (DBSCAN). Each polygon outlines a cluster's places; "
                "episodes and distinct children are both given, with the share "
                "by setting, the top places, and the local hour (0-23) and "
                "weekday (Monday first) profiles.",
            LayerDescription::Geometry::polygon,
            cluster_fields(),
            metadata({{"method", "dbscan"},
                      {"eps_metres", number(m_config.eps)},
                      {"min_points", number(min_points)}})};
        m_layers.write(m_stage.approve(layer, features));
        m_summary.clusters = static_cast<int>(features.size());
        m_summary.min_points = min_points;
        if (m_config.min_points <= 0) {
            note("dbscan core weight " + number(min_points) + " within " + number(m_config.eps) +
                 " m: what such a disc holds where incidents are spread evenly over the ground "
                 "they occupy (at least 5)");
        }
    }

    void gistar() {
        std::vector<geo::Point> points;
        points.reserve(m_input.incidents.size());
        for (const store::Incident& incident : m_input.incidents) {
            points.push_back({incident.point.x, incident.point.y});
        }
        // ArcGIS's floor of 30 incidents applies whatever the cell size:
        // optimized_cell_size refuses fewer, so it runs even when one is given.
        const double optimized = geo::optimized_cell_size(points);
        const double cell_size = m_config.cell_size > 0 ? m_config.cell_size : optimized;
        const geo::Grid grid(m_config.shape, cell_size);
        std::map<geo::CellId, CellCount> cells;
        for (std::size_t i = 0; i < m_input.incidents.size(); ++i) {
            const store::Incident& incident = m_input.incidents[i];
            CellCount& cell = cells[grid.cell_of({incident.point.x, incident.point.y})];
            ++cell.episodes;
            cell.children.push_back(m_input.children[i]);
        }
        for (auto& [id, cell] : cells) {
            std::sort(cell.children.begin(), cell.children.end());
            cell.children.erase(std::unique(cell.children.begin(), cell.children.end()),
                                cell.children.end());
        }
        if (m_config.extent) {
            add_empty_cells(grid, *m_config.extent, cells);
        }
        std::vector<geo::CellId> ids;
        std::vector<geo::Point> centres;
        std::vector<double> values;
        for (const auto& [id, count] : cells) {
            ids.push_back(id);
            centres.push_back(grid.centre(id));
            values.push_back(m_config.count == CountMode::episodes
                                 ? static_cast<double>(count.episodes)
                                 : static_cast<double>(count.children.size()));
        }
        std::string band_rule = "given";
        double band = m_config.distance_band;
        if (band <= 0) {
            const geo::HotspotScale scale =
                geo::optimized_distance_band(centres, values, cell_size);
            band = scale.distance_band;
            band_rule = scale.band_rule;
        }
        geo::GiStar gistar(centres, values,
                           {band, m_config.permutations, m_config.seed, true, m_config.threads});
        gistar.run();
        // The bins: Benjamini-Hochberg over the p-values chosen (hotspots.hpp).
        std::vector<double> p_values;
        std::vector<double> z_scores;
        for (const geo::GiStarResult& r : gistar.results()) {
            p_values.push_back(m_config.bins_from_permutations && m_config.permutations > 0
                                   ? r.p_sim
                                   : r.p_normal);
            z_scores.push_back(r.z);
        }
        const std::vector<int> bins = geo::confidence_bins(p_values, z_scores, true);

        using T = LayerField::Type;
        const std::vector<LayerField> fields = {
            {"cell_col", T::integer}, {"cell_row", T::integer}, {"episodes", T::integer},
            {"children", T::integer}, {"value", T::real},       {"gi_z", T::real},
            {"gi_p", T::real},        {"gi_p_sim", T::real},    {"neighbours", T::integer},
            {"gi_bin", T::integer}};
        std::vector<LayerFeature> features;
        int hot = 0;
        int cold = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const geo::GiStarResult& r = gistar.results()[i];
            hot += bins[i] > 0 ? 1 : 0;
            cold += bins[i] < 0 ? 1 : 0;
            const CellCount& count = cells.at(ids[i]);
            // Built value by value: GCC 12 misreads a braced list of
            // variants holding strings as reading uninitialised memory.
            LayerFeature feature;
            feature.rings.push_back(grid.corners(ids[i]));
            feature.values.reserve(fields.size());
            feature.values.emplace_back(static_cast<std::int64_t>(ids[i].col));
            feature.values.emplace_back(static_cast<std::int64_t>(ids[i].row));
            feature.values.emplace_back(count.episodes);
            feature.values.emplace_back(static_cast<std::int64_t>(count.children.size()));
            feature.values.emplace_back(values[i]);
            feature.values.emplace_back(r.z);
            feature.values.emplace_back(r.p_normal);
            if (m_config.permutations > 0) {
                feature.values.emplace_back(r.p_sim);
            } else {
                feature.values.emplace_back(std::monostate{});
            }
            feature.values.emplace_back(static_cast<std::int64_t>(r.neighbours));
            feature.values.emplace_back(static_cast<std::int64_t>(bins[i]));
            features.push_back(std::move(feature));
        }
        const std::string shape = m_config.shape == geo::GridShape::hexagon ? "hexagon" : "square";
        const char* bins_source = m_config.bins_from_permutations && m_config.permutations > 0
                                      ? "permutation"
                                      : "analytic";
        const LayerDescription layer{
            layer_name("gistar"),
            "Gi* hot and cold spots: " + m_summary.role,
            "Getis-Ord Gi* on " + shape + " cells of " + number(cell_size) + " m counting " +
                std::string(to_string(m_config.count)) + ", binary distance band " + number(band) +
                " m. gi_bin: +3/+2/+1 hot spot at 99/95/90 % confidence, -3/-2/-1 cold spot, "
                "0 not significant, after the Benjamini-Hochberg false discovery rate "
                "correction of the " +
                std::string(bins_source) +
                " p-values; gi_z, gi_p (analytic) and gi_p_sim (permutation) are "
                "not corrected.",
            LayerDescription::Geometry::polygon,
            fields,
            metadata({{"method", "gistar"},
                      {"grid", shape},
                      {"cell_size_metres", number(cell_size)},
                      {"distance_band_metres", number(band)},
                      {"distance_band_rule", band_rule},
                      {"permutations", std::to_string(m_config.permutations)},
                      {"bins_from", bins_source},
                      {"seed", std::to_string(m_config.seed)}})};
        m_layers.write(m_stage.approve(layer, features));
        m_summary.hot_cells = hot;
        m_summary.cold_cells = cold;
        m_summary.cell_size = cell_size;
        m_summary.distance_band = band;
        if (m_config.cell_size <= 0) {
            note("gistar cell size " + number(cell_size) +
                 " m chosen as Optimized Hot Spot Analysis does");
        }
        note("gistar distance band " + number(band) + " m: " + band_rule);
    }

    static void add_empty_cells(const geo::Grid& grid, const std::array<double, 4>& extent,
                                std::map<geo::CellId, CellCount>& cells) {
        const double step = grid.cell_size() / 2;
        for (double y = extent[1]; y <= extent[3]; y += step) {
            for (double x = extent[0]; x <= extent[2]; x += step) {
                const geo::CellId id = grid.cell_of({x, y});
                const geo::Point centre = grid.centre(id);
                if (centre.x >= extent[0] && centre.x <= extent[2] && centre.y >= extent[1] &&
                    centre.y <= extent[3]) {
                    cells[id]; // a cell with no incident: its counts stay 0
                }
            }
        }
    }

    void density() {
        const std::vector<geo::Point> points = site_points(m_sites);
        const std::vector<double> chosen = site_weights(m_sites, m_config.count);
        const double bandwidth =
            m_config.bandwidth > 0 ? m_config.bandwidth : geo::default_bandwidth(points, chosen);
        if (!(bandwidth > 0)) {
            throw InputError("kernel density needs places spread over some distance; the "
                             "default search radius is 0 (give --bandwidth)");
        }
        const geo::RasterGrid grid = raster_grid(points, bandwidth, m_config.raster_cell);
        for (const CountMode mode : {CountMode::episodes, CountMode::children}) {
            const std::vector<double> density =
                per_km2(points, site_weights(m_sites, mode), bandwidth, grid, 1.0);
            Metadata items = metadata({{"TITLE", "Kernel density (" + std::string(to_string(mode)) +
                                                     " per km²): " + m_summary.role},
                                       {"method", "kde quartic"},
                                       {"count", std::string(to_string(mode))},
                                       {"units", std::string(to_string(mode)) + " per km²"},
                                       {"bandwidth_metres", number(bandwidth)},
                                       {"cell_size_metres", number(grid.cell_size)}});
            items.insert(m_common.begin(), m_common.end());
            m_surfaces({"density_" + m_summary.role + "_" + std::string(to_string(mode)), grid,
                        std::move(density), std::move(items), -1.0});
        }
        m_summary.bandwidth = bandwidth;
        if (m_config.bandwidth <= 0) {
            note("kde search radius " + number(bandwidth) + " m chosen as ArcGIS does");
        }
    }

    const HotspotConfig& m_config;
    const RoleInput& m_input;
    const ProfileStage& m_stage;
    LayerSink& m_layers;
    const Metadata& m_common;
    const SurfaceSink& m_surfaces;
    const LocalClock& m_clock;
    std::vector<Site> m_sites;
    RoleSummary m_summary;

public:
    // Shared with the dual surface, which needs the same grid and units.
    // The raster for a surface: the given cell size, or ArcGIS's default (the
    // shorter side of the extent / 250) but never coarser than a fifth of the
    // radius, so that every kernel spans enough cells to keep its shape; then
    // coarsened if need be so that no surface exceeds max_raster_cells.
    static geo::RasterGrid raster_grid(const std::vector<geo::Point>& points, double bandwidth,
                                       double given_cell) {
        double cell = given_cell;
        if (cell <= 0) {
            double min_x = points.front().x, max_x = min_x;
            double min_y = points.front().y, max_y = min_y;
            for (const geo::Point& p : points) {
                min_x = std::min(min_x, p.x);
                max_x = std::max(max_x, p.x);
                min_y = std::min(min_y, p.y);
                max_y = std::max(max_y, p.y);
            }
            const double arcgis = std::min(max_x - min_x, max_y - min_y) / 250.0;
            cell = arcgis > 0 ? std::min(arcgis, bandwidth / 5.0) : bandwidth / 5.0;
            for (;;) {
                const geo::RasterGrid grid = geo::grid_covering(points, cell, bandwidth);
                if (static_cast<double>(grid.width) * grid.height <= max_raster_cells) {
                    return grid;
                }
                cell *= 1.25;
            }
        }
        return geo::grid_covering(points, cell, bandwidth);
    }

    static std::vector<double> per_km2(const std::vector<geo::Point>& points,
                                       const std::vector<double>& weights, double bandwidth,
                                       const geo::RasterGrid& grid, double divide_by) {
        geo::KernelDensity kde(points, weights, {bandwidth, grid, 0});
        kde.run();
        std::vector<double> density = kde.density();
        for (double& value : density) {
            value = value * 1e6 / divide_by;
        }
        return density;
    }
};

// Found minus from, each surface divided by its total so that both are shares
// per km²: where children end up that is not where they leave from.
void dual_density(const HotspotConfig& config, const RoleAnalysis& from, const RoleAnalysis& found,
                  const Metadata& common, const SurfaceSink& surfaces, RoleSummary& summary) {
    std::vector<geo::Point> all = site_points(from.sites());
    const std::vector<geo::Point> found_points = site_points(found.sites());
    all.insert(all.end(), found_points.begin(), found_points.end());
    std::vector<double> all_weights = site_weights(from.sites(), config.count);
    const std::vector<double> found_weights = site_weights(found.sites(), config.count);
    all_weights.insert(all_weights.end(), found_weights.begin(), found_weights.end());
    const double bandwidth =
        config.bandwidth > 0 ? config.bandwidth : geo::default_bandwidth(all, all_weights);
    const geo::RasterGrid grid = RoleAnalysis::raster_grid(all, bandwidth, config.raster_cell);
    const auto total = [](const std::vector<double>& w) {
        double sum = 0;
        for (const double v : w) {
            sum += v;
        }
        return sum;
    };
    const std::vector<double> from_weights = site_weights(from.sites(), config.count);
    std::vector<double> dual =
        RoleAnalysis::per_km2(found_points, found_weights, bandwidth, grid, total(found_weights));
    const std::vector<double> leaving = RoleAnalysis::per_km2(
        site_points(from.sites()), from_weights, bandwidth, grid, total(from_weights));
    for (std::size_t i = 0; i < dual.size(); ++i) {
        dual[i] -= leaving[i];
    }
    Metadata items = {{"TITLE", "Dual kernel density: found minus from (share per km²)"},
                      {"role", "found minus from"},
                      {"method", "dual kde quartic, each surface normalised to sum 1"},
                      {"units", "share per km²"},
                      {"incidents", std::to_string(from.summary().incidents) + " from, " +
                                        std::to_string(found.summary().incidents) + " found"},
                      {"bandwidth_metres", number(bandwidth)},
                      {"cell_size_metres", number(grid.cell_size)}};
    items.insert(common.begin(), common.end());
    surfaces({"density_found_minus_from", grid, std::move(dual), std::move(items), -9999.0});
    summary.notes.push_back("dual density (found minus from) written with search radius " +
                            number(bandwidth) + " m");
}

std::vector<HotspotRole> expand_roles(const std::vector<HotspotRole>& asked,
                                      bool union_only = false) {
    // `all` on its own means every role and their union.
    if (asked.size() == 1 && asked.front() == HotspotRole::all && !union_only) {
        return {HotspotRole::from, HotspotRole::found, HotspotRole::visited, HotspotRole::concern,
                HotspotRole::all};
    }
    std::vector<HotspotRole> roles;
    for (const HotspotRole role : asked) {
        if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
            roles.push_back(role);
        }
    }
    return roles;
}

nlohmann::json filter_json(const IncidentFilter& f) {
    nlohmann::json j = nlohmann::json::object();
    if (!f.since.empty()) {
        j["since"] = f.since;
    }
    if (!f.until.empty()) {
        j["until"] = f.until;
    }
    if (!f.settings.empty()) {
        j["settings"] = f.settings;
    }
    if (f.looked_after) {
        j["looked_after"] = *f.looked_after;
    }
    if (!f.risk_grades.empty()) {
        j["risk_grades"] = f.risk_grades;
    }
    if (f.min_age) {
        j["min_age"] = *f.min_age;
    }
    if (f.max_age) {
        j["max_age"] = *f.max_age;
    }
    if (f.cse) {
        j["cse"] = true;
    }
    if (f.cce) {
        j["cce"] = true;
    }
    return j;
}

nlohmann::json parameters_json(const HotspotConfig& c, const std::vector<HotspotRole>& roles) {
    nlohmann::json role_list = nlohmann::json::array();
    for (const HotspotRole role : roles) {
        role_list.push_back(to_string(role));
    }
    nlohmann::json method_list = nlohmann::json::array();
    for (const HotspotMethod method : c.methods) {
        method_list.push_back(to_string(method));
    }
    const auto automatic = [](double value) {
        return value > 0 ? nlohmann::json(value) : nlohmann::json("auto");
    };
    return {{"roles", role_list},
            {"methods", method_list},
            {"filters", filter_json(c.filter)},
            {"count", to_string(c.count)},
            {"seed", c.seed},
            {"dbscan", {{"eps_metres", c.eps}, {"min_points", automatic(c.min_points)}}},
            {"gistar",
             {{"grid", c.shape == geo::GridShape::hexagon ? "hexagon" : "square"},
              {"cell_size_metres", automatic(c.cell_size)},
              {"distance_band_metres", automatic(c.distance_band)},
              {"permutations", c.permutations},
              {"bins_from", c.bins_from_permutations ? "permutation" : "analytic"},
              {"extent", c.extent ? nlohmann::json(*c.extent) : nlohmann::json(nullptr)}}},
            {"kde",
             {{"kernel", "quartic"},
              {"bandwidth_metres", automatic(c.bandwidth)},
              {"cell_size_metres", automatic(c.raster_cell)}}}};
}

nlohmann::json withheld_json(const std::map<std::string, std::optional<std::int64_t>>& counts) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : counts) {
        j[key] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    }
    return j;
}

nlohmann::json summary_json(const RoleSummary& s) {
    nlohmann::json j = {{"role", s.role},
                        {"incidents", s.incidents},
                        {"children", s.children},
                        {"places", s.places},
                        {"notes", s.notes}};
    const auto put = [&j](const char* key, const auto& value) {
        if (value) {
            j[key] = *value;
        }
    };
    put("clusters", s.clusters);
    put("min_points", s.min_points);
    put("hot_cells", s.hot_cells);
    put("cold_cells", s.cold_cells);
    put("cell_size_metres", s.cell_size);
    put("distance_band_metres", s.distance_band);
    put("bandwidth_metres", s.bandwidth);
    return j;
}

} // namespace

HotspotRole parse_hotspot_role(std::string_view text) {
    return parse_name(role_names, text, "--role");
}
std::string_view to_string(HotspotRole role) {
    return name_of(role_names, role);
}
HotspotMethod parse_hotspot_method(std::string_view text) {
    return parse_name(method_names, text, "--method");
}
std::string_view to_string(HotspotMethod method) {
    return name_of(method_names, method);
}
CountMode parse_count_mode(std::string_view text) {
    return parse_name(count_names, text, "--count");
}
std::string_view to_string(CountMode mode) {
    return name_of(count_names, mode);
}

double auto_min_points(std::span<const geo::Point> places, std::span<const double> weights,
                       double eps) {
    std::set<std::pair<std::int64_t, std::int64_t>> occupied;
    double total = 0;
    for (std::size_t i = 0; i < places.size(); ++i) {
        occupied.emplace(static_cast<std::int64_t>(std::floor(places[i].x / eps)),
                         static_cast<std::int64_t>(std::floor(places[i].y / eps)));
        total += weights.empty() ? 1.0 : weights[i];
    }
    if (occupied.empty()) {
        return 5;
    }
    const double ground = static_cast<double>(occupied.size()) * eps * eps;
    const double disc = std::numbers::pi * eps * eps;
    return std::max(5.0, std::ceil(total * disc / ground));
}

bool IncidentFilter::selects(const store::Incident& incident) const {
    const std::string day = incident.at.substr(0, 10);
    if ((!since.empty() && day < since) || (!until.empty() && day > until)) {
        return false;
    }
    if (!settings.empty() && !contains(settings, incident.setting)) {
        return false;
    }
    if (looked_after && incident.looked_after != looked_after) {
        return false;
    }
    if (!risk_grades.empty() && !contains(risk_grades, incident.risk_grade)) {
        return false;
    }
    if ((min_age || max_age) && !incident.age) {
        return false;
    }
    if ((min_age && *incident.age < *min_age) || (max_age && *incident.age > *max_age)) {
        return false;
    }
    return (!cse || incident.cse) && (!cce || incident.cce);
}

bool IncidentFilter::empty() const {
    return since.empty() && until.empty() && settings.empty() && !looked_after &&
           risk_grades.empty() && !min_age && !max_age && !cse && !cce;
}

std::string hotspot_parameters(const HotspotConfig& config) {
    return parameters_json(config, expand_roles(config.roles, config.union_only)).dump();
}

ProfiledIncidents select_incidents(const store::Store& store, const HotspotConfig& config,
                                   const ProfileStage& stage) {
    return stage.incidents(
        store, [&config](const store::Incident& i) { return config.filter.selects(i); });
}

std::pair<std::string, std::string> data_window(const ProfiledIncidents& incidents,
                                                const HotspotConfig& config) {
    const std::vector<HotspotRole> roles = expand_roles(config.roles, config.union_only);
    const bool every = std::find(roles.begin(), roles.end(), HotspotRole::all) != roles.end();
    std::string first;
    std::string last;
    for (const store::Incident& incident : incidents.incidents()) {
        const bool used = every || std::any_of(roles.begin(), roles.end(), [&](HotspotRole r) {
                              return to_string(r) == incident.role;
                          });
        const std::string day = incident.at.substr(0, 10);
        if (used && !day.empty()) {
            first = first.empty() ? day : std::min(first, day);
            last = std::max(last, day);
        }
    }
    return {first, last};
}

namespace {

// Partnership: each role's incidents counted in the stage's cells, small
// cells suppressed. The union role `all` is left out: a cell of `all` less
// the cells of the other roles would give back a suppressed count.
std::vector<RoleSummary> write_aggregates(const ProfiledIncidents& incidents,
                                          const std::vector<HotspotRole>& roles,
                                          const ProfileStage& stage, LayerSink& layers) {
    std::vector<RoleSummary> summaries;
    for (const HotspotRole role : roles) {
        if (role == HotspotRole::all) {
            continue;
        }
        const std::vector<AggregateCell> cells = stage.aggregate(incidents, to_string(role));
        using T = LayerField::Type;
        const LayerDescription layer{
            "cells_" + std::string(to_string(role)),
            "Incidents per " + std::to_string(stage.partnership_cell_metres()) +
                " m cell: " + std::string(to_string(role)),
            "Episodes and distinct children per square cell. Cells of fewer than " +
                std::to_string(stage.settings().suppression_k) +
                " children are suppressed (counts empty, suppressed = primary), and so are the "
                "smallest other cells needed so that no suppressed count can be worked out from "
                "the totals (suppressed = secondary).",
            LayerDescription::Geometry::polygon,
            {{"cell_col", T::integer},
             {"cell_row", T::integer},
             {"episodes", T::integer},
             {"children", T::integer},
             {"suppressed", T::text}},
            {{"role", std::string(to_string(role))}}};
        std::vector<LayerFeature> features;
        RoleSummary summary;
        summary.role = std::string(to_string(role));
        for (const AggregateCell& cell : cells) {
            LayerFeature feature;
            feature.rings.push_back(cell.corners);
            feature.values.emplace_back(cell.col);
            feature.values.emplace_back(cell.row);
            const bool hidden = cell.suppression != AggregateCell::Suppression::none;
            if (hidden) {
                feature.values.emplace_back(std::monostate{});
                feature.values.emplace_back(std::monostate{});
            } else {
                feature.values.emplace_back(cell.episodes);
                feature.values.emplace_back(cell.children);
            }
            feature.values.emplace_back(std::string(
                cell.suppression == AggregateCell::Suppression::primary     ? "primary"
                : cell.suppression == AggregateCell::Suppression::secondary ? "secondary"
                                                                            : ""));
            features.push_back(std::move(feature));
            summary.incidents += cell.episodes;
        }
        layers.write(stage.approve(layer, features));
        summary.places = static_cast<std::int64_t>(cells.size());
        summary.notes.push_back(std::to_string(std::count_if(
                                    cells.begin(), cells.end(),
                                    [](const AggregateCell& c) {
                                        return c.suppression != AggregateCell::Suppression::none;
                                    })) +
                                " of " + std::to_string(cells.size()) + " cells suppressed");
        summaries.push_back(std::move(summary));
    }
    return summaries;
}

} // namespace

HotspotLayers write_hotspot_layers(const ProfiledIncidents& profiled, const HotspotConfig& config,
                                   const ProfileStage& stage, LayerSink& layers,
                                   const std::map<std::string, std::string>& common,
                                   int working_crs, const HotspotProgress& progress,
                                   const SurfaceSink& surfaces) {
    const auto report = [&progress](std::string_view stage_name, double fraction) {
        if (progress) {
            progress(stage_name, fraction);
        }
    };
    const std::vector<HotspotRole> roles = expand_roles(config.roles, config.union_only);
    HotspotLayers written;
    if (stage.profile() == Profile::partnership) {
        report("aggregating", 0.0);
        std::vector<HotspotRole> single = roles;
        if (single.size() == 1 && single.front() == HotspotRole::all) {
            single = expand_roles({HotspotRole::all});
        }
        written.roles = write_aggregates(profiled, single, stage, layers);
        return written;
    }

    // The incidents of each role.
    std::vector<RoleInput> inputs;
    for (const HotspotRole role : roles) {
        inputs.push_back({role, {}, {}});
    }
    std::unordered_map<std::string, std::int32_t> child_numbers;
    for (const store::Incident& incident : profiled.incidents()) {
        const std::int32_t child =
            child_numbers
                .emplace(child_key(incident), static_cast<std::int32_t>(child_numbers.size()))
                .first->second;
        for (RoleInput& input : inputs) {
            if (input.role == HotspotRole::all || to_string(input.role) == incident.role) {
                input.incidents.push_back(incident);
                input.children.push_back(child);
            }
        }
    }

    // Surfaces go to GeoTIFFs in config.out unless the caller takes them.
    const gdal::SpatialReference srs = gdal::SpatialReference::from_epsg(working_crs);
    const SurfaceSink geotiffs = [&](Surface surface) {
        const std::filesystem::path path = config.out / (surface.name + ".tif");
        geo::write_geotiff(path.string(), surface.grid, surface.values, srs, surface.metadata,
                           surface.nodata);
        written.rasters.push_back(path);
    };
    const SurfaceSink& sink = surfaces ? surfaces : geotiffs;
    const LocalClock clock(config.time_zone);
    std::vector<std::unique_ptr<RoleAnalysis>> analyses;
    const double steps = static_cast<double>(inputs.size() * config.methods.size());
    double done = 0;
    for (const RoleInput& input : inputs) {
        analyses.push_back(
            std::make_unique<RoleAnalysis>(config, input, stage, layers, common, sink, clock));
        if (config.points && input.role != HotspotRole::all && !input.incidents.empty()) {
            analyses.back()->points();
        }
        for (const HotspotMethod method : config.methods) {
            report(std::string(to_string(method)) + " " + std::string(to_string(input.role)),
                   done / steps);
            analyses.back()->run(method);
            ++done;
        }
    }
    // The dual surface, when both ends of the journey were analysed.
    const auto analysis_of = [&](HotspotRole role) -> RoleAnalysis* {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (inputs[i].role == role && !inputs[i].incidents.empty()) {
                return analyses[i].get();
            }
        }
        return nullptr;
    };
    RoleAnalysis* from = analysis_of(HotspotRole::from);
    RoleAnalysis* found = analysis_of(HotspotRole::found);
    if (from != nullptr && found != nullptr &&
        std::find(config.methods.begin(), config.methods.end(), HotspotMethod::kde) !=
            config.methods.end()) {
        try {
            dual_density(config, *from, *found, common, sink, found->summary());
        } catch (const InputError& refused) {
            found->summary().notes.push_back(std::string("dual density refused: ") +
                                             refused.what());
        }
    }
    for (auto& analysis : analyses) {
        written.roles.push_back(analysis->summary());
    }
    return written;
}

HotspotResult run_hotspots(store::Store& store, const HotspotConfig& config,
                           const ProfileStage& stage, const HotspotProgress& progress) {
    const std::string started_at = model::format_timestamp(model::now_utc());
    const std::vector<HotspotRole> roles = expand_roles(config.roles, config.union_only);
    if (progress) {
        progress("reading incidents", 0.0);
    }
    const ProfiledIncidents incidents = select_incidents(store, config, stage);
    const auto [first_day, last_day] = data_window(incidents, config);

    std::error_code error;
    std::filesystem::create_directories(config.out, error);
    if (error) {
        throw IoError("cannot create " + config.out.string() + ": " + error.message());
    }
    const nlohmann::json parameters = parameters_json(config, roles);
    Metadata common = stage.metadata();
    common.insert({{"generator", "Waymark hotspots"},
                   {"count", std::string(to_string(config.count))},
                   {"filters", filter_json(config.filter).dump()},
                   {"data_window", first_day + "/" + last_day},
                   {"generated_at", started_at}});
    LayerWriter layers(config.out, "hotspots", store.working_crs(), stage.profile(), common);
    const HotspotLayers written = write_hotspot_layers(incidents, config, stage, layers, common,
                                                       store.working_crs(), progress);
    HotspotResult result;
    result.roles = written.roles;
    result.files = layers.close();
    result.files.insert(result.files.end(), written.rasters.begin(), written.rasters.end());

    // Nothing written but an empty GeoPackage: every analysis was refused.
    if (result.files.size() == 1) {
        std::string reasons;
        for (const RoleSummary& summary : result.roles) {
            for (const std::string& note : summary.notes) {
                reasons += "\n  " + summary.role + ": " + note;
            }
        }
        throw InputError("hotspots: nothing could be analysed:" + reasons);
    }

    if (progress) {
        progress("recording the run", 1.0);
    }
    const std::string profile(to_string(stage.profile()));
    nlohmann::json files = nlohmann::json::object();
    for (const std::filesystem::path& file : result.files) {
        files[std::filesystem::relative(file, config.out).string()] = sha256_of_file(file);
    }
    nlohmann::json summaries = nlohmann::json::array();
    for (const RoleSummary& summary : result.roles) {
        summaries.push_back(summary_json(summary));
    }
    nlohmann::json run = {{"profile", profile},
                          {"generated_at", started_at},
                          {"working_crs", store.working_crs()},
                          {"data_window", {{"first", first_day}, {"last", last_day}}},
                          {"parameters", parameters},
                          {"withheld", withheld_json(stage.withheld(incidents.counts()))},
                          {"roles", summaries},
                          {"files", files}};
    result.analysis_run =
        store.record_analysis({"hotspots", profile, started_at, parameters.dump(), files.dump()});
    run["analysis_run"] = result.analysis_run;
    const std::filesystem::path summary_path = config.out / "hotspots.json";
    std::ofstream out(summary_path);
    out << run.dump(2) << '\n';
    out.close();
    if (!out) {
        throw IoError("cannot write " + summary_path.string());
    }
    result.files.push_back(summary_path);
    return result;
}

} // namespace waymark
