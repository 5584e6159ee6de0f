// run_network: the files of `waymark network` — graph files (GEXF, GraphML,
// i2 ANX, CSV), the GeoPackage/GeoJSON network layers for QGIS, the
// resolution decisions and network.json — recorded in the store.

#include "engine/network_output.hpp"

#include "base/csv.hpp"
#include "base/error.hpp"
#include "engine/layer_writer.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/network.hpp"
#include "engine/output_files.hpp"
#include "engine/sha256.hpp"
#include "graph/writers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>

namespace waymark {
namespace {

using graph::AttributeDef;
using graph::Colour;
using graph::Value;
using Type = graph::AttributeDef::Type;

constexpr std::array<std::string_view, 5> format_names = {"gexf", "graphml", "anx", "geojson",
                                                          "csv"};

} // namespace

graph::Colour entity_colour(const Entity& e) {
    switch (e.kind) {
    case EntityKind::child:
        return {31, 119, 180};
    case EntityKind::adult:
        return std::find(e.flags.begin(), e.flags.end(), "adult_of_concern") != e.flags.end()
                   ? Colour{178, 24, 43}
                   : Colour{244, 109, 67};
    case EntityKind::unidentified:
        return {150, 150, 150};
    case EntityKind::place:
        return e.restricted ? Colour{0, 109, 44} : Colour{65, 171, 93};
    case EntityKind::vehicle:
        return {255, 127, 14};
    }
    return {};
}

namespace {

/// i2 icons: the writer's default for the kind (docs/formats-network.md),
/// except homes, placements and restricted places, drawn as houses.
std::string entity_icon(const Entity& e) {
    const bool house = e.kind == EntityKind::place &&
                       (e.place_type == "home" || e.place_type == "placement" || e.restricted);
    return house ? "House" : "";
}

} // namespace

graph::Colour link_colour(LinkType type) {
    static constexpr std::array<Colour, 10> colours = {{{31, 120, 180},
                                                        {166, 206, 227},
                                                        {51, 160, 44},
                                                        {227, 26, 28},
                                                        {106, 61, 154},
                                                        {178, 223, 138},
                                                        {253, 191, 111},
                                                        {202, 178, 214},
                                                        {255, 127, 0},
                                                        {153, 153, 153}}};
    return colours.at(static_cast<std::size_t>(type));
}

namespace {

/// i2's link strength from the evidence: stated and first-hand links are
/// confirmed; inferred ones and CPI intelligence not graded A or B
/// unconfirmed; weak intelligence and possible matches tentative.
std::string strength(const Link& link) {
    if (link.type == LinkType::possible_match || link.weak()) {
        return "tentative";
    }
    if (link.type == LinkType::co_missing) {
        return "unconfirmed";
    }
    if (link.type == LinkType::cpi_mention || link.type == LinkType::associated_vehicle) {
        const bool corroborated =
            std::any_of(link.evidence.begin(), link.evidence.end(), [](const LinkEvidence& e) {
                return e.grade_intelligence == "A" || e.grade_intelligence == "B";
            });
        return corroborated ? "confirmed" : "unconfirmed";
    }
    return "confirmed";
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const std::string& part : parts) {
        if (!out.empty()) {
            out += separator;
        }
        out += part;
    }
    return out;
}

std::string source_type(const std::string& source) {
    if (source == "RHI") {
        return "Return Home Interview";
    }
    if (source == "CPI") {
        return "CPI intelligence form";
    }
    if (source == "police record") {
        return "Police missing person record";
    }
    return source == "inferred" ? "Inferred by Waymark" : "Entity resolution";
}

graph::GraphDocument make_document(const ProfiledNetwork& profiled, const NetworkMeasures& measures,
                                   const std::vector<bool>& selected, const std::string& title,
                                   const std::string& generated_at,
                                   const std::vector<std::pair<std::string, std::string>>& meta) {
    const Network& net = profiled.network();
    graph::GraphDocument doc;
    doc.title = title;
    doc.description = "Peer and associate network: people, places and vehicles linked by police "
                      "records, Return Home Interviews and CPI forms, each link with the records "
                      "it rests on (docs/network.md).";
    doc.creator = "Waymark " WAYMARK_VERSION_STRING;
    doc.generated_at = generated_at;
    doc.metadata = meta;
    doc.node_attributes = {{"flags", "Flags", Type::text},
                           {"place_type", "Place type", Type::text},
                           {"restricted", "Restricted place", Type::boolean},
                           {"mentions", "Mentions by name", Type::integer},
                           {"degree", "Degree", Type::integer},
                           {"weighted_degree", "Weighted degree", Type::real},
                           {"betweenness", "Betweenness", Type::real},
                           {"closeness", "Closeness", Type::real},
                           {"harmonic", "Harmonic centrality", Type::real},
                           {"eigenvector", "Eigenvector centrality", Type::real},
                           {"core", "k-core", Type::integer},
                           {"component", "Component", Type::integer},
                           {"community", "Community", Type::integer}};
    doc.edge_attributes = {{"first_date", "First date", Type::text},
                           {"last_date", "Last date", Type::text},
                           {"count", "Record count", Type::integer},
                           {"records", "Source records", Type::text},
                           {"weak", "Weak intelligence only", Type::boolean},
                           {"consent_restricted", "RHI without consent to share", Type::boolean},
                           {"handling_conditions", "CPI handling code C", Type::boolean},
                           {"score", "Match score", Type::real}};
    for (std::size_t i = 0; i < net.entities.size(); ++i) {
        if (!selected[i]) {
            continue;
        }
        const Entity& e = net.entities[i];
        graph::DocNode node;
        node.id = e.id;
        node.label = e.label;
        node.type = std::string(to_string(e.kind));
        node.icon = entity_icon(e);
        node.colour = entity_colour(e);
        node.size = 1.0 + measures.degree[i];
        node.values.emplace_back(Value(join(e.flags, ";")));
        node.values.emplace_back(e.kind == EntityKind::place ? std::optional(Value(e.place_type))
                                                             : std::nullopt);
        node.values.emplace_back(e.kind == EntityKind::place ? std::optional(Value(e.restricted))
                                                             : std::nullopt);
        node.values.emplace_back(Value(static_cast<std::int64_t>(e.mentions)));
        node.values.emplace_back(Value(static_cast<std::int64_t>(measures.degree[i])));
        node.values.emplace_back(Value(measures.weighted_degree[i]));
        node.values.emplace_back(Value(measures.betweenness[i]));
        node.values.emplace_back(Value(measures.closeness[i]));
        node.values.emplace_back(Value(measures.harmonic[i]));
        node.values.emplace_back(Value(measures.eigenvector[i]));
        node.values.emplace_back(Value(static_cast<std::int64_t>(measures.core[i])));
        node.values.emplace_back(Value(static_cast<std::int64_t>(measures.component[i])));
        node.values.emplace_back(Value(static_cast<std::int64_t>(measures.community[i])));
        doc.nodes.push_back(std::move(node));
    }
    for (std::size_t k = 0; k < net.links.size(); ++k) {
        const Link& l = net.links[k];
        if (!selected[l.a] || !selected[l.b]) {
            continue;
        }
        graph::DocEdge edge;
        edge.id = "L" + std::to_string(k + 1);
        edge.source = net.entities[l.a].id;
        edge.target = net.entities[l.b].id;
        edge.type = std::string(to_string(l.type));
        edge.label = edge.type + " ×" + std::to_string(l.evidence.size());
        edge.weight = l.type == LinkType::possible_match ? l.score : link_weight(l);
        edge.strength = strength(l);
        edge.colour = link_colour(l.type);
        std::vector<std::string> records;
        for (const LinkEvidence& e : l.evidence) {
            if (records.empty() || records.back() != e.record) {
                records.push_back(e.record);
            }
            graph::Card card;
            card.summary = e.source + " " + e.record + ": " + e.detail;
            card.date = e.date;
            card.source_reference = e.record;
            card.source_type = source_type(e.source);
            card.grade_source = e.grade_source;
            card.grade_intelligence = e.grade_intelligence;
            card.grade_handling = e.grade_handling;
            edge.cards.push_back(std::move(card));
        }
        edge.values.emplace_back(Value(l.first_date()));
        edge.values.emplace_back(Value(l.last_date()));
        edge.values.emplace_back(Value(static_cast<std::int64_t>(l.evidence.size())));
        edge.values.emplace_back(Value(join(records, ";")));
        edge.values.emplace_back(Value(l.weak()));
        edge.values.emplace_back(Value(l.consent_restricted()));
        edge.values.emplace_back(Value(l.handling_conditions()));
        edge.values.emplace_back(l.type == LinkType::possible_match ? std::optional(Value(l.score))
                                                                    : std::nullopt);
        doc.edges.push_back(std::move(edge));
    }
    return doc;
}

/// Where each entity is drawn on a map, as the place entity it is drawn at:
/// a place at itself; anyone else at the place their links to places rest on
/// most records of (ties: the first place by id); nowhere for an entity the
/// profile does not let be placed.
std::vector<std::optional<std::size_t>> placed_at(const ProfiledNetwork& profiled) {
    const Network& net = profiled.network();
    std::vector<std::optional<std::size_t>> at(net.entities.size());
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> records; // (entity, place) → count
    for (std::size_t i = 0; i < net.entities.size(); ++i) {
        if (net.entities[i].kind == EntityKind::place && net.entities[i].point) {
            at[i] = i;
        }
    }
    for (const Link& l : net.links) {
        for (const auto& [self, other] : {std::pair(l.a, l.b), std::pair(l.b, l.a)}) {
            const Entity& o = net.entities[other];
            if (net.entities[self].kind != EntityKind::place && o.kind == EntityKind::place &&
                o.point && profiled.placeable(self)) {
                records[{self, other}] += l.evidence.size();
            }
        }
    }
    std::vector<std::size_t> best(net.entities.size(), 0);
    for (const auto& [key, count] : records) {
        const auto [self, place] = key;
        if (count > best[self] ||
            (count == best[self] && net.entities[place].id < net.entities[*at[self]].id)) {
            best[self] = count;
            at[self] = place;
        }
    }
    return at;
}

} // namespace

