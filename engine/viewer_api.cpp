#include "engine/viewer_api.hpp"

#include "base/error.hpp"
#include "engine/layer_writer.hpp"
#include "engine/model/timestamp.hpp"
#include "geo/gdal.hpp"
#include "geo/geos.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <list>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace waymark {
namespace {

using nlohmann::json;

// Record text may hold invalid UTF-8; it is replaced, never refused.
std::string dump(const json& document) {
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- Coordinates ---------------------------------------------------------------------

struct LonLat {
    double lon = 0;
    double lat = 0;
};

// PROJ transformations are not thread-safe: each request makes its own.
class ToWgs84 {
public:
    explicit ToWgs84(int working_crs)
        : m_from(gdal::SpatialReference::from_epsg(working_crs)),
          m_to(gdal::SpatialReference::from_epsg(4326)), m_transform(m_from, m_to) {}

    LonLat operator()(double x, double y) const {
        m_transform.transform(x, y);
        return {x, y};
    }

private:
    gdal::SpatialReference m_from;
    gdal::SpatialReference m_to;
    gdal::CoordinateTransformation m_transform;
};

// Six decimals of a degree are about 0.1 m: enough, and shorter answers.
double rounded(double degrees) {
    return std::round(degrees * 1e6) / 1e6;
}

json position(const LonLat& at) {
    return json::array({rounded(at.lon), rounded(at.lat)});
}

// ---- Layers in memory ----------------------------------------------------------------

json value_json(const LayerValue& value) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        return *i;
    }
    if (const auto* d = std::get_if<double>(&value)) {
        return std::isfinite(*d) ? json(*d) : json(nullptr);
    }
    if (const auto* s = std::get_if<std::string>(&value)) {
        return *s;
    }
    return nullptr;
}

// Keeps approved layers as GeoJSON FeatureCollections in WGS 84.
class MemoryLayers final : public LayerSink {
public:
    MemoryLayers(Profile profile, int working_crs) : m_profile(profile), m_wgs84(working_crs) {}

    void write(const ApprovedLayer& approved) override {
        if (approved.profile() != m_profile) {
            throw Error("layer " + approved.description().name + " was approved for " +
                        std::string(to_string(approved.profile())) + ", not " +
                        std::string(to_string(m_profile)));
        }
        const LayerDescription& layer = approved.description();
        json features = json::array();
        for (const LayerFeature& feature : approved.features()) {
            json properties = json::object();
            for (std::size_t i = 0; i < layer.fields.size() && i < feature.values.size(); ++i) {
                properties[layer.fields[i].name] = value_json(feature.values[i]);
            }
            features.push_back({{"type", "Feature"},
                                {"geometry", geometry(layer, feature)},
                                {"properties", properties}});
        }
        m_layers[layer.name] = {{"type", "FeatureCollection"}, {"features", std::move(features)}};
    }

    /// The layer whose name starts with `prefix`, or an empty collection.
    json take(std::string_view prefix) {
        for (auto& [name, collection] : m_layers) {
            if (name.starts_with(prefix)) {
                return std::move(collection);
            }
        }
        return {{"type", "FeatureCollection"}, {"features", json::array()}};
    }

private:
    json ring(const std::vector<geo::Point>& points, bool close) const {
        json coordinates = json::array();
        for (const geo::Point& p : points) {
            coordinates.push_back(position(m_wgs84(p.x, p.y)));
        }
        if (close && !points.empty() &&
            (points.front().x != points.back().x || points.front().y != points.back().y)) {
            coordinates.push_back(coordinates.front());
        }
        return coordinates;
    }

    json geometry(const LayerDescription& layer, const LayerFeature& feature) const {
        switch (layer.geometry) {
        case LayerDescription::Geometry::point: {
            const geo::Point& p = feature.rings.at(0).at(0);
            return {{"type", "Point"}, {"coordinates", position(m_wgs84(p.x, p.y))}};
        }
        case LayerDescription::Geometry::line:
            return {{"type", "LineString"}, {"coordinates", ring(feature.rings.at(0), false)}};
        case LayerDescription::Geometry::polygon:
            break;
        }
        json rings = json::array();
        for (const std::vector<geo::Point>& points : feature.rings) {
            rings.push_back(ring(points, true));
        }
        return {{"type", "Polygon"}, {"coordinates", std::move(rings)}};
    }

    Profile m_profile;
    ToWgs84 m_wgs84;
    std::map<std::string, json> m_layers;
};

