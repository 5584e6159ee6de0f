#include "engine/triggers.hpp"

#include "engine/model/codes.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace waymark {
namespace {

namespace m = waymark::model;
using std::chrono::days;
using std::chrono::hours;

// One episode's part in one trigger: the rule was met through it at `met`.
struct Contribution {
    std::size_t episode = 0; ///< position in the child's episodes (reported order)
    m::Timestamp met{};
    bool ongoing = false;
};

// What one child's episodes are judged with: each as it stood on as_of.
struct EpisodeView {
    const m::Episode* episode = nullptr;
    m::Timestamp start{};                 ///< last seen, else reported
    std::optional<m::Timestamp> returned; ///< only a return on or before as_of
};

m::Timestamp rhi_date(const m::ReturnInterview& r) {
    return r.conducted_at.value_or(r.offered_at.value_or(r.referred_at.value_or(m::Timestamp{})));
}

std::optional<int> age_at_report(const m::Episode& e) {
    if (e.age) {
        return e.age;
    }
    if (!e.date_of_birth) {
        return std::nullopt;
    }
    const std::chrono::year_month_day born{*e.date_of_birth};
    const std::chrono::year_month_day on{std::chrono::floor<days>(e.reported_at)};
    int years = static_cast<int>(on.year()) - static_cast<int>(born.year());
    if (std::chrono::month_day{on.month(), on.day()} <
        std::chrono::month_day{born.month(), born.day()}) {
        --years;
    }
    return years;
}

std::string hours_text(m::Timestamp from, m::Timestamp to) {
    const auto h = std::chrono::duration_cast<hours>(to - from).count();
    return std::to_string(h) + " hours";
}

class ChildJudge {
public:
    ChildJudge(const TriggerSettings& settings, const TriggerQuery& query,
               const std::unordered_map<std::string, std::vector<const m::ReturnInterview*>>& rhis)
        : m_settings(settings), m_query(query), m_rhis(rhis) {}

    void judge(std::span<const EpisodeView> episodes, TriggerResult& result) {
        std::map<Trigger, std::vector<Contribution>> found;
        for (std::size_t i = 0; i < episodes.size(); ++i) {
            judge_duration(episodes[i], i, found);
            judge_interviews(episodes[i], i, found);
        }
        judge_repeats(episodes, found);
        for (const auto& [trigger, contributions] : found) {
            add_hit(trigger, episodes, contributions, result);
        }
    }

private:
    void judge_duration(const EpisodeView& v, std::size_t i,
                        std::map<Trigger, std::vector<Contribution>>& found) const {
        const m::Timestamp end = v.returned.value_or(m_query.as_of);
        const auto missing_for = end - v.start;
        const bool open = !v.returned;
        const auto rule = [&](Trigger trigger, std::chrono::seconds limit) {
            if (missing_for > limit) {
                found[trigger].push_back({i, v.start + limit, open});
            }
        };
        rule(Trigger::long_missing, hours{m_settings.long_missing_hours});
        if (v.episode->looked_after == true) {
            rule(Trigger::looked_after_long_missing,
                 hours{m_settings.looked_after_escalation_hours});
        }
        rule(Trigger::not_located, days{m_settings.not_located_days});
    }

