#include "engine/export.hpp"

#include "base/error.hpp"
#include "engine/export_qgis.hpp"
#include "engine/layer_writer.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/network_output.hpp"
#include "engine/output_files.hpp"
#include "engine/sha256.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <system_error>

namespace waymark {
namespace {

namespace fs = std::filesystem;

nlohmann::json counts_json(const std::map<std::string, std::optional<std::int64_t>>& counts) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : counts) {
        j[key] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    }
    return j;
}

fs::path write_json(const fs::path& path, const nlohmann::json& json) {
    std::ofstream out(path, std::ios::binary);
    out << json.dump(2) << '\n';
    out.close();
    if (!out) {
        throw IoError("cannot write " + path.string());
    }
    return path;
}

} // namespace

ExportResult run_export(store::Store& store, const ExportConfig& config, const ProfileStage& stage,
                        const ExportProgress& progress) {
    const auto report = [&progress](std::string_view name, double fraction) {
        if (progress) {
            progress(name, fraction);
        }
    };
    const std::string started_at = model::format_timestamp(model::now_utc());
    const std::string profile(to_string(stage.profile()));
    prepare_output_folder(config.out, "export", "bundle");

    HotspotConfig hotspots = config.hotspots;
    hotspots.out = config.out;
    hotspots.points = true;
    NetworkConfig network = config.network;
    network.out = config.out / "network";
    network.formats = {NetworkFormat::gexf, NetworkFormat::graphml, NetworkFormat::anx,
                       NetworkFormat::csv};

    report("reading incidents", 0.0);
    const ProfiledIncidents incidents = select_incidents(store, hotspots, stage);
    const auto [first_day, last_day] = data_window(incidents, hotspots);
    const nlohmann::json hotspot_parameters_object =
        nlohmann::json::parse(hotspot_parameters(hotspots));
    const nlohmann::json network_parameters_object =
        nlohmann::json::parse(network_parameters(network));

    std::map<std::string, std::string> common = stage.metadata();
    common.insert({{"generator", "Waymark export"},
                   {"software", "Waymark " WAYMARK_VERSION_STRING},
                   {"data_window", first_day + "/" + last_day},
                   {"generated_at", started_at}});
    if (!config.area_name.empty()) {
        common["area"] = config.area_name;
    }
    LayerWriter layers(config.out, "waymark", store.working_crs(), stage.profile(), common);

    // Hotspots: 0 – 60 %; the network: 60 – 90 %; the rest: the files.
    const HotspotLayers written = write_hotspot_layers(
        incidents, hotspots, stage, layers, common, store.working_crs(),
        [&report](std::string_view name, double fraction) { report(name, 0.6 * fraction); });

    report("reading the network's records", 0.6);
    const store::NetworkEvidence evidence = store.network_evidence();
    nlohmann::json network_summary = nlohmann::json::object();
    std::vector<fs::path> graph_files;
    if (stage.profile() == Profile::partnership) {
        network_summary["counts"] =
            counts_json(stage.network_summary(build_network(evidence, network.build), evidence));
    } else {
        const NetworkAnalysis analysis = analyse_network(
            evidence, network, stage, [&report](std::string_view name, double fraction) {
                report(name, 0.6 + 0.3 * fraction);
            });
        write_network_layers(analysis, stage, layers);
        graph_files = write_network_files(analysis, network, stage, network.out, started_at);
        const Network& net = analysis.network.network();
        std::map<std::string, std::int64_t> entities;
        std::map<std::string, std::int64_t> links;
        for (const Entity& e : net.entities) {
            ++entities[std::string(to_string(e.kind))];
        }
        for (const Link& l : net.links) {
            ++links[std::string(to_string(l.type))];
        }
        network_summary["entities"] = entities;
        network_summary["links"] = links;
        network_summary["components"] = analysis.measures.components;
        network_summary["communities"] = analysis.measures.communities;
        network_summary["withheld"] = counts_json(stage.withheld(analysis.network.counts()));
    }

    report("writing the QGIS project", 0.9);
    const std::vector<WrittenLayer> layer_list = layers.layers();
    std::vector<fs::path> files = layers.close();
    if (layer_list.empty() && written.rasters.empty()) {
        std::string reasons;
        for (const RoleSummary& summary : written.roles) {
            for (const std::string& note : summary.notes) {
                reasons += "\n  " + summary.role + ": " + note;
            }
        }
        throw InputError("export: nothing could be exported:" + reasons);
    }
    const QgisFiles qgis =
        write_qgis_files(config.out, layers.geopackage(), layer_list, written.rasters, stage,
                         store.working_crs(), config.area_name);
    files.insert(files.end(), written.rasters.begin(), written.rasters.end());
    files.insert(files.end(), qgis.files.begin(), qgis.files.end());
    files.insert(files.end(), graph_files.begin(), graph_files.end());

    // The manifest: what the bundle is, for whom, from what, and a checksum
    // of every file so that a copy can be checked.
    nlohmann::json file_list = nlohmann::json::object();
    for (const fs::path& file : files) {
        file_list[fs::relative(file, config.out).generic_string()] = sha256_of_file(file);
    }
    nlohmann::json layer_json = nlohmann::json::array();
    for (const WrittenLayer& layer : layer_list) {
        layer_json.push_back({{"name", layer.description.name},
                              {"title", layer.description.title},
                              {"features", layer.features}});
    }
    nlohmann::json roles = nlohmann::json::array();
    for (const RoleSummary& summary : written.roles) {
        nlohmann::json role = {{"role", summary.role}};
        const auto put = [&](const char* key, std::int64_t value) {
            const auto shown = stage.count(value);
            role[key] = shown ? nlohmann::json(*shown) : nlohmann::json(nullptr);
        };
        put("incidents", summary.incidents);
        if (stage.profile() != Profile::partnership) {
            put("children", summary.children);
        }
        role["notes"] = summary.notes;
        roles.push_back(std::move(role));
    }
    nlohmann::json manifest = {
        {"generator", "Waymark export"},
        {"software", "Waymark " WAYMARK_VERSION_STRING},
        {"profile", profile},
        {"profile_rules", stage.metadata()},
        {"generated_at", started_at},
        {"working_crs", "EPSG:" + std::to_string(store.working_crs())},
        {"area", config.area_name},
        {"data_window", {{"first", first_day}, {"last", last_day}}},
        {"parameters",
         {{"hotspots", hotspot_parameters_object}, {"network", network_parameters_object}}},
        {"records",
         {{"hotspot_roles", roles},
          {"withheld", counts_json(stage.withheld(incidents.counts()))},
          {"network", network_summary}}},
        {"layers", layer_json},
        {"rasters", written.rasters.size()},
        {"project", qgis.project.empty() ? "" : fs::relative(qgis.project, config.out).string()},
        {"files", file_list}};

    report("recording the run", 0.98);
    const nlohmann::json parameters = {{"out", config.out.string()},
                                       {"hotspots", hotspot_parameters_object},
                                       {"network", network_parameters_object}};
    ExportResult result;
    result.analysis_run =
        store.record_analysis({"export", profile, started_at, parameters.dump(), file_list.dump()});
    manifest["analysis_run"] = result.analysis_run;
    files.push_back(write_json(config.out / "manifest.json", manifest));
    result.files = std::move(files);
    result.layers = static_cast<std::int64_t>(layer_list.size());
    result.rasters = static_cast<std::int64_t>(written.rasters.size());
    report("done", 1.0);
    return result;
}

} // namespace waymark