// A surface as the page paints it: an image laid over a latitude/longitude
// box, so the working CRS's grid (British National Grid is turned a few
// degrees from true north away from its central meridian) is resampled onto
// a north-up grid in WGS 84, each new cell taking the value of the surface
// cell under its centre. Bytes 0-255 of the largest value, first row north;
// at most max_cells cells, so the answer stays small.
json density_json(const Surface& surface, int working_crs, const std::string& units) {
    constexpr double max_cells = 160000;
    const geo::RasterGrid& grid = surface.grid;
    const ToWgs84 wgs84(working_crs);
    const gdal::SpatialReference from = gdal::SpatialReference::from_epsg(4326);
    const gdal::SpatialReference to = gdal::SpatialReference::from_epsg(working_crs);
    const gdal::CoordinateTransformation to_working(from, to);

    const double west = grid.min_x;
    const double north = grid.max_y;
    const double east = grid.min_x + grid.width * grid.cell_size;
    const double south = grid.max_y - grid.height * grid.cell_size;
    double min_lon = 1e9, max_lon = -1e9, min_lat = 1e9, max_lat = -1e9;
    // The box holding the grid's edges, sampled along each side.
    constexpr int steps = 16;
    for (int i = 0; i <= steps; ++i) {
        const double fx = west + (east - west) * i / steps;
        const double fy = south + (north - south) * i / steps;
        for (const auto& [x, y] : {std::pair{fx, south}, {fx, north}, {west, fy}, {east, fy}}) {
            const LonLat at = wgs84(x, y);
            min_lon = std::min(min_lon, at.lon);
            max_lon = std::max(max_lon, at.lon);
            min_lat = std::min(min_lat, at.lat);
            max_lat = std::max(max_lat, at.lat);
        }
    }
    // About as many cells as the surface has, but square on the ground.
    const double lat_metres = (max_lat - min_lat) * 111320.0;
    const double lon_metres =
        (max_lon - min_lon) * 111320.0 * std::cos((min_lat + max_lat) / 2 * M_PI / 180);
    const double cell = std::max(grid.cell_size, std::sqrt(lat_metres * lon_metres / max_cells));
    const int width = std::max(1, static_cast<int>(std::ceil(lon_metres / cell)));
    const int height = std::max(1, static_cast<int>(std::ceil(lat_metres / cell)));

    // Surface cells smaller than the new ones are first merged into blocks
    // holding their largest value, so that a peak is never sampled away.
    const int factor = std::max(1, static_cast<int>(cell / grid.cell_size));
    const int block_width = (grid.width + factor - 1) / factor;
    const int block_height = (grid.height + factor - 1) / factor;
    const double block_size = grid.cell_size * factor;
    std::vector<double> blocks(static_cast<std::size_t>(block_width) * block_height, 0.0);
    for (int r = 0; r < grid.height; ++r) {
        for (int c = 0; c < grid.width; ++c) {
            double& block = blocks[static_cast<std::size_t>(r / factor) * block_width + c / factor];
            block = std::max(block, surface.values[static_cast<std::size_t>(r) * grid.width + c]);
        }
    }

    std::vector<double> values(static_cast<std::size_t>(width) * height, 0.0);
    double largest = 0;
    for (int row = 0; row < height; ++row) {
        const double lat = max_lat - (row + 0.5) * (max_lat - min_lat) / height;
        for (int col = 0; col < width; ++col) {
            double x = min_lon + (col + 0.5) * (max_lon - min_lon) / width;
            double y = lat;
            to_working.transform(x, y);
            const double c = std::floor((x - west) / block_size);
            const double r = std::floor((north - y) / block_size);
            if (c < 0 || r < 0 || c >= block_width || r >= block_height) {
                continue;
            }
            const double v =
                blocks[static_cast<std::size_t>(r) * block_width + static_cast<std::size_t>(c)];
            if (v > 0) {
                values[static_cast<std::size_t>(row) * width + col] = v;
                largest = std::max(largest, v);
            }
        }
    }
    json bytes = json::array();
    for (const double v : values) {
        // A positive value never rounds to 0, which paints as nothing.
        bytes.push_back(v > 0 ? std::max(1, static_cast<int>(std::lround(v / largest * 255))) : 0);
    }
    return {
        {"bounds", {{rounded(min_lat), rounded(min_lon)}, {rounded(max_lat), rounded(max_lon)}}},
        {"width", width},
        {"height", height},
        {"max", largest},
        {"units", units},
        {"values", std::move(bytes)}};
}

// ---- A small cache -------------------------------------------------------------------

template <typename Value>
class Lru {
public:
    explicit Lru(std::size_t capacity) : m_capacity(std::max<std::size_t>(1, capacity)) {}

    std::optional<Value> get(const std::string& key) {
        const auto found = m_index.find(key);
        if (found == m_index.end()) {
            return std::nullopt;
        }
        m_order.splice(m_order.begin(), m_order, found->second);
        return found->second->second;
    }

    void put(const std::string& key, Value value) {
        if (const auto found = m_index.find(key); found != m_index.end()) {
            m_order.erase(found->second);
            m_index.erase(found);
        }
        m_order.emplace_front(key, std::move(value));
        m_index[key] = m_order.begin();
        while (m_order.size() > m_capacity) {
            m_index.erase(m_order.back().first);
            m_order.pop_back();
        }
    }

private:
    std::size_t m_capacity;
    std::list<std::pair<std::string, Value>> m_order;
    std::unordered_map<std::string, typename std::list<std::pair<std::string, Value>>::iterator>
        m_index;
};