    void judge_interviews(const EpisodeView& v, std::size_t i,
                          std::map<Trigger, std::vector<Contribution>>& found) const {
        const auto it = m_rhis.find(v.episode->episode_id);
        const std::vector<const m::ReturnInterview*> none;
        const auto& interviews = it == m_rhis.end() ? none : it->second;
        // Graded high: by an interview held (or, undated, recorded) by as_of.
        for (const m::ReturnInterview* r : interviews) {
            const m::Timestamp at = rhi_date(*r);
            if (r->risk_of_repeat == m::RepeatRisk::high && at <= m_query.as_of) {
                found[Trigger::rhi_graded_high].push_back({i, at, false});
                break;
            }
        }
        // Late: no completed interview held within rhi_due_hours of its
        // clock start (rhi_clock_start), once the earliest due time has
        // passed; an episode with no interview is due from the return.
        if (!v.returned) {
            return;
        }
        const hours allowed{m_settings.rhi_due_hours};
        std::optional<m::Timestamp> due;
        for (const m::ReturnInterview* r : interviews) {
            if (const auto clock = rhi_clock_start(m_settings, v.returned, r)) {
                due = due ? std::min(*due, *clock + allowed) : *clock + allowed;
            }
        }
        if (!due) {
            due = *v.returned + allowed;
        }
        if (*due > m_query.as_of) {
            return;
        }
        const bool on_time =
            std::any_of(interviews.begin(), interviews.end(), [&](const m::ReturnInterview* r) {
                const auto clock = rhi_clock_start(m_settings, v.returned, r);
                return r->outcome == m::RhiOutcome::completed && r->conducted_at && clock &&
                       *r->conducted_at <= *clock + allowed;
            });
        if (!on_time) {
            found[Trigger::rhi_late].push_back({i, *due, false});
        }
    }

    // Every run of N consecutive episodes (by reported time) whose first and
    // last were reported within the window meets the rule at the last one's
    // report; all N episodes are its cause.
    void judge_repeats(std::span<const EpisodeView> episodes,
                       std::map<Trigger, std::vector<Contribution>>& found) const {
        const auto n = static_cast<std::size_t>(std::max(1, m_settings.repeat_episodes));
        const days window{m_settings.repeat_window_days};
        for (std::size_t first = 0; first + n <= episodes.size(); ++first) {
            const m::Episode& a = *episodes[first].episode;
            const m::Episode& b = *episodes[first + n - 1].episode;
            if (b.reported_at - a.reported_at <= window) {
                for (std::size_t k = first; k < first + n; ++k) {
                    found[Trigger::repeat_missing].push_back({k, b.reported_at, false});
                }
            }
        }
    }

    void add_hit(Trigger trigger, std::span<const EpisodeView> episodes,
                 const std::vector<Contribution>& contributions, TriggerResult& result) const {
        TriggerHit hit;
        hit.trigger = trigger;
        std::set<std::size_t> causes;
        bool any = false;
        for (const Contribution& c : contributions) {
            if (m_query.since && c.met < *m_query.since) {
                continue; // met before the period asked about
            }
            causes.insert(c.episode);
            hit.first_met = any ? std::min(hit.first_met, c.met) : c.met;
            hit.last_met = any ? std::max(hit.last_met, c.met) : c.met;
            hit.ongoing = hit.ongoing || c.ongoing;
            any = true;
        }
        if (!any) {
            return;
        }
        hit.child_id = episodes.front().episode->child_id;
        for (const std::size_t i : causes) {
            hit.episodes.push_back(episodes[i].episode->episode_id);
        }
        result.hits.push_back(std::move(hit));
    }