void write_network_layers(const NetworkAnalysis& analysis, const ProfileStage& stage,
                          LayerWriter& writer) {
    const ProfiledNetwork& profiled = analysis.network;
    const Network& net = profiled.network();
    const NetworkMeasures& measures = analysis.measures;
    const std::vector<bool>& selected = analysis.selected;
    const auto at = placed_at(profiled);
    const auto point = [&net](std::size_t place) {
        const model::Point p = *net.entities[place].point;
        return geo::Point{p.x, p.y};
    };
    LayerDescription nodes;
    nodes.name = "network_nodes";
    nodes.title = "Network: people, places and vehicles";
    nodes.abstract = "Every entity of the peer network that has a position: places at their own "
                     "point, people and vehicles at the place their links to places rest on most "
                     "records of (placed_at). Measures as in the graph files.";
    nodes.geometry = LayerDescription::Geometry::point;
    nodes.fields = {
        {"entity", LayerField::Type::text},      {"label", LayerField::Type::text},
        {"kind", LayerField::Type::text},        {"placed_at", LayerField::Type::text},
        {"degree", LayerField::Type::integer},   {"betweenness", LayerField::Type::real},
        {"eigenvector", LayerField::Type::real}, {"community", LayerField::Type::integer},
        {"component", LayerField::Type::integer}};
    std::vector<LayerFeature> features;
    for (std::size_t i = 0; i < net.entities.size(); ++i) {
        if (!selected[i] || !at[i]) {
            continue;
        }
        const Entity& e = net.entities[i];
        LayerFeature f;
        f.rings = {{point(*at[i])}};
        f.values.emplace_back(e.id);
        f.values.emplace_back(e.label);
        f.values.emplace_back(std::string(to_string(e.kind)));
        f.values.emplace_back(net.entities[*at[i]].id);
        f.values.emplace_back(static_cast<std::int64_t>(measures.degree[i]));
        f.values.emplace_back(measures.betweenness[i]);
        f.values.emplace_back(measures.eigenvector[i]);
        f.values.emplace_back(static_cast<std::int64_t>(measures.community[i]));
        f.values.emplace_back(static_cast<std::int64_t>(measures.component[i]));
        features.push_back(std::move(f));
    }
    writer.write(stage.approve(nodes, features));

    LayerDescription links;
    links.name = "network_links";
    links.title = "Network: links";
    links.abstract = "Links between entities that both have a position, drawn as straight lines; "
                     "type, dates, record count and grading as in the graph files.";
    links.geometry = LayerDescription::Geometry::line;
    links.fields = {
        {"link", LayerField::Type::text},      {"source", LayerField::Type::text},
        {"target", LayerField::Type::text},    {"type", LayerField::Type::text},
        {"count", LayerField::Type::integer},  {"first_date", LayerField::Type::text},
        {"last_date", LayerField::Type::text}, {"strength", LayerField::Type::text},
        {"weak", LayerField::Type::integer},   {"handling_c", LayerField::Type::integer}};
    std::vector<LayerFeature> lines;
    for (std::size_t k = 0; k < net.links.size(); ++k) {
        const Link& l = net.links[k];
        if (!selected[l.a] || !selected[l.b] || !at[l.a] || !at[l.b] || *at[l.a] == *at[l.b]) {
            continue;
        }
        LayerFeature f;
        f.rings = {{point(*at[l.a]), point(*at[l.b])}};
        f.values.emplace_back("L" + std::to_string(k + 1));
        f.values.emplace_back(net.entities[l.a].id);
        f.values.emplace_back(net.entities[l.b].id);
        f.values.emplace_back(std::string(to_string(l.type)));
        f.values.emplace_back(static_cast<std::int64_t>(l.evidence.size()));
        f.values.emplace_back(l.first_date());
        f.values.emplace_back(l.last_date());
        f.values.emplace_back(strength(l));
        f.values.emplace_back(static_cast<std::int64_t>(l.weak() ? 1 : 0));
        f.values.emplace_back(static_cast<std::int64_t>(l.handling_conditions() ? 1 : 0));
        lines.push_back(std::move(f));
    }
    writer.write(stage.approve(links, lines));
}

