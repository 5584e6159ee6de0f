// Escalation triggers (issue 9): each rule at its boundaries on hand-built
// records, the records judged as they stood on as_of, the data-quality
// findings; then a synthetic world, where the triggers must equal both the
// children truth.json plants for each and an independent computation in
// Python straight from the files (tests/engine/reference/triggers_check.py);
// then `waymark triggers` through each profile.

#include "data/synth/world.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/triggers.hpp"
#include "engine/triggers_output.hpp"
#include "tests/support/files.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"
#include "tests/support/world_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <set>

namespace waymark {
namespace {

namespace m = waymark::model;
using nlohmann::json;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const m::Timestamp t0 = m::parse_timestamp_utc("2026-01-01T00:00:00Z");

m::Episode episode(const std::string& id, const std::string& child, m::Timestamp reported,
                   std::optional<m::Timestamp> returned, bool looked_after = false) {
    m::Episode e;
    e.episode_id = id;
    e.child_id = child;
    e.reported_at = reported;
    e.last_seen_at = reported;
    e.returned_at = returned;
    e.looked_after = looked_after;
    e.age = 15;
    e.risk_grade = m::RiskGrade::medium;
    return e;
}

m::ReturnInterview interview(const std::string& id, const std::string& episode_id,
                             std::optional<m::Timestamp> conducted,
                             m::RhiOutcome outcome = m::RhiOutcome::completed) {
    m::ReturnInterview r;
    r.rhi_id = id;
    r.episode_id = episode_id;
    r.child_id = "C-1";
    r.outcome = outcome;
    r.conducted_at = conducted;
    return r;
}

TriggerResult judge(const store::CaseRecords& records, m::Timestamp as_of,
                    const TriggerSettings& settings = {},
                    std::optional<m::Timestamp> since = std::nullopt) {
    TriggerQuery query;
    query.as_of = as_of;
    query.since = since;
    return evaluate_triggers(records, settings, query);
}

// Copies, so that the hits of a temporary result stay valid.
std::vector<TriggerHit> hits_of(const TriggerResult& result, Trigger trigger) {
    std::vector<TriggerHit> hits;
    for (const TriggerHit& hit : result.hits) {
        if (hit.trigger == trigger) {
            hits.push_back(hit);
        }
    }
    return hits;
}

TEST(Triggers, MissingExactlyTheThresholdIsNotOverIt) {
    store::CaseRecords records;
    records.episodes.push_back(episode("E-1", "C-1", t0, t0 + hours{24}));
    records.episodes.push_back(episode("E-2", "C-2", t0, t0 + hours{24} + seconds{1}));
    const TriggerResult result = judge(records, t0 + days{30});
    const auto long_missing = hits_of(result, Trigger::long_missing);
    ASSERT_EQ(long_missing.size(), 1u);
    EXPECT_EQ(long_missing[0].child_id, "C-2");
    EXPECT_EQ(long_missing[0].first_met, t0 + hours{24});
    EXPECT_FALSE(long_missing[0].ongoing);
    EXPECT_TRUE(hits_of(result, Trigger::not_located).empty());
}

TEST(Triggers, TheRecordsAreJudgedAsTheyStoodOnAsOf) {
    store::CaseRecords records;
    // Returned after 30 hours; judged after 23 hours it is nothing yet, after
    // 25 it is an ongoing long episode, after the return a closed one.
    records.episodes.push_back(episode("E-1", "C-1", t0, t0 + hours{30}));
    // Reported after as_of: does not exist yet.
    records.episodes.push_back(episode("E-2", "C-2", t0 + days{5}, std::nullopt));
    EXPECT_TRUE(judge(records, t0 + hours{23}).hits.empty());
    const TriggerResult at25 = judge(records, t0 + hours{25});
    ASSERT_EQ(hits_of(at25, Trigger::long_missing).size(), 1u);
    EXPECT_TRUE(hits_of(at25, Trigger::long_missing)[0].ongoing);
    EXPECT_EQ(at25.episodes_considered, 1);
    const TriggerResult at40 = judge(records, t0 + hours{40});
    EXPECT_FALSE(hits_of(at40, Trigger::long_missing)[0].ongoing);
}

TEST(Triggers, LookedAfterChildrenEscalateAt48HoursAndNotLocatedAt7Days) {
    store::CaseRecords records;
    records.episodes.push_back(episode("E-1", "C-1", t0, t0 + hours{50}, true));
    records.episodes.push_back(episode("E-2", "C-2", t0, t0 + hours{50}, false));
    records.episodes.push_back(episode("E-3", "C-3", t0, std::nullopt, true));
    const TriggerResult result = judge(records, t0 + days{8});
    const auto escalated = hits_of(result, Trigger::looked_after_long_missing);
    ASSERT_EQ(escalated.size(), 2u);
    EXPECT_EQ(escalated[0].child_id, "C-1");
    EXPECT_EQ(escalated[1].child_id, "C-3");
    const auto not_located = hits_of(result, Trigger::not_located);
    ASSERT_EQ(not_located.size(), 1u);
    EXPECT_EQ(not_located[0].child_id, "C-3");
    EXPECT_EQ(not_located[0].first_met, t0 + days{7});
    EXPECT_TRUE(not_located[0].ongoing);
}

TEST(Triggers, RepeatMissingCountsEpisodesWithinTheAreasWindow) {
    store::CaseRecords records;
    for (const auto& [id, day] : std::vector<std::pair<std::string, int>>{
             {"E-1", 0}, {"E-2", 20}, {"E-3", 90}, {"E-4", 200}}) {
        records.episodes.push_back(episode(id, "C-1", t0 + days{day}, t0 + days{day} + hours{2}));
    }
    const TriggerResult nineties = judge(records, t0 + days{365});
    const auto repeat = hits_of(nineties, Trigger::repeat_missing);
    ASSERT_EQ(repeat.size(), 1u);
    EXPECT_THAT(repeat[0].episodes, ElementsAre("E-1", "E-2", "E-3"));
    EXPECT_EQ(repeat[0].first_met, t0 + days{90});

    TriggerSettings kirklees;
    kirklees.repeat_window_days = 30; // Kirklees: 3 in 30 days (seed 004)
    EXPECT_TRUE(hits_of(judge(records, t0 + days{365}, kirklees), Trigger::repeat_missing).empty());
    kirklees.repeat_episodes = 2;
    const auto two = hits_of(judge(records, t0 + days{365}, kirklees), Trigger::repeat_missing);
    ASSERT_EQ(two.size(), 1u);
    EXPECT_THAT(two[0].episodes, ElementsAre("E-1", "E-2"));
    // Before the third episode is reported, the rule is not met.
    EXPECT_TRUE(hits_of(judge(records, t0 + days{89}), Trigger::repeat_missing).empty());
}

TEST(Triggers, AnInterviewIsLateWhenNoCompletedOneWasHeldWithin72Hours) {
    const m::Timestamp back = t0 + hours{10};
    store::CaseRecords records;
    records.episodes.push_back(episode("E-1", "C-1", t0, back));
    records.episodes.push_back(episode("E-2", "C-2", t0, back));
    records.episodes.push_back(episode("E-3", "C-3", t0, back));
    records.episodes.push_back(episode("E-4", "C-4", t0, back));
    records.rhis.push_back(interview("R-1", "E-1", back + hours{72})); // on time, just
    records.rhis.push_back(interview("R-2", "E-2", back + hours{73})); // late
    records.rhis.push_back(interview("R-3", "E-3", std::nullopt, m::RhiOutcome::declined));
    const auto late = hits_of(judge(records, t0 + days{30}), Trigger::rhi_late);
    std::vector<std::string> children;
    for (const TriggerHit& hit : late) {
        children.push_back(hit.child_id);
        EXPECT_EQ(hit.first_met, back + hours{72});
    }
    EXPECT_THAT(children, ElementsAre("C-2", "C-3", "C-4"));
    // Not yet due: nothing is late.
    EXPECT_TRUE(hits_of(judge(records, back + hours{71}), Trigger::rhi_late).empty());

    // The referral starts the clock where the area says so.
    TriggerSettings referral;
    referral.rhi_clock_starts = RhiClockStart::referral_time;
    records.rhis[1].referred_at = back + hours{2};
    const auto by_referral = hits_of(judge(records, t0 + days{30}, referral), Trigger::rhi_late);
    ASSERT_EQ(by_referral.size(), 2u);
    EXPECT_EQ(by_referral[0].child_id, "C-3");
}

TEST(Triggers, AHighGradingCountsOnceTheInterviewWasHeld) {
    store::CaseRecords records;
    records.episodes.push_back(episode("E-1", "C-1", t0, t0 + hours{3}));
    records.rhis.push_back(interview("R-1", "E-1", t0 + days{2}));
    records.rhis.back().risk_of_repeat = m::RepeatRisk::high;
    EXPECT_TRUE(hits_of(judge(records, t0 + days{1}), Trigger::rhi_graded_high).empty());
    const auto high = hits_of(judge(records, t0 + days{3}), Trigger::rhi_graded_high);
    ASSERT_EQ(high.size(), 1u);
    EXPECT_EQ(high[0].first_met, t0 + days{2});
}

TEST(Triggers, SinceKeepsOnlyWhatWasMetInThePeriod) {
    store::CaseRecords records;
    records.episodes.push_back(episode("E-1", "C-1", t0, t0 + hours{30}));
    records.episodes.push_back(episode("E-2", "C-2", t0 + days{20}, t0 + days{20} + hours{30}));
    const auto since =
        hits_of(judge(records, t0 + days{60}, {}, t0 + days{10}), Trigger::long_missing);
    ASSERT_EQ(since.size(), 1u);
    EXPECT_EQ(since[0].child_id, "C-2");
}

TEST(Triggers, DataQualityFindings) {
    store::CaseRecords records;
    records.episodes.push_back(episode("E-1", "C-1", t0, t0 + hours{5}));
    records.episodes.back().risk_grade = m::RiskGrade::low; // age 15
    records.episodes.push_back(episode("E-2", "C-2", t0, std::nullopt));
    records.episodes.push_back(episode("E-3", "C-3", t0, t0 - hours{1}));
    records.rhis.push_back(interview("R-1", "E-1", t0 + hours{1}));
    records.rhis.push_back(interview("R-2", "E-9", t0 + hours{1}));
    std::map<std::string, std::string> found;
    for (const QualityFinding& f : judge(records, t0 + days{100}).findings) {
        found[f.code] = f.record + ": " + f.detail;
    }
    EXPECT_EQ(found["low_risk_under_age"],
              "E-1: graded low risk at age 15; the area grades no child under 16 low");
    EXPECT_EQ(found["long_open_episode"], "E-2: still open after 100 days (no return recorded)");
    EXPECT_THAT(found["returned_before_missing"], HasSubstr("E-3: returned"));
    EXPECT_EQ(found["rhi_before_return"], "R-1: conducted 4 hours before the return it follows");
    EXPECT_EQ(found["rhi_without_episode"], "R-2: names an episode the store does not hold");
    EXPECT_EQ(found.size(), 5u);

    TriggerSettings no_age_rule;
    no_age_rule.low_risk_minimum_age.reset();
    for (const QualityFinding& f : judge(records, t0 + days{100}, no_age_rule).findings) {
        EXPECT_NE(f.code, "low_risk_under_age");
    }
}

// ---- a synthetic world ------------------------------------------------------

std::map<std::string, std::string> truth_names() {
    return {{"repeat_missing", "repeat_3_in_90_days"},
            {"long_missing", "missing_over_24h"},
            {"looked_after_long_missing", "looked_after_missing_over_48h"},
            {"not_located", "not_located_7_days"},
            {"rhi_graded_high", "rhi_graded_high"},
            {"rhi_late", "rhi_not_within_72h"}};
}

using ChildEpisodes = std::map<std::string, std::set<std::string>>;

// The children on which two answers differ, with both answers: short enough
// to read when a test fails (the full maps are thousands of lines).
std::string differences(const ChildEpisodes& found, const ChildEpisodes& expected) {
    std::set<std::string> children;
    for (const auto* side : {&found, &expected}) {
        for (const auto& [child, episodes] : *side) {
            children.insert(child);
        }
    }
    const auto list = [](const ChildEpisodes& side, const std::string& child) {
        const auto it = side.find(child);
        std::string text;
        for (const std::string& e : it == side.end() ? std::set<std::string>{} : it->second) {
            text += e + " ";
        }
        return "[" + text + "]";
    };
    std::string text;
    for (const std::string& child : children) {
        if (list(found, child) != list(expected, child)) {
            text += child + ": engine " + list(found, child) + " expected " +
                    list(expected, child) + "\n";
        }
    }
    return text;
}

class TriggersWorld : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir = std::make_unique<testing::TempDir>();
        test_store = std::make_unique<testing::TestStore>(*dir, "triggers.db");
        db = test_store->location();
        truth = testing::import_synthetic_world({synth::Scale::small, 11}, dir->path(), db);
        as_of = truth["triggers"]["as_of"].get<std::string>();
    }
    static void TearDownTestSuite() {
        test_store.reset();
        dir.reset();
    }