    const TriggerSettings& m_settings;
    const TriggerQuery& m_query;
    const std::unordered_map<std::string, std::vector<const m::ReturnInterview*>>& m_rhis;
};

void find_episode_faults(std::span<const EpisodeView> episodes, const TriggerSettings& settings,
                         const TriggerQuery& query, std::vector<QualityFinding>& findings) {
    for (const EpisodeView& v : episodes) {
        const m::Episode& e = *v.episode;
        const auto age = age_at_report(e);
        if (settings.low_risk_minimum_age && e.risk_grade == m::RiskGrade::low && age &&
            *age < *settings.low_risk_minimum_age) {
            findings.push_back({"low_risk_under_age", e.episode_id, e.child_id,
                                "graded low risk at age " + std::to_string(*age) +
                                    "; the area grades no child under " +
                                    std::to_string(*settings.low_risk_minimum_age) + " low"});
        }
        if (e.returned_at && *e.returned_at < v.start) {
            findings.push_back({"returned_before_missing", e.episode_id, e.child_id,
                                "returned " + m::format_timestamp(*e.returned_at) +
                                    ", before last seen or reported " +
                                    m::format_timestamp(v.start)});
        }
        if (!v.returned && query.as_of - v.start > days{query.open_episode_days}) {
            findings.push_back(
                {"long_open_episode", e.episode_id, e.child_id,
                 "still open after " +
                     std::to_string(std::chrono::floor<days>(query.as_of - v.start).count()) +
                     " days (no return recorded)"});
        }
    }
}

void find_interview_faults(const std::vector<m::ReturnInterview>& rhis,
                           const std::unordered_map<std::string, const EpisodeView*>& considered,
                           const std::unordered_set<std::string>& all_episodes,
                           const TriggerQuery& query, std::vector<QualityFinding>& findings) {
    for (const m::ReturnInterview& r : rhis) {
        if (rhi_date(r) > query.as_of) {
            continue;
        }
        if (r.episode_id.empty() || !all_episodes.contains(r.episode_id)) {
            findings.push_back({"rhi_without_episode", r.rhi_id, r.child_id,
                                r.episode_id.empty() ? "names no episode"
                                                     : "names an episode the store does not hold"});
            continue;
        }
        const auto it = considered.find(r.episode_id);
        if (it == considered.end()) {
            continue; // the episode was reported after as_of
        }
        const EpisodeView& v = *it->second;
        if (!r.child_id.empty() && r.child_id != v.episode->child_id) {
            findings.push_back({"rhi_other_child", r.rhi_id, r.child_id,
                                "the episode it follows is another child's"});
        }
        if (r.conducted_at && (!v.returned || *r.conducted_at < *v.returned)) {
            findings.push_back({"rhi_before_return", r.rhi_id, v.episode->child_id,
                                v.returned
                                    ? "conducted " + hours_text(*r.conducted_at, *v.returned) +
                                          " before the return it follows"
                                    : "conducted while the episode has no return"});
        }
        if (r.outcome == m::RhiOutcome::completed && !r.conducted_at) {
            findings.push_back({"rhi_completed_undated", r.rhi_id, v.episode->child_id,
                                "completed with no date conducted"});
        }
    }
}

} // namespace

std::optional<m::Timestamp> rhi_clock_start(const TriggerSettings& settings,
                                            const std::optional<m::Timestamp>& returned,
                                            const m::ReturnInterview* interview) {
    if (settings.rhi_clock_starts == RhiClockStart::referral_time && interview != nullptr &&
        interview->referred_at) {
        return interview->referred_at;
    }
    return returned;
}

std::string_view to_code(Trigger trigger) {
    switch (trigger) {
    case Trigger::repeat_missing:
        return "repeat_missing";
    case Trigger::long_missing:
        return "long_missing";
    case Trigger::looked_after_long_missing:
        return "looked_after_long_missing";
    case Trigger::not_located:
        return "not_located";
    case Trigger::rhi_graded_high:
        return "rhi_graded_high";
    case Trigger::rhi_late:
        return "rhi_late";
    }
    return "";
}

std::string describe(Trigger trigger, const TriggerSettings& s) {
    switch (trigger) {
    case Trigger::repeat_missing:
        return std::to_string(s.repeat_episodes) + " episodes within " +
               std::to_string(s.repeat_window_days) + " days";
    case Trigger::long_missing:
        return "missing over " + std::to_string(s.long_missing_hours) + " hours";
    case Trigger::looked_after_long_missing:
        return "looked-after child missing over " +
               std::to_string(s.looked_after_escalation_hours) + " hours";
    case Trigger::not_located:
        return "not located for " + std::to_string(s.not_located_days) + " days";
    case Trigger::rhi_graded_high:
        return "return home interview graded the risk of repeat high";
    case Trigger::rhi_late:
        return std::string("no return home interview within ") + std::to_string(s.rhi_due_hours) +
               " hours of the " +
               (s.rhi_clock_starts == RhiClockStart::return_time ? "return" : "referral");
    }
    return "";
}

