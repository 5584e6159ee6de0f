// waymark disrupt end to end on the force world (imported once for the
// suite): the planted adults and addresses of concern at the top of the
// list, the evidence and plans present, the panel's files without a source
// child id, and partnership refused.

#include "base/error.hpp"
#include "engine/disrupt.hpp"
#include "engine/store/store.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"
#include "tests/support/world_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <set>
#include <string>

namespace waymark {
namespace {

using ::testing::HasSubstr;
using waymark::testing::message_of;
using waymark::testing::read_file;
using waymark::testing::TempDir;
using waymark::testing::TestStore;

class DisruptForceWorld : public ::testing::Test {
protected:
    // One import of the force world for the whole suite (it is expensive
    // under the sanitizers).
    static void SetUpTestSuite() {
        s_dir = std::make_unique<TempDir>();
        s_store = std::make_unique<TestStore>(*s_dir, "waymark.db");
        s_db = s_store->location();
        s_truth = std::make_unique<nlohmann::json>(waymark::testing::import_synthetic_world(
            {.scale = synth::Scale::force, .seed = 13}, s_dir->path(), s_db));
    }
    static void TearDownTestSuite() {
        s_truth.reset();
        s_store.reset();
        s_dir.reset();
    }

    static std::unique_ptr<TempDir> s_dir;
    static std::unique_ptr<TestStore> s_store; ///< a SpatiaLite file or a PostGIS database
    static std::string s_db;
    static std::unique_ptr<nlohmann::json> s_truth;
};

std::unique_ptr<TempDir> DisruptForceWorld::s_dir;
std::unique_ptr<TestStore> DisruptForceWorld::s_store;
std::string DisruptForceWorld::s_db;
std::unique_ptr<nlohmann::json> DisruptForceWorld::s_truth;

TEST_F(DisruptForceWorld, PlantedTargetsFillTheTopWithEvidenceAndPlans) {
    const auto store = store::open_store(s_db, store::Access::read);
    const ProfileStage analyst(Profile::analyst, PrivacySettings{}, store->pseudonym_key());
    std::set<std::string> planted;
    for (const auto& a : (*s_truth)["adults_of_concern"]) {
        planted.insert(a["person_id"].get<std::string>());
    }
    for (const auto& a : (*s_truth)["addresses_of_concern"]) {
        planted.insert("place:" + a["key"].get<std::string>());
    }
    DisruptConfig config;
    config.top = static_cast<int>(planted.size());
    const DisruptionResult result = rank_disruption_targets(*store, analyst, config);
    ASSERT_EQ(result.targets.size(), planted.size());
    int top10 = 0, all = 0;
    for (const DisruptionTarget& t : result.targets) {
        const bool hit = planted.count(t.id) != 0;
        top10 += hit && t.rank <= 10 ? 1 : 0;
        all += hit ? 1 : 0;
    }
    std::printf("planted adults and addresses of concern: %d of the top 10, %d of the top %zu\n",
                top10, all, planted.size());
    EXPECT_GE(top10, 8); // the top 10 is at least 80% planted targets
    // Recall: at least 80% of the planted targets in the top (their number).
    EXPECT_GE(all * 10, static_cast<int>(planted.size()) * 8);
    EXPECT_GT(result.pairs, 0);
    EXPECT_GT(result.set_fragmentation, 0.0);

    // Ranks in order, scores falling, and every target with its evidence.
    for (std::size_t k = 0; k < result.targets.size(); ++k) {
        const DisruptionTarget& t = result.targets[k];
        EXPECT_EQ(t.rank, static_cast<int>(k + 1));
        if (k > 0) {
            EXPECT_LE(t.score, result.targets[k - 1].score);
        }
        EXPECT_GT(t.children, 0) << t.id;
        EXPECT_EQ(static_cast<std::int64_t>(t.linked_children.size()), t.children) << t.id;
        EXPECT_FALSE(t.evidence.empty()) << t.id;
        EXPECT_EQ(t.cuts.size(), static_cast<std::size_t>(t.pairs_cut)) << t.id;
        EXPECT_GE(t.plan.size(), 2U) << t.id;
        for (const PlanAction& a : t.plan) {
            EXPECT_FALSE(a.desired_outcome.empty());
            EXPECT_TRUE(a.progress.empty());
        }
    }
    // An adult of concern's evidence names its children and records.
    const DisruptionTarget& first = result.targets.front();
    EXPECT_FALSE(first.evidence.front().record_ids.empty());
    EXPECT_FALSE(first.evidence.front().first_date.empty());
}

TEST_F(DisruptForceWorld, PanelFilesHoldNoSourceChildIds) {
    const TempDir out;
    const auto store = store::open_store(s_db, store::Access::write);
    const ProfileStage panel(Profile::panel, PrivacySettings{}, store->pseudonym_key());
    DisruptConfig config;
    config.top = 10;
    config.out = out.path() / "panel";
    const DisruptionResult result = run_disrupt(*store, config, panel);
    EXPECT_GT(result.analysis_run, 0);
    ASSERT_EQ(result.files.size(), 6U);
    std::string all;
    for (const auto& file : result.files) {
        all += read_file(file);
    }
    // Children's source ids look like C-000123; no file may hold one.
    for (const auto& a : (*s_truth)["adults_of_concern"]) {
        for (const auto& child : a["children"]) {
            EXPECT_EQ(all.find(child.get<std::string>()), std::string::npos) << child;
        }
        EXPECT_EQ(all.find(a["name"].get<std::string>()), std::string::npos) << a["name"];
    }
    EXPECT_EQ(all.find("\"C-0"), std::string::npos);
    EXPECT_THAT(read_file(config.out / "disruption-plan.md"), HasSubstr("Desired outcome"));
    EXPECT_THAT(read_file(config.out / "disruption-plan.html"), HasSubstr("Progress at review"));
    EXPECT_THAT(read_file(config.out / "disruption.json"), HasSubstr("\"profile\": \"panel\""));
}

TEST_F(DisruptForceWorld, PartnershipIsRefused) {
    const auto store = store::open_store(s_db, store::Access::read);
    const ProfileStage partnership(Profile::partnership, PrivacySettings{}, store->pseudonym_key());
    EXPECT_THAT(message_of<UsageError>(
                    [&] { rank_disruption_targets(*store, partnership, DisruptConfig{}); }),
                HasSubstr("partnership profile gets aggregates only"));
}

} // namespace
} // namespace waymark