namespace {

std::string outcome_name(graph::Outcome outcome) {
    switch (outcome) {
    case graph::Outcome::merged:
        return "merged";
    case graph::Outcome::possible:
        return "possible";
    case graph::Outcome::unmatched:
        return "unmatched";
    }
    return "";
}

/// "name_exact +4.00 (the same name 'samuel bailey'); linked +3.41 (…)": the
/// code first, so that no cell starts with a sign a spreadsheet would run.
std::string reasons_text(const std::vector<graph::MatchReason>& reasons) {
    std::string out;
    for (const graph::MatchReason& r : reasons) {
        char weight[32];
        std::snprintf(weight, sizeof weight, "%+.2f", r.weight);
        out += (out.empty() ? "" : "; ");
        out += r.code;
        out += ' ';
        out += weight;
        if (!r.detail.empty()) {
            out += " (" + r.detail + ")";
        }
    }
    return out;
}

/// Every mention without an id and what resolution made of it, for the
/// analyst to check and correct through the overrides file.
void write_resolution_csv(const Network& net, std::ostream& out) {
    out << "mention,record,name,kind,outcome,entity,score,reasons,possible,overridden\r\n";
    for (const MentionOutcome& m : net.mentions) {
        const auto& r = m.resolution;
        std::string possible;
        for (const graph::Match& match : r.possible) {
            char score[16];
            std::snprintf(score, sizeof score, "%.2f", match.score);
            possible += (possible.empty() ? "" : ";") + match.person_id + " " + score;
        }
        char score[16] = "";
        if (r.match) {
            std::snprintf(score, sizeof score, "%.3f", r.match->score);
        }
        const std::string kind =
            m.mention.kind ? (*m.mention.kind == model::PersonKind::child ? "child" : "adult") : "";
        out << csv::cell(m.mention.key) << ',' << csv::cell(m.mention.record) << ','
            << csv::cell(m.mention.name) << ',' << kind << ',' << outcome_name(r.outcome) << ','
            << csv::cell(r.entity) << ',' << score << ','
            << csv::cell(r.match ? reasons_text(r.match->reasons) : std::string()) << ','
            << csv::cell(possible) << ',' << (r.overridden ? "true" : "false") << "\r\n";
    }
}

} // namespace

