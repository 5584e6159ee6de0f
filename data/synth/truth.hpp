#pragma once

// truth.json: what was planted in a synthetic world, for tests to score
// recall and precision against — peer groups, adults and addresses of
// concern, hotspot places per role, children meeting each escalation trigger
// (with the episodes that caused it), and every dirty defect with its line.

#include "data/synth/dirty.hpp"
#include "data/synth/records.hpp"
#include "data/synth/world.hpp"
#include "engine/model/return_interview.hpp"

#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace waymark::synth {

/// Trigger thresholds used for the truth: the defaults of design/PRODUCT.md.
struct TruthThresholds {
    int repeat_episodes = 3;
    int repeat_window_days = 90;
    int long_missing_hours = 24;
    int looked_after_hours = 48;
    int not_located_days = 7;
    int rhi_due_hours = 72;
};

class TruthBuilder {
public:
    explicit TruthBuilder(const World& world, TruthThresholds thresholds = {});

    /// Called for every episode in order, with its RHI if one was written.
    void add_episode(std::size_t index, const model::ReturnInterview* rhi);
    void add_dirty(std::vector<DirtyDefect> defects);
    /// The truth of name-only mentions, for scoring entity resolution.
    void add_mentions(MentionTruths mentions);

    /// Children meeting a trigger → the episodes that caused it.
    using TriggerList = std::map<std::string, std::set<std::string>>;
    const std::map<std::string, TriggerList>& triggers() const { return m_triggers; }

    void write(std::ostream& out) const;

private:
    void add_repeat_triggers(std::map<std::string, TriggerList>& triggers) const;

    const World& m_world;
    TruthThresholds m_thresholds;
    std::map<std::string, TriggerList> m_triggers;
    std::vector<std::vector<std::size_t>> m_episodes_by_child;
    std::int64_t m_rhis = 0;
    std::vector<DirtyDefect> m_dirty;
    MentionTruths m_mentions;
};

} // namespace waymark::synth
