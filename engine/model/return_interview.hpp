#pragma once

// One line of rhi.jsonl: a Return Home Interview (DATA-MODEL.md; the fields
// follow the RHI templates of seed 001, Appendix 8, and seed 003, Appendix 5).

#include "engine/model/attributes.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/location.hpp"
#include "engine/model/person.hpp"
#include "engine/model/timestamp.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace waymark::model {

/// An entry of `places`: somewhere the child went, slept, met someone, ...
struct RhiPlace {
    PlaceRole role{};
    Location location{};
    std::vector<std::string> with{}; ///< person_ids of the people there with the child

    bool operator==(const RhiPlace&) const = default;
};

/// A Return Home Interview. Booleans are nullopt when unknown; text is empty
/// when not given. `consent_to_share == false` or `sensitive_disclosure ==
/// true` restricts what may leave the analyst profile (PRIVACY.md).
struct ReturnInterview {
    std::string rhi_id{};
    std::string episode_id{}; ///< the episode the interview follows
    std::string child_id{};
    std::optional<Timestamp> referred_at{};
    std::optional<Timestamp> offered_at{};
    std::optional<RhiOutcome> outcome{};
    std::string decline_reason{};
    std::optional<Timestamp> conducted_at{};
    std::optional<RhiMode> mode{};
    std::optional<bool> independent{}; ///< conducted by someone independent
    std::optional<bool> consent_to_share{};
    std::vector<RhiPlace> places{};
    std::vector<PersonMention> with{}; ///< people the child was with
    std::vector<PushFactor> push_factors{};
    std::vector<PullFactor> pull_factors{};
    std::vector<std::pair<HighRiskCategory, bool>> high_risk{}; ///< in source order
    std::optional<RepeatRisk> risk_of_repeat{};
    std::optional<bool> strategy_meeting_required{};
    std::optional<bool> cse_indicators{}; ///< child sexual exploitation
    std::optional<bool> cce_indicators{}; ///< child criminal exploitation
    std::optional<bool> nrm_referral{};   ///< National Referral Mechanism (trafficking)
    std::vector<Location> locations_of_concern{};
    std::vector<PersonMention> people_of_concern{};
    std::vector<PersonMention> young_people_of_concern{};
    std::optional<bool> cpi_submitted{}; ///< a CPI form was submitted
    std::optional<bool> sensitive_disclosure{};
    std::vector<std::pair<std::string, std::string>> notes{}; ///< heading, free text
    Attributes extra{};                                       ///< unknown fields

    bool operator==(const ReturnInterview&) const = default;
};

} // namespace waymark::model