NetworkFormat parse_network_format(std::string_view text) {
    for (std::size_t i = 0; i < format_names.size(); ++i) {
        if (format_names[i] == text) {
            return static_cast<NetworkFormat>(i);
        }
    }
    throw UsageError("--format: '" + std::string(text) +
                     "' is not one of gexf, graphml, anx, geojson, csv");
}

std::string_view to_string(NetworkFormat format) {
    return format_names.at(static_cast<std::size_t>(format));
}

NetworkAnalysis analyse_network(const store::NetworkEvidence& evidence, const NetworkConfig& config,
                                const ProfileStage& stage, const NetworkProgress& progress) {
    const auto report = [&progress](std::string_view name, double fraction) {
        if (progress) {
            progress(name, fraction);
        }
    };
    report("resolving names and linking", 0.2);
    ProfiledNetwork profiled = stage.network(build_network(evidence, config.build), evidence);
    report("measuring", 0.5);
    NetworkMeasures measures = measure_network(profiled.network(), config.measure);
    const Network& net = profiled.network();

    // The entities written: all, or the ego network of --ego (given by its
    // source id or, for a pseudonymised profile, by its pseudonym).
    std::vector<bool> selected(net.entities.size(), config.ego.empty());
    if (!config.ego.empty()) {
        auto centre = net.find(stage.id(config.ego));
        if (!centre) {
            centre = net.find(config.ego);
        }
        if (!centre) {
            throw UsageError("--ego " + config.ego +
                             ": no entity of the network has this id (ids are person ids such as "
                             "C-000123 or P-000009, U-… for unidentified people, place:<key>, "
                             "point:<x>,<y>, label:<text> and vehicle:<VRM>; see nodes.csv)");
        }
        std::vector<graph::Edge> edges;
        for (const Link& l : net.links) {
            edges.push_back(
                {static_cast<graph::NodeId>(l.a), static_cast<graph::NodeId>(l.b), 1.0});
        }
        const graph::Graph all(net.entities.size(), edges);
        for (const graph::NodeId v :
             graph::within_hops(all, static_cast<graph::NodeId>(*centre), config.hops)) {
            selected[v] = true;
        }
    }
    return {std::move(profiled), std::move(measures), std::move(selected)};
}

