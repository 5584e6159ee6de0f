#pragma once

// The profile stage (design/PRIVACY.md; issue 7): the one place where the
// rules of the analyst, panel and partnership profiles are applied, before
// any writer sees the data. Records reach analyses only as ProfiledIncidents
// and ProfiledNetwork, which only this stage makes; layers reach the layer
// writer only as an ApprovedLayer, which only this stage makes, after it has
// checked the layer against the profile. docs/export.md lists the rules.
//
// What each profile gets, in short:
//   analyst      everything the analyses use, with source ids and names;
//   panel        keyed pseudonyms for every person, record and vehicle id;
//                homes, placements and restricted places snapped to a grid
//                (500 m by default) with their labels withheld; nothing of
//                trafficked or UASC children below area level; nothing from
//                an RHI with a sensitive disclosure; RHI intelligence without
//                consent only where the area allows it; CPI items with
//                handling code C flagged;
//   partnership  grid-cell aggregates only, cells of fewer than k distinct
//                children suppressed, with secondary suppression so that no
//                suppressed cell can be worked out from the totals.
// Free text and the CPI source and submitter blocks are never read for an
// output in the first place (store.hpp).

#include "engine/network.hpp"
#include "engine/profile.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"
#include "geo/point.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace waymark {

struct LayerDescription;
struct LayerFeature;
class ProfileStage;

/// What the stage withheld or changed, for the manifest and the command's report.
struct StageCounts {
    std::int64_t read = 0;             ///< incidents (or links) the selection held
    std::int64_t protected_child = 0;  ///< withheld: a trafficked / UASC child's location
    std::int64_t sensitive = 0;        ///< withheld: from an RHI with a sensitive disclosure
    std::int64_t without_consent = 0;  ///< withheld: RHI intelligence without consent
    std::int64_t snapped = 0;          ///< homes and restricted places moved to the grid
    std::int64_t handling_flagged = 0; ///< links resting on CPI handling code C
    std::int64_t entities_dropped = 0; ///< network entities left with no link
};

/// Incidents after the profile's rules. Panel: ids are pseudonyms and
/// private places snapped; partnership: ids are pseudonyms, points exact but
/// usable only through ProfileStage::aggregate().
class ProfiledIncidents {
public:
    const std::vector<store::Incident>& incidents() const { return m_incidents; }
    Profile profile() const { return m_profile; }
    const StageCounts& counts() const { return m_counts; }

private:
    friend class ProfileStage;
    ProfiledIncidents(Profile profile, std::vector<store::Incident> incidents, StageCounts counts)
        : m_profile(profile), m_incidents(std::move(incidents)), m_counts(counts) {}
    Profile m_profile;
    std::vector<store::Incident> m_incidents;
    StageCounts m_counts;
};

/// The network after the profile's rules (analyst and panel only).
class ProfiledNetwork {
public:
    const Network& network() const { return m_network; }
    Profile profile() const { return m_profile; }
    const StageCounts& counts() const { return m_counts; }
    /// Whether the entity at this index may be drawn on a map at all (a
    /// trafficked or UASC child's position is never shown outside analyst).
    bool placeable(std::size_t entity) const { return m_placeable[entity]; }

private:
    friend class ProfileStage;
    ProfiledNetwork(Profile profile, Network network, std::vector<bool> placeable,
                    StageCounts counts)
        : m_profile(profile), m_network(std::move(network)), m_placeable(std::move(placeable)),
          m_counts(counts) {}
    Profile m_profile;
    Network m_network;
    std::vector<bool> m_placeable;
    StageCounts m_counts;
};

/// A layer the stage checked against the profile; the layer writer takes
/// nothing else. It refers to the caller's description and features.
class ApprovedLayer {
public:
    const LayerDescription& description() const { return m_description; }
    std::span<const LayerFeature> features() const { return m_features; }
    Profile profile() const { return m_profile; }

private:
    friend class ProfileStage;
    ApprovedLayer(Profile profile, const LayerDescription& description,
                  std::span<const LayerFeature> features)
        : m_profile(profile), m_description(description), m_features(features) {}
    Profile m_profile;
    const LayerDescription& m_description;
    std::span<const LayerFeature> m_features;
};

