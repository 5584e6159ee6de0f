#pragma once

// `waymark disrupt` (issue 9): adults, places and vehicles ranked by how much
// disrupting them would protect children, each with its evidence and a
// protection and disruption plan skeleton in the structure of seed 001,
// Appendix 7 (docs/disrupt.md explains every score).
//
// For each candidate target (adults; unidentified people named as a concern;
// places other than homes, placements and restricted places; vehicles) of the
// peer network (engine/network.hpp), linked to at least one child:
//   children       distinct children linked to it (directly; vehicles and
//                  adults also through each other);
//   risk           Σ child risk (1 + police risk grade + CSE + CCE + repeat
//                  episodes) × the link's type weight, a quarter for weak
//                  intelligence, a half through another entity;
//   fragmentation  the share of child-to-adult-of-concern connections (chains
//                  of at most two links, public hubs and weak-only links left
//                  out) cut when the target alone is removed: Borgatti's
//                  KPP-Neg restricted to those pairs (graph/key_players.hpp);
//   key_player     whether it belongs to the best set of `top` targets
//                  (greedy selection with swaps), reported beside the score;
//   hotspot        a place where at least hotspot_min_children distinct
//                  children were found or visited;
//   concern        what the records say of the target itself (flagged,
//                  named as a concern, CPI suspect, address of concern).
// The score combines them with DisruptWeights (docs/disrupt.md).
//
// rank_disruption_targets() computes without writing; run_disrupt() writes
// disruption.csv, disruption-plan.csv, disruption-plan.md,
// disruption-plan.html and disruption.json and records the run in the store.
// Everything goes through the profile stage first: analyst and panel only.

#include "engine/network.hpp"
#include "engine/profile_stage.hpp"
#include "engine/store/store.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

/// The weights of the combined score (docs/disrupt.md). Each term is scaled
/// to 0..1 by the largest value among the candidates before weighting.
struct DisruptWeights {
    double risk = 0.25;          ///< log(1 + risk), scaled
    double children = 0.10;      ///< log(1 + children), scaled
    double fragmentation = 0.30; ///< scaled by the largest
    double hotspot = 0.10;       ///< 1 for a place that is a found/visited hotspot
    double concern = 0.25;       ///< 0..1 (DisruptionTarget::concern)
    /// 1 in the key-player set. 0 by default: the set has --top members, and
    /// the order of the list should not depend on how long it is asked to be.
    double key_player = 0.0;
};

struct DisruptConfig {
    int top = 20; ///< targets in the list, and the size of the key-player set
    NetworkBuildParams build;
    DisruptWeights weights;
    /// A place is a found/visited hotspot when this many distinct children
    /// were found or visited there (within --since/--until).
    int hotspot_min_children = 3;
    /// A place more than this many children are linked to (a bus station, a
    /// town-centre street) is a public hub: it connects no child to an adult
    /// of concern for the fragmentation score.
    int hub_children = 25;
    std::uint64_t seed = 1;               ///< the key-player search's tie-breaking
    std::filesystem::path overrides_file; ///< recorded with the run
    std::filesystem::path out;            ///< run_disrupt() writes here
    std::string generated_at;             ///< UTC; empty: now
};

/// A child a target is linked to.
struct LinkedChild {
    std::string id;         ///< as the profile shows it (panel: a pseudonym)
    double risk = 0;        ///< the child's risk (docs/disrupt.md)
    std::string risk_basis; ///< "grade high, CSE, 4 episodes"
    int hops = 1;           ///< 1: linked directly; 2: through `via`
    std::string via;        ///< the adult or vehicle in between (profile id)
    double factor = 1;      ///< what the child's risk counts for: 1, 0.5; ×0.25 weak only
};

/// One link of the target: to whom or what, of which type, resting on which records.
struct DisruptionEvidence {
    std::string other;                 ///< the entity at the other end, as the profile shows it
    std::string other_kind;            ///< child, adult, unidentified, place, vehicle
    std::string link_type;             ///< LinkType names (docs/network.md)
    std::string first_date, last_date; ///< UTC
    std::int64_t records = 0;
    std::string record_ids;           ///< ";"-separated, as the profile shows them
    std::string sources;              ///< "police record;RHI;CPI"
    std::string gradings;             ///< CPI gradings, ";"-separated: "2/B/P"
    bool weak = false;                ///< rests only on 3/E intelligence
    bool handling_conditions = false; ///< some CPI record has handling code C
    bool consent_restricted = false;  ///< some RHI record was without consent to share
};

