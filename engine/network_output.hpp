#pragma once

// The outputs of the peer network (`waymark network`, and the network part of
// `waymark export`): the network after the profile stage, measured, written
// as graph files and map layers.

#include "engine/layer_writer.hpp"
#include "engine/network.hpp"
#include "engine/profile_stage.hpp"
#include "graph/document.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace waymark {

/// The colour an entity is drawn in (graph files and map styles): by kind,
/// adults of concern and restricted places darker.
graph::Colour entity_colour(const Entity& entity);
/// The colour of a link type (graph files and map styles).
graph::Colour link_colour(LinkType type);

/// The network through the profile stage, measured, with the entities to
/// write (all, or the ego network of config.ego).
struct NetworkAnalysis {
    ProfiledNetwork network;
    NetworkMeasures measures;
    std::vector<bool> selected;
};

/// Builds the network from `evidence`, passes it through `stage` and
/// measures it. Throws UsageError for an --ego that is not an entity and for
/// the partnership profile (ProfileStage::network).
NetworkAnalysis analyse_network(const store::NetworkEvidence& evidence, const NetworkConfig& config,
                                const ProfileStage& stage, const NetworkProgress& progress = {});

/// Writes the graph files of config.formats (and, for analyst,
/// resolution.csv) into `dir`; returns them.
std::vector<std::filesystem::path> write_network_files(const NetworkAnalysis& analysis,
                                                       const NetworkConfig& config,
                                                       const ProfileStage& stage,
                                                       const std::filesystem::path& dir,
                                                       const std::string& generated_at);

/// Writes the network_nodes and network_links layers.
void write_network_layers(const NetworkAnalysis& analysis, const ProfileStage& stage,
                          LayerWriter& writer);

/// The run's parameters as a JSON object (text), for metadata and the store.
std::string network_parameters(const NetworkConfig& config);

/// The network build's parameters (window, weak intelligence, co-missing
/// hours, resolution thresholds, overrides), added to `parameters`: what
/// every run that builds the network records (network, disrupt).
void add_network_build_parameters(nlohmann::json& parameters, const NetworkBuildParams& build,
                                  const std::filesystem::path& overrides_file);

/// Throws UsageError for a profile that gets no network (partnership).
void require_network_profile(Profile profile);

/// Builds, measures and writes the network through `stage`. Throws
/// UsageError for an --ego that is not an entity or the partnership profile,
/// InputError for outputs that cannot be made.
NetworkResult run_network(store::Store& store, const NetworkConfig& config,
                          const ProfileStage& stage, const NetworkProgress& progress = {});

} // namespace waymark