// ---- Places --------------------------------------------------------------------------

// One place on the map: the incidents at one point (after the profile stage,
// so a panel's snapped homes in one cell are one place).
struct Place {
    std::string id; ///< "p<n>"
    double x = 0, y = 0;
    LonLat at;
    std::string label;
    std::string type;
};

std::pair<std::int64_t, std::int64_t> point_key(double x, double y) {
    return {std::llround(x), std::llround(y)};
}

// ---- The network as the viewer uses it -------------------------------------------------

struct NetworkView {
    ProfiledNetwork profiled;
    std::vector<double> weighted_degree;
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> adjacent; ///< (entity, link)
    std::vector<std::optional<LonLat>> at;                                  ///< placeable places
    std::vector<std::optional<std::size_t>> place; ///< the viewer place of a place entity
    std::unordered_map<std::size_t, std::size_t> entity_of_place;
};

std::string day(const std::string& timestamp) {
    return timestamp.substr(0, 10);
}

} // namespace

// ---- State ---------------------------------------------------------------------------

struct ViewerApi::State {
    State(const store::Store& store, const ProfileStage& s, ViewerApiOptions o)
        : stage(s), options(std::move(o)), working_crs(store.working_crs()),
          incidents(s.incidents(store, [](const store::Incident&) { return true; })),
          hotspot_cache(static_cast<std::size_t>(options.cache_entries)),
          network_cache(static_cast<std::size_t>(options.cache_entries)) {
        index_places();
        if (stage.profile() != Profile::partnership) {
            evidence = store.network_evidence();
        }
        meta = make_meta();
    }

    void index_places() {
        const ToWgs84 wgs84(working_crs);
        std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> at;
        const auto& all = incidents.incidents();
        for (std::size_t i = 0; i < all.size(); ++i) {
            at[point_key(all[i].point.x, all[i].point.y)].push_back(i);
        }
        incident_place.assign(all.size(), 0);
        for (const auto& [key, members] : at) {
            Place place;
            place.id = "p" + std::to_string(places.size());
            place.x = all[members.front()].point.x;
            place.y = all[members.front()].point.y;
            place.at = wgs84(place.x, place.y);
            for (const std::size_t i : members) {
                incident_place[i] = places.size();
                if (place.label.empty()) {
                    place.label = all[i].place_label;
                }
                if (place.type.empty()) {
                    place.type = all[i].place_type;
                }
            }
            place_index[place.id] = places.size();
            places.push_back(std::move(place));
        }
        place_at = std::move(at);
    }

    std::string make_meta() const {
        const ToWgs84 wgs84(working_crs);
        std::set<std::string> settings, grades;
        std::string first, last;
        std::unordered_set<std::string> children;
        for (const store::Incident& incident : incidents.incidents()) {
            if (!incident.setting.empty()) {
                settings.insert(incident.setting);
            }
            if (!incident.risk_grade.empty()) {
                grades.insert(incident.risk_grade);
            }
            const std::string d = day(incident.at);
            if (!d.empty() && (first.empty() || d < first)) {
                first = d;
            }
            if (d > last) {
                last = d;
            }
            if (!incident.child_id.empty()) {
                children.insert(incident.child_id);
            }
        }
        json bounds = nullptr;
        if (!places.empty()) {
            double s = 90, w = 180, n = -90, e = -180;
            for (const Place& place : places) {
                s = std::min(s, place.at.lat);
                n = std::max(n, place.at.lat);
                w = std::min(w, place.at.lon);
                e = std::max(e, place.at.lon);
            }
            bounds = {{rounded(s), rounded(w)}, {rounded(n), rounded(e)}};
        }
        const bool partnership = stage.profile() == Profile::partnership;
        json basemap = nullptr;
        if (!options.basemap.url.empty()) {
            basemap = {{"url", options.basemap.url},
                       {"attribution", options.basemap.attribution},
                       {"max_zoom", options.basemap.max_zoom}};
        }
        const auto total = [&](std::int64_t value) -> json {
            const auto shown = stage.count(value);
            return shown ? json(*shown) : json(nullptr);
        };
        return dump(
            {{"profile", std::string(to_string(stage.profile()))},
             {"area", options.area_name},
             {"outline", outline(wgs84)},
             {"bounds", bounds},
             {"window", {{"first", first}, {"last", last}}},
             {"roles", viewer_incident_roles},
             {"settings", settings},
             {"risk_grades", grades},
             {"indicators", {"cse", "cce"}},
             {"network", !partnership},
             {"points", !partnership},
             {"filters", !partnership},
             {"disruption", false},
             {"basemap", basemap},
             {"suppression_k", stage.settings().suppression_k},
             {"totals",
              {{"incidents", total(static_cast<std::int64_t>(incidents.incidents().size()))},
               {"children", total(static_cast<std::int64_t>(children.size()))}}}});
    }