/// A child-to-adult-of-concern connection removing the target cuts.
struct CutPair {
    std::string child; ///< profile ids
    std::string adult;
};

/// The Appendix 7 structure (seed 001): one row per objective; `progress`
/// is left blank for the meeting to fill in.
struct PlanAction {
    std::string desired_outcome;
    std::string action;
    std::string owner_role;
    std::string when;
    std::string review_point;
    std::string progress;
};

struct DisruptionTarget {
    int rank = 0;                     ///< 1 = first
    std::string id;                   ///< as the profile shows it
    std::string kind;                 ///< "adult", "place", "vehicle"
    std::string label;                ///< as the profile may show it ("" when withheld)
    std::vector<std::string> reasons; ///< why it is a candidate: adult_of_concern, named_concern,
                                      ///< cpi_suspect, address_of_concern, …
    std::int64_t children = 0;        ///< distinct linked children
    double risk = 0;                  ///< Σ child risk × factor
    double fragmentation = 0;         ///< share of pairs cut by removing it alone (0..1)
    std::int64_t pairs_cut = 0;       ///< how many pairs that is
    bool key_player = false;          ///< in the best set of `top`
    bool hotspot = false;
    double concern = 0;                       ///< 1, 0.5 or 0 (docs/disrupt.md)
    std::int64_t hotspot_children = 0;        ///< places: distinct children found or visited there
    double score = 0;                         ///< the combined score (0..1)
    std::vector<LinkedChild> linked_children; ///< by risk, then id
    std::vector<DisruptionEvidence> evidence; ///< the target's links, by type then other
    std::vector<CutPair> cuts;                ///< what removing it alone cuts
    std::vector<PlanAction> plan;             ///< the plan skeleton
};

struct DisruptionResult {
    std::string profile;
    std::vector<DisruptionTarget> targets;    ///< in rank order, at most config.top
    std::int64_t candidates = 0;              ///< targets considered
    std::int64_t adults_of_concern = 0;       ///< the adults the pairs are formed with
    std::int64_t pairs = 0;                   ///< connected child-to-adult-of-concern pairs
    std::vector<std::string> key_player_set;  ///< ids of the best set of `top`
    double set_fragmentation = 0;             ///< the share the key-player set cuts together
    std::int64_t analysis_run = 0;            ///< run_disrupt(): the store's run id
    std::vector<std::filesystem::path> files; ///< run_disrupt(): the files written
};

using DisruptProgress = std::function<void(std::string_view stage, double fraction)>;

/// Throws UsageError for a profile that gets no disruption list (partnership).
void require_disrupt_profile(Profile profile);

/// Builds the network through `stage`, scores every candidate and returns
/// the top config.top, without writing anything. Throws UsageError for
/// partnership.
DisruptionResult rank_disruption_targets(const store::Store& store, const ProfileStage& stage,
                                         const DisruptConfig& config,
                                         const DisruptProgress& progress = {});

/// Writes disruption.csv, disruption-evidence.csv, disruption-plan.csv,
/// disruption-plan.md and disruption-plan.html into `dir`; returns them.
std::vector<std::filesystem::path> write_disruption_files(const DisruptionResult& result,
                                                          const DisruptConfig& config,
                                                          const ProfileStage& stage,
                                                          const std::filesystem::path& dir);

/// The run's parameters as a JSON object (text), for metadata and the store.
std::string disrupt_parameters(const DisruptConfig& config);

/// rank_disruption_targets(), then write_disruption_files() into config.out,
/// disruption.json, and the run recorded in the store.
DisruptionResult run_disrupt(store::Store& store, const DisruptConfig& config,
                             const ProfileStage& stage, const DisruptProgress& progress = {});

} // namespace waymark