void add_network_build_parameters(nlohmann::json& parameters, const NetworkBuildParams& build,
                                  const std::filesystem::path& overrides_file) {
    parameters["since"] = build.since;
    parameters["until"] = build.until;
    parameters["include_weak"] = build.include_weak;
    parameters["co_missing_hours"] = build.co_missing_hours;
    parameters["merge_threshold"] = build.resolution.merge_threshold;
    parameters["possible_threshold"] = build.resolution.possible_threshold;
    parameters["overrides"] = overrides_file.string();
    parameters["overrides_count"] = build.overrides.size();
}

std::string network_parameters(const NetworkConfig& config) {
    nlohmann::json parameters = {
        {"ego", config.ego},
        {"hops", config.hops},
        {"seed", config.measure.seed},
    };
    add_network_build_parameters(parameters, config.build, config.overrides_file);
    nlohmann::json formats = nlohmann::json::array();
    for (const NetworkFormat f : config.formats) {
        formats.push_back(std::string(to_string(f)));
    }
    parameters["formats"] = formats;
    return parameters.dump();
}

std::vector<std::filesystem::path> write_network_files(const NetworkAnalysis& analysis,
                                                       const NetworkConfig& config,
                                                       const ProfileStage& stage,
                                                       const std::filesystem::path& dir,
                                                       const std::string& generated_at) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) {
        throw IoError("cannot create " + dir.string() + ": " + error.message());
    }
    std::vector<std::pair<std::string, std::string>> meta;
    for (const auto& item : stage.metadata()) {
        meta.emplace_back(item);
    }
    meta.emplace_back("parameters", network_parameters(config));
    const std::string title =
        config.ego.empty() ? "Waymark peer network" : "Waymark ego network of " + config.ego;
    const graph::GraphDocument doc = make_document(analysis.network, analysis.measures,
                                                   analysis.selected, title, generated_at, meta);
    std::vector<std::filesystem::path> files;
    for (const NetworkFormat format : config.formats) {
        switch (format) {
        case NetworkFormat::gexf:
            files.push_back(write_output_file(dir / "network.gexf",
                                              [&](std::ostream& o) { graph::write_gexf(doc, o); }));
            break;
        case NetworkFormat::graphml:
            files.push_back(write_output_file(
                dir / "network.graphml", [&](std::ostream& o) { graph::write_graphml(doc, o); }));
            break;
        case NetworkFormat::anx:
            files.push_back(write_output_file(dir / "network.anx",
                                              [&](std::ostream& o) { graph::write_anx(doc, o); }));
            break;
        case NetworkFormat::csv:
            files.push_back(write_output_file(
                dir / "nodes.csv", [&](std::ostream& o) { graph::write_csv_nodes(doc, o); }));
            files.push_back(write_output_file(
                dir / "edges.csv", [&](std::ostream& o) { graph::write_csv_edges(doc, o); }));
            break;
        case NetworkFormat::geojson:
            break; // layers: write_network_layers()
        }
    }
    // The names mentioned and what resolution made of them are for the
    // analyst who corrects them; no other profile sees names.
    if (stage.profile() == Profile::analyst) {
        files.push_back(write_output_file(dir / "resolution.csv", [&](std::ostream& o) {
            write_resolution_csv(analysis.network.network(), o);
        }));
    }
    return files;
}