    // The area settings' extent, else the convex hull of every place.
    json outline(const ToWgs84& wgs84) const {
        std::vector<geo::Point> ring;
        if (options.extent) {
            const auto& [x0, y0, x1, y1] = *options.extent;
            constexpr int steps = 16; // a rectangle in metres is not one in degrees
            for (int i = 0; i < steps; ++i) {
                ring.push_back({x0 + (x1 - x0) * i / steps, y0});
            }
            for (int i = 0; i < steps; ++i) {
                ring.push_back({x1, y0 + (y1 - y0) * i / steps});
            }
            for (int i = 0; i < steps; ++i) {
                ring.push_back({x1 - (x1 - x0) * i / steps, y1});
            }
            for (int i = 0; i < steps; ++i) {
                ring.push_back({x0, y1 - (y1 - y0) * i / steps});
            }
        } else {
            if (places.size() < 3) {
                return nullptr;
            }
            std::vector<geo::Point> points;
            for (const Place& place : places) {
                points.push_back({place.x, place.y});
            }
            const geos::Context geos;
            try {
                const auto rings = geos.multipoint(points).convex_hull().polygon_rings();
                ring = rings.front();
            } catch (const GeometryError&) {
                return nullptr; // all places on one line: no outline to draw
            }
        }
        json coordinates = json::array();
        for (const geo::Point& p : ring) {
            coordinates.push_back(position(wgs84(p.x, p.y)));
        }
        if (ring.front().x != ring.back().x || ring.front().y != ring.back().y) {
            coordinates.push_back(coordinates.front());
        }
        return {{"type", "Polygon"}, {"coordinates", json::array({coordinates})}};
    }

    bool selects(const ViewerQuery& query, const store::Incident& incident) const {
        if (!query.roles.empty() &&
            std::find(query.roles.begin(), query.roles.end(), incident.role) == query.roles.end()) {
            return false;
        }
        return query.filter.selects(incident);
    }

    void require_records() const {
        if (stage.profile() == Profile::partnership) {
            throw ApiError(403, "the partnership profile shows suppressed cell counts only");
        }
    }

    std::shared_ptr<const NetworkView> network_for(const ViewerQuery& query) const {
        const std::string key = query.filter.since + "/" + query.filter.until;
        {
            const std::lock_guard lock(mutex);
            if (auto cached = network_cache.get(key)) {
                return *cached;
            }
        }
        NetworkBuildParams params = options.network;
        params.since = query.filter.since;
        params.until = query.filter.until;
        auto view = std::make_shared<NetworkView>(NetworkView{
            stage.network(build_network(evidence, params), evidence), {}, {}, {}, {}, {}});
        const Network& net = view->profiled.network();
        const std::size_t n = net.entities.size();
        view->weighted_degree.assign(n, 0.0);
        view->adjacent.assign(n, {});
        for (std::size_t l = 0; l < net.links.size(); ++l) {
            const Link& link = net.links[l];
            const double weight = link_weight(link);
            view->weighted_degree[link.a] += weight;
            view->weighted_degree[link.b] += weight;
            view->adjacent[link.a].emplace_back(link.b, l);
            view->adjacent[link.b].emplace_back(link.a, l);
        }
        const ToWgs84 wgs84(working_crs);
        view->at.assign(n, std::nullopt);
        view->place.assign(n, std::nullopt);
        for (std::size_t e = 0; e < n; ++e) {
            const Entity& entity = net.entities[e];
            if (entity.kind != EntityKind::place || !entity.point || !view->profiled.placeable(e)) {
                continue;
            }
            view->at[e] = wgs84(entity.point->x, entity.point->y);
            // The viewer place at the same point (both went through the stage).
            const auto found = place_at.find(point_key(entity.point->x, entity.point->y));
            if (found != place_at.end()) {
                const std::size_t p = incident_place[found->second.front()];
                view->place[e] = p;
                view->entity_of_place.emplace(p, e);
            }
        }
        const std::lock_guard lock(mutex);
        network_cache.put(key, view);
        return view;
    }

    json node_json(const NetworkView& view, std::size_t e) const {
        const Entity& entity = view.profiled.network().entities[e];
        std::set<std::size_t> neighbours;
        for (const auto& [other, link] : view.adjacent[e]) {
            neighbours.insert(other);
        }
        json node = {{"id", entity.id},
                     {"label", entity.label.empty() ? entity.id : entity.label},
                     {"kind", std::string(to_string(entity.kind))},
                     {"flags", entity.flags},
                     {"degree", neighbours.size()},
                     {"weighted_degree", std::round(view.weighted_degree[e] * 1000) / 1000}};
        if (view.at[e]) {
            node["lat"] = rounded(view.at[e]->lat);
            node["lon"] = rounded(view.at[e]->lon);
        }
        if (view.place[e]) {
            node["place"] = places[*view.place[e]].id;
        }
        return node;
    }

