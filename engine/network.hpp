#pragma once

// The peer and associate network (issue 6; design/PRODUCT.md "peer mapping"):
// who went missing with whom, who was with whom while missing, who named
// whom as a concern, which adults, places and vehicles CPI forms put around
// which children — each link with the records it rests on and how reliable
// they are, because a wrong link can label a child or an adult.
//
// build_network() adapts the store's records (store::NetworkEvidence) to
// entities and evidence-graded links, resolving mentions without ids with
// graph/resolution.hpp; measure_network() runs graph/measures.hpp on it;
// run_network() does both and writes the files of `waymark network`.

#include "engine/profile.hpp"
#include "engine/store/store.hpp"
#include "graph/measures.hpp"
#include "graph/resolution.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace waymark {

enum class EntityKind { child, adult, unidentified, place, vehicle };
std::string_view to_string(EntityKind kind);

struct Entity {
    /// Children and adults: their person id; unidentified people: "U-…";
    /// places: "place:<gazetteer key>", "point:<x>,<y>" (10 m) or
    /// "label:<normalised label>"; vehicles: "vehicle:<normalised VRM>".
    std::string id;
    EntityKind kind = EntityKind::child;
    std::string label;                 ///< a name, a place label, a VRM
    std::optional<model::Point> point; ///< places (working CRS)
    std::string place_type;            ///< places
    bool restricted = false;           ///< a restricted place (PRIVACY.md)
    std::vector<std::string> flags;    ///< person index flags: adult_of_concern, gang:…
    int mentions = 0;                  ///< mentions by name resolved to it
};

/// One record a link rests on.
struct LinkEvidence {
    std::string record; ///< episode_id, rhi_id or cpi_id
    std::string source; ///< "police record", "RHI", "CPI", "inferred"
    std::string date;   ///< UTC
    std::string detail; ///< "missing_with", "same_found", "with", "slept", "suspect/victim", …
    std::string grade_source, grade_intelligence, grade_handling; ///< CPI grading
    bool weak = false;               ///< CPI graded source 3 or intelligence E
    bool consent_restricted = false; ///< RHI without consent to share
    bool sensitive = false;          ///< RHI recording a sensitive disclosure
};

/// Link types, in the order docs/network.md explains them.
enum class LinkType {
    went_missing_with,   ///< stated on the police record (missing_with)
    co_missing,          ///< inferred from overlapping episodes or finds at one place
    with_during_episode, ///< RHI: who the child was with
    concern_named,       ///< RHI: people, young people and locations of concern
    cpi_mention,         ///< CPI: subjects named together; subjects and places
    found_at,            ///< person–place: found there
    stayed_at,           ///< person–place: slept there
    visited,             ///< person–place: went to or met someone there
    associated_vehicle,  ///< person–vehicle (CPI)
    possible_match,      ///< an unidentified person who may be a known one
};
std::string_view to_string(LinkType type);

struct Link {
    std::size_t a = 0; ///< entity indexes, a < b
    std::size_t b = 0;
    LinkType type = LinkType::went_missing_with;
    std::vector<LinkEvidence> evidence; ///< by date, then record
    double score = 0;                   ///< possible_match: the resolution score
    std::string first_date() const;
    std::string last_date() const;
    /// Every record it rests on is weak intelligence.
    bool weak() const;
    bool consent_restricted() const;
    /// Some record it rests on is CPI intelligence with handling code C
    /// (shared with conditions).
    bool handling_conditions() const;
};

/// The outcome of one mention without an id, for resolution.csv.
struct MentionOutcome {
    graph::NameMention mention;
    graph::MentionResolution resolution;
};

struct NetworkBuildParams {
    std::string since; ///< YYYY-MM-DD, inclusive: only evidence dated in the window
    std::string until;
    bool include_weak = true; ///< keep links resting only on 3/E intelligence
    /// co_missing: last seen (same from place, episodes overlapping) or
    /// returned (same found place) within this many hours of each other.
    double co_missing_hours = 6;
    graph::ResolutionParams resolution;
    std::vector<graph::Override> overrides;
};

struct Network {
    std::vector<Entity> entities;
    std::vector<Link> links;
    std::vector<MentionOutcome> mentions;
    std::unordered_map<std::string, std::size_t> index; ///< entity id → position

    /// Position of an entity, or nullopt.
    std::optional<std::size_t> find(const std::string& id) const;
};

Network build_network(const store::NetworkEvidence& evidence, const NetworkBuildParams& params);

/// The weight of a link in the measures: its type's weight (docs/network.md)
/// for each record, a quarter of it for weak intelligence; 0 for possible_match.
double link_weight(const Link& link);

struct NetworkMeasures {
    std::vector<double> degree, weighted_degree, betweenness, closeness, harmonic, eigenvector;
    std::vector<int> core, component, community;
    int components = 0;
    int communities = 0;
    double modularity = 0;
    bool betweenness_sampled = false;
    double betweenness_error = 0;
};

struct MeasureParams {
    std::uint64_t seed = 1;
    int threads = 0;
};

/// Measures over the whole network: entities are nodes; each pair of
/// entities is one edge whose weight sums its links' weights
/// (docs/network.md); possible_match links are not edges.
NetworkMeasures measure_network(const Network& network, const MeasureParams& params);

enum class NetworkFormat { gexf, graphml, anx, geojson, csv };
NetworkFormat parse_network_format(std::string_view text); ///< throws UsageError
std::string_view to_string(NetworkFormat format);

struct NetworkConfig {
    NetworkBuildParams build;
    MeasureParams measure;
    std::string ego; ///< an entity id: write only its ego network
    int hops = 2;
    std::vector<NetworkFormat> formats{NetworkFormat::gexf, NetworkFormat::graphml,
                                       NetworkFormat::anx, NetworkFormat::geojson,
                                       NetworkFormat::csv};
    std::filesystem::path overrides_file; ///< recorded with the run
    std::filesystem::path out;
};

struct NetworkResult {
    std::map<std::string, std::int64_t> entities; ///< by kind
    std::map<std::string, std::int64_t> links;    ///< by type
    std::int64_t mentions = 0, merged = 0, possible = 0, unmatched = 0, overridden = 0;
    std::int64_t nodes_written = 0, links_written = 0;
    int components = 0, communities = 0;
    double modularity = 0;
    bool betweenness_sampled = false;
    std::int64_t analysis_run = 0;
    std::vector<std::filesystem::path> files;
};

using NetworkProgress = std::function<void(std::string_view stage, double fraction)>;

} // namespace waymark