void require_network_profile(Profile profile) {
    if (profile == Profile::partnership) {
        throw UsageError("network --profile partnership: the partnership profile gets "
                         "aggregates only, never the network itself; 'waymark export --profile "
                         "partnership' writes the network's counts with small numbers suppressed");
    }
}

NetworkResult run_network(store::Store& store, const NetworkConfig& config,
                          const ProfileStage& stage, const NetworkProgress& progress) {
    require_network_profile(stage.profile());
    const auto report = [&progress](std::string_view name, double fraction) {
        if (progress) {
            progress(name, fraction);
        }
    };
    const std::string started_at = model::format_timestamp(model::now_utc());
    report("reading the records", 0.0);
    const store::NetworkEvidence evidence = store.network_evidence();
    const NetworkAnalysis analysis = analyse_network(evidence, config, stage, progress);
    const Network& net = analysis.network.network();
    const NetworkMeasures& measures = analysis.measures;

    report("writing", 0.8);
    NetworkResult result;
    result.files = write_network_files(analysis, config, stage, config.out, started_at);
    if (std::find(config.formats.begin(), config.formats.end(), NetworkFormat::geojson) !=
        config.formats.end()) {
        std::map<std::string, std::string> layer_meta = stage.metadata();
        layer_meta["parameters"] = network_parameters(config);
        layer_meta["generated_at"] = started_at;
        layer_meta["generator"] = "Waymark network";
        LayerWriter writer(config.out, "network", store.working_crs(), stage.profile(), layer_meta);
        write_network_layers(analysis, stage, writer);
        for (auto& file : writer.close()) {
            result.files.push_back(std::move(file));
        }
    }

    for (const Entity& e : net.entities) {
        ++result.entities[std::string(to_string(e.kind))];
    }
    for (const Link& l : net.links) {
        ++result.links[std::string(to_string(l.type))];
    }
    for (const MentionOutcome& m : net.mentions) {
        ++result.mentions;
        result.merged += m.resolution.outcome == graph::Outcome::merged ? 1 : 0;
        result.possible += m.resolution.outcome == graph::Outcome::possible ? 1 : 0;
        result.unmatched += m.resolution.outcome == graph::Outcome::unmatched ? 1 : 0;
        result.overridden += m.resolution.overridden ? 1 : 0;
    }
    result.nodes_written = std::count(analysis.selected.begin(), analysis.selected.end(), true);
    result.links_written = std::count_if(net.links.begin(), net.links.end(), [&](const Link& l) {
        return analysis.selected[l.a] && analysis.selected[l.b];
    });
    result.components = measures.components;
    result.communities = measures.communities;
    result.modularity = measures.modularity;
    result.betweenness_sampled = measures.betweenness_sampled;

    report("recording the run", 0.95);
    const std::string profile(to_string(stage.profile()));
    nlohmann::json files = nlohmann::json::object();
    for (const std::filesystem::path& file : result.files) {
        files[std::filesystem::relative(file, config.out).string()] = sha256_of_file(file);
    }
    nlohmann::json withheld = nlohmann::json::object();
    for (const auto& [key, value] : stage.withheld(analysis.network.counts())) {
        withheld[key] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    }
    nlohmann::json summary = {
        {"entities", result.entities},
        {"links", result.links},
        {"mentions",
         {{"total", result.mentions},
          {"merged", result.merged},
          {"possible", result.possible},
          {"unmatched", result.unmatched},
          {"overridden", result.overridden}}},
        {"written", {{"nodes", result.nodes_written}, {"links", result.links_written}}},
        {"components", result.components},
        {"communities", result.communities},
        {"modularity", result.modularity},
        {"withheld", withheld},
        {"betweenness",
         {{"sampled", measures.betweenness_sampled}, {"error_bound", measures.betweenness_error}}}};
    const nlohmann::json parameters = nlohmann::json::parse(network_parameters(config));
    result.analysis_run =
        store.record_analysis({"network", profile, started_at, parameters.dump(), files.dump()});
    const nlohmann::json run = {{"profile", profile},       {"generated_at", started_at},
                                {"parameters", parameters}, {"summary", summary},
                                {"files", files},           {"analysis_run", result.analysis_run}};
    result.files.push_back(write_output_file(config.out / "network.json",
                                             [&](std::ostream& o) { o << run.dump(2) << '\n'; }));
    report("done", 1.0);
    return result;
}

} // namespace waymark
