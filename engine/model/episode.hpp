#pragma once

// One row of episodes.csv: a missing or absent episode (DATA-MODEL.md).

#include "engine/model/attributes.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/location.hpp"
#include "engine/model/timestamp.hpp"

#include <optional>
#include <string>
#include <vector>

namespace waymark::model {

/// A missing or absent episode. Required columns are plain values; every
/// other field is optional (booleans: unknown is nullopt, never false) or, for
/// text, empty when not given.
struct Episode {
    std::string episode_id{};                ///< required; unique per source
    std::string child_id{};                  ///< required
    Timestamp reported_at{};                 ///< required: reported to police / recorded (UTC)
    std::optional<Timestamp> last_seen_at{}; ///< start of the episode when known
    std::optional<Timestamp> returned_at{};  ///< nullopt = still missing
    std::optional<Date> date_of_birth{};     ///< date_of_birth or age is required
    std::optional<int> age{};                ///< whole years at reported_at
    std::optional<Sex> sex{};
    EpisodeCategory category = EpisodeCategory::missing; ///< empty column = missing
    Setting setting{};                                   ///< required: where the child lives
    std::optional<bool> looked_after{};
    std::optional<PlacementArea> placement_area{};
    std::string responsible_authority{};
    std::optional<RiskGrade> risk_grade{}; ///< police risk grade
    std::string police_ref{};              ///< incident / PPN reference
    Location from{};                       ///< required `from_*` block: went missing from
    std::optional<Location> found{};       ///< `found_*` block: where the child was found
    std::optional<ReturnedBy> returned_by{};
    std::vector<std::string> missing_with{}; ///< child_ids of children missing with them
    std::optional<bool> safe_and_well{};     ///< police safe-and-well check done
    std::optional<bool> cse{};               ///< child sexual exploitation indicator recorded
    std::optional<bool> cce{};               ///< child criminal exploitation indicator recorded
    std::optional<bool> trafficking{};       ///< trafficking indicator recorded
    std::optional<bool> uasc{};              ///< unaccompanied asylum-seeking child
    Attributes extra{};                      ///< unknown columns

    bool operator==(const Episode&) const = default;
};

} // namespace waymark::model