    // The selected entities and every link among them.
    json graph_json(const NetworkView& view, const std::vector<std::size_t>& chosen,
                    bool truncated) const {
        const Network& net = view.profiled.network();
        std::vector<bool> in(net.entities.size(), false);
        json nodes = json::array();
        for (const std::size_t e : chosen) {
            in[e] = true;
            nodes.push_back(node_json(view, e));
        }
        json links = json::array();
        for (std::size_t l = 0; l < net.links.size(); ++l) {
            const Link& link = net.links[l];
            if (!in[link.a] || !in[link.b]) {
                continue;
            }
            links.push_back({{"id", "l" + std::to_string(l)},
                             {"source", net.entities[link.a].id},
                             {"target", net.entities[link.b].id},
                             {"type", std::string(to_string(link.type))},
                             {"records", link.evidence.size()},
                             {"first", day(link.first_date())},
                             {"last", day(link.last_date())},
                             {"weak", link.weak()},
                             {"handling_conditions", link.handling_conditions()}});
        }
        return {{"nodes", std::move(nodes)},
                {"links", std::move(links)},
                {"total_nodes", net.entities.size()},
                {"total_links", net.links.size()},
                {"truncated", truncated}};
    }

    // The entities within `hops` links of `centre`, nearest first, at most
    // limit; and whether the limit cut some off.
    std::pair<std::vector<std::size_t>, bool> ego(const NetworkView& view, std::size_t centre,
                                                  int hops, int limit) const {
        std::vector<int> distance(view.adjacent.size(), -1);
        std::vector<std::size_t> order{centre};
        distance[centre] = 0;
        for (std::size_t next = 0; next < order.size(); ++next) {
            const std::size_t e = order[next];
            if (distance[e] >= hops) {
                continue;
            }
            // Heavier neighbours first, so that a cut keeps the strongest ties.
            std::vector<std::pair<std::size_t, std::size_t>> around = view.adjacent[e];
            std::sort(around.begin(), around.end(), [&](const auto& a, const auto& b) {
                return view.weighted_degree[a.first] != view.weighted_degree[b.first]
                           ? view.weighted_degree[a.first] > view.weighted_degree[b.first]
                           : a.first < b.first;
            });
            for (const auto& [other, link] : around) {
                if (distance[other] < 0) {
                    distance[other] = distance[e] + 1;
                    order.push_back(other);
                }
            }
        }
        const bool cut = order.size() > static_cast<std::size_t>(limit);
        if (cut) {
            order.resize(static_cast<std::size_t>(limit));
        }
        return {order, cut};
    }

    std::vector<std::size_t> top(const NetworkView& view, int limit) const {
        std::vector<std::size_t> order(view.weighted_degree.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        const auto& entities = view.profiled.network().entities;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return view.weighted_degree[a] != view.weighted_degree[b]
                       ? view.weighted_degree[a] > view.weighted_degree[b]
                       : entities[a].id < entities[b].id;
        });
        if (order.size() > static_cast<std::size_t>(limit)) {
            order.resize(static_cast<std::size_t>(limit));
        }
        return order;
    }

    const ProfileStage& stage;
    ViewerApiOptions options;
    int working_crs;
    ProfiledIncidents incidents;
    std::vector<std::size_t> incident_place;
    std::vector<Place> places;
    std::unordered_map<std::string, std::size_t> place_index;
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> place_at;
    store::NetworkEvidence evidence;
    std::string meta;
    mutable std::mutex mutex;
    mutable Lru<std::string> hotspot_cache;
    mutable Lru<std::shared_ptr<const NetworkView>> network_cache;
};

// ---- Answers --------------------------------------------------------------------------

ViewerApi::ViewerApi(const store::Store& store, const ProfileStage& stage, ViewerApiOptions options)
    : m_state(std::make_unique<State>(store, stage, std::move(options))) {}

ViewerApi::~ViewerApi() = default;

std::string ViewerApi::meta() const {
    return m_state->meta;
}

namespace {

int int_parameter(const QueryParameters& parameters, const std::string& name, int fallback, int low,
                  int high) {
    const auto found = parameters.find(name);
    if (found == parameters.end() || found->second.empty()) {
        return fallback;
    }
    const std::string& text = found->second;
    int value = 0;
    const bool digits = text.size() <= 6 && std::all_of(text.begin(), text.end(), [](char c) {
                            return c >= '0' && c <= '9';
                        });
    if (digits) {
        value = std::stoi(text);
    }
    if (!digits || value < low || value > high) {
        throw ApiError(400, "parameter " + name + " must be a whole number from " +
                                std::to_string(low) + " to " + std::to_string(high));
    }
    return value;
}

std::string text_parameter(const QueryParameters& parameters, const std::string& name) {
    const auto found = parameters.find(name);
    return found == parameters.end() ? std::string() : found->second;
}

struct Tally {
    std::int64_t incidents = 0;
    std::unordered_set<std::string> children;
    std::string first, last;

    void add(const store::Incident& incident) {
        ++incidents;
        if (!incident.child_id.empty()) {
            children.insert(incident.child_id);
        }
        const std::string d = day(incident.at);
        if (!d.empty() && (first.empty() || d < first)) {
            first = d;
        }
        if (d > last) {
            last = d;
        }
    }
};

} // namespace