std::string_view required_action(Trigger trigger) {
    switch (trigger) {
    case Trigger::repeat_missing:
    case Trigger::long_missing:
        return "strategy meeting";
    case Trigger::looked_after_long_missing:
        return "escalate to a senior manager";
    case Trigger::not_located:
        return "strategy meeting and a protection and disruption plan";
    case Trigger::rhi_graded_high:
        return "consider a strategy meeting and the child's plan";
    case Trigger::rhi_late:
        return "offer the interview now; report the delay";
    }
    return "";
}

std::int64_t TriggerResult::children_meeting(Trigger trigger) const {
    std::unordered_set<std::string> children;
    for (const TriggerHit& hit : hits) {
        if (hit.trigger == trigger) {
            children.insert(hit.child_id);
        }
    }
    return static_cast<std::int64_t>(children.size());
}

std::int64_t TriggerResult::children_meeting_any() const {
    std::unordered_set<std::string> children;
    for (const TriggerHit& hit : hits) {
        children.insert(hit.child_id);
    }
    return static_cast<std::int64_t>(children.size());
}

TriggerResult evaluate_triggers(const store::CaseRecords& records, const TriggerSettings& settings,
                                const TriggerQuery& query) {
    TriggerResult result;
    result.as_of = query.as_of;
    result.since = query.since;
    result.thresholds = settings;

    std::unordered_map<std::string, std::vector<const m::ReturnInterview*>> rhis;
    for (const m::ReturnInterview& r : records.rhis) {
        if (!r.episode_id.empty()) {
            rhis[r.episode_id].push_back(&r);
        }
    }
    // The episodes as they stood on as_of, grouped by child in reported order.
    // Absent episodes are not missing episodes: the guidance's rules are for
    // children whose whereabouts are unknown (docs/triggers.md).
    std::vector<EpisodeView> views;
    std::unordered_set<std::string> all_episodes;
    for (const m::Episode& e : records.episodes) {
        all_episodes.insert(e.episode_id);
        if (e.reported_at > query.as_of || e.category == m::EpisodeCategory::absent) {
            continue;
        }
        EpisodeView v{&e, e.last_seen_at.value_or(e.reported_at), std::nullopt};
        if (e.returned_at && *e.returned_at <= query.as_of) {
            v.returned = e.returned_at;
        }
        views.push_back(v);
    }
    std::stable_sort(views.begin(), views.end(), [](const EpisodeView& a, const EpisodeView& b) {
        if (a.episode->child_id != b.episode->child_id) {
            return a.episode->child_id < b.episode->child_id;
        }
        return a.episode->reported_at < b.episode->reported_at;
    });
    std::unordered_map<std::string, const EpisodeView*> considered;
    for (const EpisodeView& v : views) {
        considered.emplace(v.episode->episode_id, &v);
    }
    result.episodes_considered = static_cast<std::int64_t>(views.size());

    ChildJudge judge(settings, query, rhis);
    for (std::size_t first = 0; first < views.size();) {
        std::size_t last = first;
        while (last < views.size() &&
               views[last].episode->child_id == views[first].episode->child_id) {
            ++last;
        }
        const std::span<const EpisodeView> child(views.data() + first, last - first);
        judge.judge(child, result);
        find_episode_faults(child, settings, query, result.findings);
        ++result.children_considered;
        first = last;
    }
    find_interview_faults(records.rhis, considered, all_episodes, query, result.findings);

    std::stable_sort(result.hits.begin(), result.hits.end(),
                     [](const TriggerHit& a, const TriggerHit& b) {
                         return std::pair(static_cast<int>(a.trigger), a.child_id) <
                                std::pair(static_cast<int>(b.trigger), b.child_id);
                     });
    std::stable_sort(result.findings.begin(), result.findings.end(),
                     [](const QualityFinding& a, const QualityFinding& b) {
                         return std::tie(a.code, a.record) < std::tie(b.code, b.record);
                     });
    return result;
}

} // namespace waymark