    static std::map<std::string, ChildEpisodes> engine_triggers(const std::string& at) {
        const auto store = store::open_store(db, store::Access::read);
        TriggerQuery query;
        query.as_of = m::parse_timestamp_utc(at);
        const TriggerResult result = evaluate_triggers(store->case_records(), {}, query);
        std::map<std::string, ChildEpisodes> found;
        for (const Trigger trigger : all_triggers) {
            found[std::string(to_code(trigger))]; // every rule present, met or not
        }
        for (const TriggerHit& hit : result.hits) {
            auto& episodes = found[std::string(to_code(hit.trigger))][hit.child_id];
            episodes.insert(hit.episodes.begin(), hit.episodes.end());
        }
        return found;
    }

    static json python_triggers(const std::string& at) {
        const std::string command = "/usr/bin/python3 " WAYMARK_SOURCE_DIR
                                    "/tests/engine/reference/triggers_check.py '" +
                                    (dir->path() / "world").string() + "' " + at;
        FILE* pipe = popen(command.c_str(), "r");
        std::string output;
        char buffer[4096];
        while (const std::size_t read = fread(buffer, 1, sizeof buffer, pipe)) {
            output.append(buffer, read);
        }
        EXPECT_EQ(pclose(pipe), 0) << output;
        return json::parse(output);
    }