std::string ViewerApi::incidents(const QueryParameters& parameters) const {
    const State& s = *m_state;
    s.require_records();
    const ViewerQuery query = parse_viewer_query(parameters);
    std::map<std::pair<std::size_t, std::string>, Tally> sites;
    std::map<std::string, Tally> by_role;
    Tally all;
    std::set<std::size_t> places;
    const auto& list = s.incidents.incidents();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const store::Incident& incident = list[i];
        if (!s.selects(query, incident)) {
            continue;
        }
        sites[{s.incident_place[i], incident.role}].add(incident);
        by_role[incident.role].add(incident);
        all.add(incident);
        places.insert(s.incident_place[i]);
    }
    std::vector<std::pair<const std::pair<std::size_t, std::string>*, const Tally*>> ordered;
    for (const auto& [key, tally] : sites) {
        ordered.emplace_back(&key, &tally);
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
        return a.second->incidents > b.second->incidents;
    });
    json out_sites = json::array();
    for (const auto& [key, tally] : ordered) {
        const Place& place = s.places[key->first];
        out_sites.push_back({{"place", place.id},
                             {"role", key->second},
                             {"lat", rounded(place.at.lat)},
                             {"lon", rounded(place.at.lon)},
                             {"label", place.label},
                             {"type", place.type},
                             {"incidents", tally->incidents},
                             {"children", tally->children.size()},
                             {"first", tally->first},
                             {"last", tally->last}});
    }
    json roles = json::object();
    for (const std::string& role : viewer_incident_roles) {
        const auto found = by_role.find(role);
        roles[role] = {{"incidents", found == by_role.end() ? 0 : found->second.incidents},
                       {"children", found == by_role.end() ? 0 : found->second.children.size()}};
    }
    return dump({{"incidents", all.incidents},
                 {"children", all.children.size()},
                 {"places", places.size()},
                 {"by_role", roles},
                 {"sites", std::move(out_sites)}});
}

std::string ViewerApi::hotspots(const QueryParameters& parameters) const {
    const State& s = *m_state;
    // `role` here is the one role analysed (or `all`), not a filter list.
    QueryParameters filters = parameters;
    filters.erase("role");
    const ViewerQuery query = parse_viewer_query(filters, {"count"});
    const std::string role_text =
        text_parameter(parameters, "role").empty() ? "all" : text_parameter(parameters, "role");
    if (role_text != "all" && std::find(viewer_incident_roles.begin(), viewer_incident_roles.end(),
                                        role_text) == viewer_incident_roles.end()) {
        throw ApiError(400, "parameter role must be from, found, visited, concern or all");
    }
    const std::string count_text = text_parameter(parameters, "count");
    if (!count_text.empty() && count_text != "episodes" && count_text != "children") {
        throw ApiError(400, "parameter count must be episodes or children");
    }
    const json empty = {{"type", "FeatureCollection"}, {"features", json::array()}};

    if (s.stage.profile() == Profile::partnership) {
        if (parameters.size() != parameters.count("role")) {
            throw ApiError(400, "the partnership profile shows the whole store only: counts of "
                                "two selections could be subtracted to reveal a suppressed cell");
        }
        if (role_text == "all") {
            throw ApiError(400, "the partnership profile shows one role at a time: a total "
                                "less the roles could reveal a suppressed cell");
        }
        const std::vector<AggregateCell> cells = s.stage.aggregate(s.incidents, role_text);
        const ToWgs84 wgs84(s.working_crs);
        json features = json::array();
        for (const AggregateCell& cell : cells) {
            json ring = json::array();
            for (const geo::Point& p : cell.corners) {
                ring.push_back(position(wgs84(p.x, p.y)));
            }
            if (!ring.empty()) {
                ring.push_back(ring.front());
            }
            const bool hidden = cell.suppression != AggregateCell::Suppression::none;
            features.push_back(
                {{"type", "Feature"},
                 {"geometry", {{"type", "Polygon"}, {"coordinates", json::array({ring})}}},
                 {"properties",
                  {{"episodes", hidden ? json(nullptr) : json(cell.episodes)},
                   {"children", hidden ? json(nullptr) : json(cell.children)},
                   {"suppressed",
                    cell.suppression == AggregateCell::Suppression::primary     ? "primary"
                    : cell.suppression == AggregateCell::Suppression::secondary ? "secondary"
                                                                                : ""}}}});
        }
        return dump({{"role", role_text},
                     {"clusters", empty},
                     {"gistar", empty},
                     {"density", nullptr},
                     {"cells", {{"type", "FeatureCollection"}, {"features", std::move(features)}}},
                     {"notes", json::array()}});
    }

    const std::string key = query.key() + "|" + role_text + "|" + count_text;
    {
        const std::lock_guard lock(s.mutex);
        if (auto cached = s.hotspot_cache.get(key)) {
            return *cached;
        }
    }
    ViewerQuery narrowed = query;
    if (role_text != "all") {
        narrowed.roles = {role_text};
    }
    const ProfiledIncidents selected =
        s.stage.subset(s.incidents, [&](const store::Incident& incident) {
            return s.selects(narrowed, incident);
        });
    HotspotConfig config = s.options.hotspots;
    config.filter = {};
    config.roles = {parse_hotspot_role(role_text)};
    config.union_only = true;
    config.points = false;
    if (!count_text.empty()) {
        config.count = parse_count_mode(count_text);
    }
    MemoryLayers layers(s.stage.profile(), s.working_crs);
    const std::string wanted = "density_" + role_text + "_" + std::string(to_string(config.count));
    json density = nullptr;
    const SurfaceSink surfaces = [&](Surface surface) {
        if (surface.name == wanted) {
            density = density_json(surface, s.working_crs,
                                   std::string(to_string(config.count)) + " per km²");
        }
    };
    const HotspotLayers written =
        write_hotspot_layers(selected, config, s.stage, layers, {}, s.working_crs, {}, surfaces);
    json gistar = layers.take("gistar_");
    // The names the page reads (docs/viewer-api.md), beside the layer's own.
    for (json& feature : gistar["features"]) {
        json& p = feature["properties"];
        p["bin"] = p.value("gi_bin", json(0));
        p["z"] = p.value("gi_z", json(nullptr));
        p["p"] = p.value("gi_p", json(nullptr));
    }
    std::unordered_set<std::string> children;
    for (const store::Incident& incident : selected.incidents()) {
        if (!incident.child_id.empty()) {
            children.insert(incident.child_id);
        }
    }
    json notes = json::array();
    for (const RoleSummary& summary : written.roles) {
        for (const std::string& note : summary.notes) {
            notes.push_back(note);
        }
    }
    const std::string answer = dump({{"role", role_text},
                                     {"incidents", selected.incidents().size()},
                                     {"children", children.size()},
                                     {"clusters", layers.take("clusters_")},
                                     {"gistar", std::move(gistar)},
                                     {"density", std::move(density)},
                                     {"cells", nullptr},
                                     {"notes", std::move(notes)}});
    const std::lock_guard lock(s.mutex);
    s.hotspot_cache.put(key, answer);
    return answer;
}