/// One cell of a partnership aggregate. Suppressed cells keep their shape but
/// not their counts.
struct AggregateCell {
    std::int64_t col = 0;
    std::int64_t row = 0;
    std::vector<geo::Point> corners;
    std::int64_t episodes = 0;
    std::int64_t children = 0;
    enum class Suppression { none, primary, secondary };
    Suppression suppression = Suppression::none;
};

/// Suppresses every cell with fewer than `k` children (primary), then, if any
/// was suppressed, the smallest other cells until at least two are suppressed
/// and together they hold at least `k` episodes and `k` children (secondary),
/// so that the total less the published cells reveals no small count.
/// Cells are taken smallest first (children, episodes, then position).
void suppress_small_cells(std::vector<AggregateCell>& cells, int k);

/// The keyed pseudonym of an id: "ps-" and 13 base-32 characters (65 bits) of
/// HMAC-SHA-256(key, id). The same id and key give the same pseudonym.
std::string pseudonym(std::span<const unsigned char> key, std::string_view id);

class ProfileStage {
public:
    /// `key` is the deployment's pseudonymisation key (Store::pseudonym_key);
    /// it never leaves this object.
    ProfileStage(Profile profile, const PrivacySettings& settings, std::vector<unsigned char> key,
                 int partnership_cell_metres = 1000);

    Profile profile() const { return m_profile; }
    const PrivacySettings& settings() const { return m_settings; }
    int partnership_cell_metres() const { return m_cell_metres; }

    /// An id as the profile shows it: itself for analyst, else its pseudonym.
    std::string id(std::string_view source_id) const;

    /// The store's incidents that `select` keeps, after the profile's rules.
    ProfiledIncidents incidents(const store::Store& store,
                                const std::function<bool(const store::Incident&)>& select) const;

    /// The incidents of `from` (profiled by this stage) that `select` keeps:
    /// a narrower selection without reading the store again (the viewer
    /// filters in memory). Its counts are those of `from`, but for `read`.
    ProfiledIncidents subset(const ProfiledIncidents& from,
                             const std::function<bool(const store::Incident&)>& select) const;
    /// The network after the profile's rules. Throws UsageError for
    /// partnership, which gets network_summary() only.
    ProfiledNetwork network(Network network, const store::NetworkEvidence& evidence) const;

    /// Partnership: counts of the network's entities and links, each below k
    /// written as null. Keys "entities.<kind>", "links.<type>".
    std::map<std::string, std::optional<std::int64_t>>
    network_summary(const Network& network, const store::NetworkEvidence& evidence) const;

    /// Partnership (and any profile asking for it): the incidents of `role`
    /// counted in square cells of partnership_cell_metres, with
    /// suppress_small_cells().
    std::vector<AggregateCell> aggregate(const ProfiledIncidents& incidents,
                                         std::string_view role) const;

    /// The counts of what the stage withheld, as the profile may show them
    /// (count()); keys as StageCounts' members, zeros left out.
    std::map<std::string, std::optional<std::int64_t>> withheld(const StageCounts& counts) const;

    /// A count as the profile may show it: partnership hides counts below k.
    std::optional<std::int64_t> count(std::int64_t value) const;

    /// Checks the layer against the profile and lets it through. Throws
    /// Error (a bug, not a user's mistake) when a layer breaks the profile:
    /// partnership takes only polygon aggregates with a `children` field none
    /// of whose values is below k, and no text but `suppressed`.
    ApprovedLayer approve(const LayerDescription& layer,
                          std::span<const LayerFeature> features) const;

    /// What every output records about the profile (never the key).
    std::map<std::string, std::string> metadata() const;

    /// Whether a location is a home, placement or restricted place: a place of
    /// type home or placement, a restricted gazetteer place, or a child's
    /// missing-from location of no stated type while living at home or in
    /// care (where a child goes missing from is, unless said otherwise, where
    /// they live).
    static bool private_place(const std::string& place_type, bool restricted, std::string_view role,
                              const std::string& setting);

private:
    geo::Point snap(geo::Point point) const;

    Profile m_profile;
    PrivacySettings m_settings;
    std::vector<unsigned char> m_key;
    int m_cell_metres;
};

/// The stage for `profile` with the store's key and the area's privacy
/// settings and partnership cell size.
ProfileStage make_profile_stage(const store::Store& store, Profile profile,
                                const AreaSettings& area);

} // namespace waymark