    static inline std::unique_ptr<testing::TempDir> dir;
    /// A SpatiaLite file or a PostGIS database (test_store.hpp).
    static inline std::unique_ptr<testing::TestStore> test_store;
    static inline std::string db;
    static inline json truth;
    static inline std::string as_of;
};

TEST_F(TriggersWorld, EqualTheChildrenTruthPlantsForEachTrigger) {
    const auto found = engine_triggers(as_of);
    for (const auto& [code, truth_name] : truth_names()) {
        SCOPED_TRACE(code);
        ChildEpisodes planted;
        for (const auto& [child, episodes] : truth["triggers"][truth_name].items()) {
            planted[child] = episodes.get<std::set<std::string>>();
        }
        EXPECT_FALSE(planted.empty());
        EXPECT_EQ(differences(found.at(code), planted), "");
    }
}

TEST_F(TriggersWorld, EqualAnIndependentComputationOnAnEarlierDate) {
    // Half-way through the world: open episodes, returns and interviews after
    // the date must all be judged as not yet having happened.
    const std::string middle = "2026-04-15T12:00:00Z";
    const auto found = engine_triggers(middle);
    const json reference = python_triggers(middle);
    for (const auto& [code, children] : reference["triggers"].items()) {
        SCOPED_TRACE(code);
        ChildEpisodes expected;
        for (const auto& [child, episodes] : children.items()) {
            expected[child] = episodes.get<std::set<std::string>>();
        }
        EXPECT_FALSE(expected.empty());
        EXPECT_EQ(differences(found.at(code), expected), "");
    }
}