std::string ViewerApi::network(const QueryParameters& parameters) const {
    const State& s = *m_state;
    s.require_records();
    const ViewerQuery query = parse_viewer_query(parameters, {"focus", "hops", "limit"});
    const int limit =
        int_parameter(parameters, "limit", s.options.network_limit, 1, 5 * s.options.network_limit);
    const int hops = int_parameter(parameters, "hops", 2, 1, 4);
    const std::shared_ptr<const NetworkView> view = s.network_for(query);
    const std::string focus = text_parameter(parameters, "focus");
    if (focus.empty()) {
        const std::vector<std::size_t> chosen = s.top(*view, limit);
        return dump(
            s.graph_json(*view, chosen, chosen.size() < view->profiled.network().entities.size()));
    }
    const auto centre = view->profiled.network().find(focus);
    if (!centre) {
        throw ApiError(404, "no such entity in the network of this date range");
    }
    const auto [chosen, cut] = s.ego(*view, *centre, hops, limit);
    json graph = s.graph_json(*view, chosen, cut);
    graph["focus"] = focus;
    return dump(graph);
}

std::string ViewerApi::child(std::string_view id, const QueryParameters& parameters) const {
    const State& s = *m_state;
    s.require_records();
    const ViewerQuery query = parse_viewer_query(parameters);
    const std::shared_ptr<const NetworkView> view = s.network_for(query);
    const auto entity = view->profiled.network().find(std::string(id));

    struct EpisodeRow {
        const store::Incident* from = nullptr;
        const store::Incident* found = nullptr;
        std::size_t from_place = 0, found_place = 0;
        const store::Incident* any = nullptr;
    };
    std::map<std::string, EpisodeRow> episodes;
    std::map<std::pair<std::size_t, std::string>, Tally> places;
    bool known = entity.has_value();
    const auto& list = s.incidents.incidents();
    for (std::size_t i = 0; i < list.size(); ++i) {
        const store::Incident& incident = list[i];
        if (incident.child_id != id) {
            continue;
        }
        known = true;
        if (!s.selects(query, incident)) {
            continue;
        }
        places[{s.incident_place[i], incident.role}].add(incident);
        if (incident.episode_id.empty()) {
            continue;
        }
        EpisodeRow& row = episodes[incident.episode_id];
        row.any = row.any ? row.any : &incident;
        if (incident.role == "from") {
            row.from = &incident;
            row.from_place = s.incident_place[i];
        } else if (incident.role == "found") {
            row.found = &incident;
            row.found_place = s.incident_place[i];
        }
    }
    if (!known || id.empty()) {
        throw ApiError(404, "no such child (or none this profile may show)");
    }
    const auto place_ref = [&](std::size_t p) -> json {
        const Place& place = s.places[p];
        return {{"place", place.id},
                {"label", place.label},
                {"lat", rounded(place.at.lat)},
                {"lon", rounded(place.at.lon)}};
    };
    json out_episodes = json::array();
    for (const auto& [episode, row] : episodes) {
        const store::Incident& any = *row.any;
        out_episodes.push_back({{"episode", episode},
                                {"start", row.from ? row.from->at : any.at},
                                {"end", row.found ? row.found->at : ""},
                                {"setting", any.setting},
                                {"risk_grade", any.risk_grade},
                                {"from", row.from ? place_ref(row.from_place) : json(nullptr)},
                                {"found", row.found ? place_ref(row.found_place) : json(nullptr)}});
    }
    std::sort(out_episodes.begin(), out_episodes.end(),
              [](const json& a, const json& b) { return a["start"] < b["start"]; });
    json out_places = json::array();
    for (const auto& [key, tally] : places) {
        json ref = place_ref(key.first);
        ref["role"] = key.second;
        ref["incidents"] = tally.incidents;
        out_places.push_back(std::move(ref));
    }
    std::string label(id);
    json network = {{"nodes", json::array()}, {"links", json::array()}};
    if (entity) {
        const Entity& e = view->profiled.network().entities[*entity];
        label = e.label.empty() ? e.id : e.label;
        const auto [chosen, cut] = s.ego(*view, *entity, 2, s.options.network_limit);
        network = s.graph_json(*view, chosen, cut);
        network["focus"] = e.id;
    }
    return dump({{"id", std::string(id)},
                 {"label", label},
                 {"episodes", std::move(out_episodes)},
                 {"places", std::move(out_places)},
                 {"network", std::move(network)}});
}

