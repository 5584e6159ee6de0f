#pragma once

// Escalation triggers (issue 9; design/PRODUCT.md "Rules from the guidance";
// docs/triggers.md): which children meet each rule of the statutory guidance
// on a date, with the episodes that caused it, and the data-quality findings
// the same records show. The thresholds are the area's (TriggerSettings).
//
// Everything is judged as the records stood on `as_of`: an episode reported
// later does not exist yet, a return after it has not happened, an interview
// held after it has not been held.

#include "engine/settings.hpp"
#include "engine/store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

enum class Trigger {
    repeat_missing,            ///< N episodes within D days (default 3 in 90)
    long_missing,              ///< missing longer than 24 hours
    looked_after_long_missing, ///< a looked-after child missing longer than 48 hours
    not_located,               ///< not located for 7 days
    rhi_graded_high,           ///< an RHI graded the risk of repeat high
    rhi_late,                  ///< no completed RHI within 72 hours of the clock start
};

inline constexpr Trigger all_triggers[] = {
    Trigger::repeat_missing, Trigger::long_missing,    Trigger::looked_after_long_missing,
    Trigger::not_located,    Trigger::rhi_graded_high, Trigger::rhi_late};

/// The stable code written to outputs: "repeat_missing", "long_missing", ...
std::string_view to_code(Trigger trigger);
/// The rule with the area's thresholds: "3 episodes within 90 days".
std::string describe(Trigger trigger, const TriggerSettings& settings);
/// What the guidance says must follow (a strategy meeting, ...).
std::string_view required_action(Trigger trigger);

/// When the clock of an interview's due time started (seed 001 7.9; seed 000
/// on the confusion over which moment counts): the child's return, or, where
/// the area sets `rhi_clock_starts: referral`, the interview's referral (the
/// return when no referral is recorded; `interview` may be null). nullopt:
/// neither is recorded (or, as of a date, has happened). Used by the
/// `rhi_late` trigger and the panel pack's RHI figures alike.
std::optional<model::Timestamp> rhi_clock_start(const TriggerSettings& settings,
                                                const std::optional<model::Timestamp>& returned,
                                                const model::ReturnInterview* interview);

/// One child meeting one trigger.
struct TriggerHit {
    Trigger trigger = Trigger::repeat_missing;
    std::string child_id;
    /// The episodes that caused it, by reported time.
    std::vector<std::string> episodes;
    /// When the rule was first met by these episodes (the 24th hour, the
    /// report of the Nth episode, the interview's date, the 72nd hour, ...).
    model::Timestamp first_met{};
    /// When it was last met (equal to first_met for a single episode).
    model::Timestamp last_met{};
    /// An episode among them is still open on as_of (long and not-located
    /// triggers: the child is still missing).
    bool ongoing = false;
};

/// A record that breaks a rule the data should keep (a finding, not an error).
struct QualityFinding {
    std::string code;   ///< low_risk_under_age, rhi_before_return, long_open_episode, ...
    std::string record; ///< episode_id or rhi_id
    std::string child_id;
    std::string detail; ///< what is wrong, from structured fields only
};

struct TriggerQuery {
    model::Timestamp as_of{};
    /// Only hits met (last_met) on or after this moment; nullopt: all.
    std::optional<model::Timestamp> since;
    /// An episode open longer than this on as_of is a data-quality finding.
    int open_episode_days = 90;
};

struct TriggerResult {
    model::Timestamp as_of{};
    std::optional<model::Timestamp> since;
    TriggerSettings thresholds;
    std::vector<TriggerHit> hits;         ///< by trigger (all_triggers order), then child
    std::vector<QualityFinding> findings; ///< by code, then record
    std::int64_t episodes_considered = 0; ///< reported on or before as_of
    std::int64_t children_considered = 0;

    /// Distinct children meeting `trigger`.
    std::int64_t children_meeting(Trigger trigger) const;
    /// Distinct children meeting any trigger.
    std::int64_t children_meeting_any() const;
};

TriggerResult evaluate_triggers(const store::CaseRecords& records, const TriggerSettings& settings,
                                const TriggerQuery& query);

} // namespace waymark