TEST_F(TriggersWorld, TheCommandWritesThroughEachProfile) {
    const auto analyst =
        testing::run_cli({"--db", db, "triggers", "--as-of", "2026-09-30", "--profile", "analyst",
                          "--out", (dir->path() / "analyst").string()});
    ASSERT_EQ(analyst.code, 0) << analyst.err;
    EXPECT_THAT(analyst.out, HasSubstr("repeat_missing"));
    const std::string analyst_csv = testing::read_file(dir->path() / "analyst" / "triggers.csv");
    EXPECT_THAT(analyst_csv, HasSubstr(",C-"));

    const auto panel =
        testing::run_cli({"--db", db, "triggers", "--as-of", "2026-09-30", "--profile", "panel",
                          "--json", "--out", (dir->path() / "panel").string()});
    ASSERT_EQ(panel.code, 0) << panel.err;
    for (const char* file : {"triggers.csv", "findings.csv", "triggers.json"}) {
        const std::string text = testing::read_file(dir->path() / "panel" / file);
        EXPECT_THAT(text, Not(HasSubstr("C-0"))) << file;
        EXPECT_THAT(text, Not(HasSubstr("E-0"))) << file;
        EXPECT_THAT(text, Not(HasSubstr("R-0"))) << file;
    }
    EXPECT_EQ(json::parse(panel.out)["profile"], "panel");

    const auto partnership =
        testing::run_cli({"--db", db, "triggers", "--as-of", "2026-09-30", "--profile",
                          "partnership", "--out", (dir->path() / "partnership").string()});
    ASSERT_EQ(partnership.code, 0) << partnership.err;
    const json doc = json::parse(testing::read_file(dir->path() / "partnership" / "triggers.json"));
    EXPECT_FALSE(doc["triggers"]["repeat_missing"].contains("hits"));
    for (const auto& [code, entry] : doc["triggers"].items()) {
        EXPECT_TRUE(entry["children"].is_null() || entry["children"].get<int>() >= 5) << code;
    }
    EXPECT_FALSE(std::filesystem::exists(dir->path() / "partnership" / "findings.csv"));
    EXPECT_THAT(testing::read_file(dir->path() / "partnership" / "triggers.csv"),
                Not(HasSubstr("C-0")));
}

TEST_F(TriggersWorld, TheCommandRefusesBadDates) {
    const auto bad = testing::run_cli({"--db", db, "triggers", "--as-of", "2026-13-01", "--profile",
                                       "analyst", "--out", (dir->path() / "bad").string()});
    EXPECT_EQ(bad.code, 2);
    const auto order =
        testing::run_cli({"--db", db, "triggers", "--as-of", "2026-01-01", "--since", "2026-02-01",
                          "--profile", "analyst", "--out", (dir->path() / "bad").string()});
    EXPECT_EQ(order.code, 2);
    EXPECT_THAT(order.err, HasSubstr("--since 2026-02-01 is after --as-of"));
}

} // namespace
} // namespace waymark