std::string ViewerApi::place(std::string_view id, const QueryParameters& parameters) const {
    const State& s = *m_state;
    s.require_records();
    const ViewerQuery query = parse_viewer_query(parameters);
    const auto found = s.place_index.find(std::string(id));
    if (found == s.place_index.end()) {
        throw ApiError(404, "no such place");
    }
    const std::size_t p = found->second;
    const Place& place = s.places[p];
    const std::shared_ptr<const NetworkView> view = s.network_for(query);
    const Network& net = view->profiled.network();

    constexpr std::size_t max_rows = 500;
    std::vector<const store::Incident*> rows;
    std::map<std::string, std::int64_t> children;
    std::int64_t total = 0;
    const auto& list = s.incidents.incidents();
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (s.incident_place[i] != p || !s.selects(query, list[i])) {
            continue;
        }
        ++total;
        rows.push_back(&list[i]);
        if (!list[i].child_id.empty()) {
            ++children[list[i].child_id];
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
        return a->at > b->at; // newest first
    });
    json incidents = json::array();
    for (std::size_t i = 0; i < rows.size() && i < max_rows; ++i) {
        const store::Incident& r = *rows[i];
        incidents.push_back({{"role", r.role},
                             {"record", r.record_id},
                             {"episode", r.episode_id},
                             {"child", r.child_id},
                             {"at", r.at},
                             {"setting", r.setting},
                             {"risk_grade", r.risk_grade}});
    }
    const auto label_of = [&](const std::string& entity_id) {
        const auto e = net.find(entity_id);
        return e && !net.entities[*e].label.empty() ? net.entities[*e].label : entity_id;
    };
    json out_children = json::array();
    for (const auto& [child, count] : children) {
        out_children.push_back({{"id", child}, {"label", label_of(child)}, {"incidents", count}});
    }
    std::stable_sort(out_children.begin(), out_children.end(),
                     [](const json& a, const json& b) { return a["incidents"] > b["incidents"]; });

    json adults = json::array();
    json network = nullptr;
    if (const auto entity = view->entity_of_place.find(p); entity != view->entity_of_place.end()) {
        std::map<std::size_t, std::set<std::string>> linked;
        for (const auto& [other, link] : view->adjacent[entity->second]) {
            const EntityKind kind = net.entities[other].kind;
            if (kind == EntityKind::adult || kind == EntityKind::unidentified) {
                linked[other].insert(std::string(to_string(net.links[link].type)));
            }
        }
        for (const auto& [other, types] : linked) {
            const Entity& adult = net.entities[other];
            adults.push_back({{"id", adult.id},
                              {"label", adult.label.empty() ? adult.id : adult.label},
                              {"flags", adult.flags},
                              {"links", types}});
        }
        const auto [chosen, cut] = s.ego(*view, entity->second, 2, s.options.network_limit);
        network = s.graph_json(*view, chosen, cut);
        network["focus"] = net.entities[entity->second].id;
    }
    return dump({{"place", place.id},
                 {"label", place.label},
                 {"type", place.type},
                 {"lat", rounded(place.at.lat)},
                 {"lon", rounded(place.at.lon)},
                 {"total", total},
                 {"incidents", std::move(incidents)},
                 {"children", std::move(out_children)},
                 {"adults", std::move(adults)},
                 {"network", std::move(network)}});
}

} // namespace waymark
