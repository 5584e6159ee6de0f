// The profile stage (engine/profile_stage.hpp) on hand-made inputs: keyed
// pseudonyms against Python's hmac module, snapping, what the panel never
// sees, small-cell suppression and the partnership's layer check.

#include "base/error.hpp"
#include "engine/layer_writer.hpp"
#include "engine/profile_stage.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace waymark {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using waymark::testing::message_of;
using waymark::testing::TempDir;
using S = AggregateCell::Suppression;

std::vector<unsigned char> test_key(unsigned char first = 0) {
    std::vector<unsigned char> key(32);
    std::iota(key.begin(), key.end(), first);
    return key;
}

// Values from Python's hmac and base64 modules (an independent
// implementation): hmac.new(bytes(range(32)), b"waymark-pseudonym-v1:" + id,
// hashlib.sha256), base-32, first 13 characters, lower case.
TEST(Pseudonym, MatchesPythonsHmacAndBase32) {
    const auto key = test_key();
    EXPECT_EQ(pseudonym(key, "C-000124"), "ps-2sepbrmg7j2dg");
    EXPECT_EQ(pseudonym(key, "P-000009"), "ps-bagtho6jbroel");
    EXPECT_EQ(pseudonym(key, "E-0000001"), "ps-ybfnc6pkcmelt");
}

TEST(Pseudonym, IsStableForOneKeyAndDiffersWithAnother) {
    const auto key = test_key();
    const auto other = test_key(1);
    EXPECT_EQ(pseudonym(key, "C-000124"), pseudonym(key, "C-000124"));
    EXPECT_NE(pseudonym(key, "C-000124"), pseudonym(other, "C-000124"));
    EXPECT_NE(pseudonym(key, "C-000124"), pseudonym(key, "C-000125"));
    EXPECT_THAT(pseudonym(key, "anything"), MatchesRegex("ps-[a-z2-7]{13}"));
}

TEST(ProfileStage, AnalystKeepsIdsAndOthersNeedAKey) {
    const ProfileStage analyst(Profile::analyst, {}, {});
    EXPECT_EQ(analyst.id("C-1"), "C-1");
    EXPECT_THAT(message_of<StoreError>([] { ProfileStage(Profile::panel, {}, {}); }),
                HasSubstr("pseudonymisation key is missing"));
    const ProfileStage panel(Profile::panel, {}, test_key());
    EXPECT_EQ(panel.id("C-000124"), "ps-2sepbrmg7j2dg");
    EXPECT_EQ(panel.id(""), "");
}

TEST(ProfileStage, PrivatePlacesAreHomesPlacementsRestrictedAndUntypedHomesLeftFrom) {
    EXPECT_TRUE(ProfileStage::private_place("home", false, "found", ""));
    EXPECT_TRUE(ProfileStage::private_place("placement", false, "visited", ""));
    EXPECT_TRUE(ProfileStage::private_place("park", true, "visited", ""));
    EXPECT_TRUE(ProfileStage::private_place("", false, "from", "childrens_home"));
    EXPECT_TRUE(ProfileStage::private_place("", false, "from", "home"));
    EXPECT_FALSE(ProfileStage::private_place("", false, "found", "home"));
    EXPECT_FALSE(ProfileStage::private_place("school", false, "from", "home"));
    EXPECT_FALSE(ProfileStage::private_place("", false, "from", "health"));
}

// ---- Incidents, through a store that holds only incidents -----------------------

class IncidentStore final : public store::Store {
public:
    std::vector<store::Incident> incidents;

    int schema_version() const override { return 0; }
    int working_crs() const override { return 27700; }
    std::vector<unsigned char> pseudonym_key() const override { return test_key(); }
    store::StoreStatus status() const override { return {}; }
    void
    for_each_place(const std::function<void(const model::GazetteerEntry&, const model::Point&)>&)
        const override {}
    std::unordered_map<std::string, std::optional<model::Timestamp>>
    episode_returns() const override {
        return {};
    }
    void
    for_each_incident(const std::function<void(const store::Incident&)>& visit) const override {
        for (const store::Incident& incident : incidents) {
            visit(incident);
        }
    }
    store::NetworkEvidence network_evidence() const override { return {}; }
    store::CaseRecords case_records() const override { return {}; }
    std::int64_t record_analysis(const store::AnalysisRecord&) override { return 0; }
    std::unique_ptr<store::ImportWriter> begin_import(const store::ImportRunInfo&) override {
        return nullptr;
    }
};

store::Incident incident(std::string role, std::string record, std::string child, double x,
                         double y) {
    store::Incident i;
    i.role = std::move(role);
    i.record_id = record;
    i.episode_id = std::move(record);
    i.child_id = std::move(child);
    i.point = {x, y};
    i.place_key = "PL-1";
    i.place_label = "12 Acacia Road";
    return i;
}

class PanelIncidents : public ::testing::Test {
protected:
    IncidentStore store;
    void SetUp() override {
        store.incidents.push_back(incident("from", "E-1", "C-1", 1234.0, 5678.0));
        store.incidents.back().place_type = "home";
        store.incidents.push_back(incident("found", "E-1", "C-1", 2000.0, 3000.0));
        store.incidents.back().place_type = "park";
        store.incidents.back().place_label = "Riverside Park";
        store.incidents.push_back(incident("visited", "R-1", "C-2", 100.0, 100.0));
        store.incidents.back().sensitive_disclosure = true;
        store.incidents.push_back(incident("visited", "R-2", "C-2", 100.0, 100.0));
        store.incidents.back().consent_to_share = false;
        store.incidents.push_back(incident("from", "E-9", "C-9", 700.0, 700.0));
        store.incidents.back().protected_child = true;
    }
    const std::function<bool(const store::Incident&)> all = [](const store::Incident&) {
        return true;
    };
};

TEST_F(PanelIncidents, AnalystGetsEverythingAsStored) {
    const ProfileStage analyst(Profile::analyst, {}, {});
    const ProfiledIncidents out = analyst.incidents(store, all);
    ASSERT_EQ(out.incidents().size(), 5u);
    EXPECT_EQ(out.incidents()[0].child_id, "C-1");
    EXPECT_EQ(out.incidents()[0].point.x, 1234.0);
}

TEST_F(PanelIncidents, PanelSnapsHomesPseudonymisesAndWithholds) {
    const ProfileStage panel(Profile::panel, {}, test_key());
    const ProfiledIncidents out = panel.incidents(store, all);
    ASSERT_EQ(out.incidents().size(), 2u);
    const store::Incident& home = out.incidents()[0];
    EXPECT_EQ(home.child_id, pseudonym(test_key(), "C-1"));
    EXPECT_EQ(home.record_id, pseudonym(test_key(), "E-1"));
    EXPECT_EQ(home.point.x, 1250.0); // the centre of its 500 m cell
    EXPECT_EQ(home.point.y, 5750.0);
    EXPECT_EQ(home.place_key, "cell:1250,5750");
    EXPECT_EQ(home.place_label.find("Acacia"), std::string::npos);
    const store::Incident& park = out.incidents()[1];
    EXPECT_EQ(park.point.x, 2000.0); // public: exact
    EXPECT_EQ(park.place_label, "Riverside Park");
    EXPECT_EQ(out.counts().sensitive, 1);
    EXPECT_EQ(out.counts().without_consent, 1);
    EXPECT_EQ(out.counts().protected_child, 1);
    EXPECT_EQ(out.counts().snapped, 1);
}

TEST_F(PanelIncidents, PanelSharesRhiIntelligenceWithoutConsentWhereTheAreaAllows) {
    PrivacySettings settings;
    settings.share_rhi_without_consent = true;
    const ProfileStage panel(Profile::panel, settings, test_key());
    EXPECT_EQ(panel.incidents(store, all).incidents().size(), 3u);
}

TEST_F(PanelIncidents, PartnershipKeepsNoLabelsAndNoProtectedChildren) {
    const ProfileStage partnership(Profile::partnership, {}, test_key());
    const ProfiledIncidents out = partnership.incidents(store, all);
    // Consent: aggregates only, so RHI intelligence without consent counts.
    ASSERT_EQ(out.incidents().size(), 3u);
    for (const store::Incident& i : out.incidents()) {
        EXPECT_TRUE(i.place_label.empty());
        EXPECT_TRUE(i.place_key.empty());
        EXPECT_NE(i.child_id, "C-9");
    }
}

// ---- Suppression ----------------------------------------------------------------

std::vector<AggregateCell> cells(std::initializer_list<std::pair<int, int>> counts) {
    std::vector<AggregateCell> out;
    int col = 0;
    for (const auto& [episodes, children] : counts) {
        AggregateCell cell;
        cell.col = col++;
        cell.episodes = episodes;
        cell.children = children;
        out.push_back(cell);
    }
    return out;
}

std::vector<S> suppression(const std::vector<AggregateCell>& cells) {
    std::vector<S> out;
    for (const AggregateCell& cell : cells) {
        out.push_back(cell.suppression);
    }
    return out;
}

TEST(Suppression, NothingBelowKNothingSuppressed) {
    auto c = cells({{9, 5}, {30, 12}});
    suppress_small_cells(c, 5);
    EXPECT_EQ(suppression(c), (std::vector<S>{S::none, S::none}));
}

TEST(Suppression, ALoneSmallCellTakesTheSmallestOtherWithIt) {
    // Alone, total - published would give the small cell back.
    auto c = cells({{40, 20}, {3, 2}, {8, 6}, {12, 9}});
    suppress_small_cells(c, 5);
    EXPECT_EQ(suppression(c), (std::vector<S>{S::none, S::primary, S::secondary, S::none}));
}

TEST(Suppression, SmallCellsTogetherBelowKTakeMore) {
    // Two cells of one child each: together still below k.
    auto c = cells({{1, 1}, {1, 1}, {6, 5}, {7, 6}, {50, 30}});
    suppress_small_cells(c, 5);
    EXPECT_EQ(suppression(c),
              (std::vector<S>{S::primary, S::primary, S::secondary, S::none, S::none}));
}

TEST(Suppression, EverythingGoesWhenNothingElseHidesTheSmallCell) {
    auto c = cells({{2, 2}, {9, 7}});
    suppress_small_cells(c, 5);
    EXPECT_EQ(suppression(c), (std::vector<S>{S::primary, S::secondary}));
}

// ---- The network ----------------------------------------------------------------

Entity entity(std::string id, EntityKind kind, std::string label) {
    Entity e;
    e.id = std::move(id);
    e.kind = kind;
    e.label = std::move(label);
    return e;
}

LinkEvidence evidence(std::string record, std::string source) {
    LinkEvidence e;
    e.record = std::move(record);
    e.source = std::move(source);
    e.date = "2025-01-01T00:00:00Z";
    return e;
}

class PanelNetwork : public ::testing::Test {
protected:
    Network net;
    store::NetworkEvidence records;

    void SetUp() override {
        net.entities.push_back(entity("C-1", EntityKind::child, "Kayla Smith"));       // 0
        net.entities.push_back(entity("P-9", EntityKind::adult, "Dan Brown"));         // 1
        net.entities.push_back(entity("place:H1", EntityKind::place, "12 Acacia Rd")); // 2
        net.entities[2].place_type = "home";
        net.entities[2].point = model::Point{1234, 5678};
        net.entities.push_back(entity("place:PK", EntityKind::place, "Riverside Park")); // 3
        net.entities[3].place_type = "park";
        net.entities[3].point = model::Point{2000, 3000};
        net.entities.push_back(entity("C-9", EntityKind::child, "Protected Child"));       // 4
        net.entities.push_back(entity("P-7", EntityKind::adult, "Only Sensitive"));        // 5
        net.entities.push_back(entity("vehicle:AB12CDE", EntityKind::vehicle, "AB12CDE")); // 6
        for (std::size_t i = 0; i < net.entities.size(); ++i) {
            net.index.emplace(net.entities[i].id, i);
        }
        records.protected_children.insert("C-9");

        Link with{0, 1, LinkType::with_during_episode, {evidence("R-1", "RHI")}};
        with.evidence.push_back(evidence("R-2", "RHI"));
        with.evidence.back().consent_restricted = true;
        net.links.push_back(with);
        Link home{0, 2, LinkType::stayed_at, {evidence("R-1", "RHI")}};
        net.links.push_back(home);
        Link park{0, 3, LinkType::visited, {evidence("R-1", "RHI")}};
        net.links.push_back(park);
        Link protected_place{3, 4, LinkType::found_at, {evidence("R-3", "RHI")}};
        net.links.push_back(protected_place);
        Link sensitive{0, 5, LinkType::concern_named, {evidence("R-4", "RHI")}};
        sensitive.evidence.back().sensitive = true;
        net.links.push_back(sensitive);
        Link cpi{1, 6, LinkType::associated_vehicle, {evidence("I-1", "CPI")}};
        cpi.evidence.back().grade_handling = "C";
        net.links.push_back(cpi);
        Link co{0, 4, LinkType::co_missing, {evidence("E-1/E-2", "inferred")}};
        net.links.push_back(co);
    }
};

TEST_F(PanelNetwork, AnalystGetsItUnchanged) {
    const ProfileStage analyst(Profile::analyst, {}, {});
    const ProfiledNetwork out = analyst.network(net, records);
    EXPECT_EQ(out.network().entities.size(), 7u);
    EXPECT_EQ(out.network().links.size(), 7u);
    EXPECT_EQ(out.network().entities[0].label, "Kayla Smith");
    EXPECT_EQ(out.counts().handling_flagged, 1);
}

TEST_F(PanelNetwork, PanelSeesPseudonymsSnappedHomesAndNoRestrictedEvidence) {
    const auto key = test_key();
    const ProfileStage panel(Profile::panel, {}, key);
    const ProfiledNetwork out = panel.network(net, records);
    const Network& n = out.network();
    // P-7 was named only in a sensitive disclosure: gone with its link.
    ASSERT_EQ(n.entities.size(), 6u);
    EXPECT_FALSE(n.find(pseudonym(key, "P-7")));
    for (const Entity& e : n.entities) {
        EXPECT_EQ(e.label.find("Smith"), std::string::npos) << e.id;
        EXPECT_EQ(e.label.find("Acacia"), std::string::npos) << e.id;
        EXPECT_EQ(e.id.find("C-"), std::string::npos) << e.id;
        EXPECT_EQ(e.id.find("P-"), std::string::npos) << e.id;
        EXPECT_EQ(e.id.find("AB12CDE"), std::string::npos) << e.id;
    }
    const auto child = n.find(pseudonym(key, "C-1"));
    ASSERT_TRUE(child);
    EXPECT_EQ(n.entities[*child].label, pseudonym(key, "C-1"));
    const auto home = n.find("place:" + pseudonym(key, "place:H1"));
    ASSERT_TRUE(home);
    EXPECT_EQ(n.entities[*home].point->x, 1250.0);
    EXPECT_EQ(n.entities[*home].point->y, 5750.0);
    const auto park = n.find("place:PK");
    ASSERT_TRUE(park);
    EXPECT_EQ(n.entities[*park].point->x, 2000.0);

    // The with link keeps only its consented record; the protected child's
    // place link is gone, its link to another child stays; the CPI link is
    // flagged for its handling code.
    ASSERT_EQ(n.links.size(), 5u);
    for (const Link& l : n.links) {
        for (const LinkEvidence& e : l.evidence) {
            EXPECT_FALSE(e.sensitive);
            EXPECT_FALSE(e.consent_restricted);
            EXPECT_EQ(e.record.find("R-"), std::string::npos);
            EXPECT_EQ(e.record.find("E-"), std::string::npos);
        }
        if (l.type == LinkType::with_during_episode) {
            ASSERT_EQ(l.evidence.size(), 1u);
            EXPECT_EQ(l.evidence[0].record, pseudonym(key, "R-1"));
        }
        if (l.type == LinkType::co_missing) {
            EXPECT_EQ(l.evidence[0].record, pseudonym(key, "E-1") + "/" + pseudonym(key, "E-2"));
        }
        EXPECT_NE(l.type, LinkType::found_at);
        EXPECT_NE(l.type, LinkType::concern_named);
    }
    const auto protected_child = n.find(pseudonym(key, "C-9"));
    ASSERT_TRUE(protected_child);
    EXPECT_FALSE(out.placeable(*protected_child));
    EXPECT_TRUE(out.placeable(*child));
    EXPECT_EQ(out.counts().sensitive, 1);
    EXPECT_EQ(out.counts().without_consent, 1);
    EXPECT_EQ(out.counts().protected_child, 1);
    EXPECT_EQ(out.counts().handling_flagged, 1);
    EXPECT_EQ(out.counts().entities_dropped, 1);
}

TEST_F(PanelNetwork, PartnershipGetsCountsOnlyWithSmallOnesHidden) {
    const ProfileStage partnership(Profile::partnership, {}, test_key());
    EXPECT_THAT(message_of<UsageError>([&] { partnership.network(net, records); }),
                HasSubstr("aggregates only"));
    const auto counts = partnership.network_summary(net, records);
    // One child left (the protected one is not counted): below k, hidden.
    ASSERT_TRUE(counts.count("entities.child"));
    EXPECT_FALSE(counts.at("entities.child").has_value());
    EXPECT_FALSE(counts.count("links.concern_named")); // resting only on a sensitive record
}

// ---- Layers ---------------------------------------------------------------------

LayerDescription cell_layer() {
    using T = LayerField::Type;
    return {"cells_from",
            "Cells",
            "Cells",
            LayerDescription::Geometry::polygon,
            {{"episodes", T::integer}, {"children", T::integer}, {"suppressed", T::text}},
            {}};
}

LayerFeature cell_feature(std::optional<std::int64_t> children) {
    LayerFeature f;
    f.rings = {{{0, 0}, {1, 0}, {1, 1}, {0, 1}}};
    f.values.emplace_back(std::int64_t{9});
    if (children) {
        f.values.emplace_back(*children);
        f.values.emplace_back(std::string());
    } else {
        f.values.emplace_back(std::monostate{});
        f.values.emplace_back(std::string("primary"));
    }
    return f;
}

TEST(Approve, PartnershipTakesOnlySuppressedAggregates) {
    const ProfileStage partnership(Profile::partnership, {}, test_key());
    const LayerDescription good = cell_layer();
    const std::vector<LayerFeature> ok = {cell_feature(7), cell_feature(std::nullopt)};
    EXPECT_EQ(partnership.approve(good, ok).features().size(), 2u);

    const std::vector<LayerFeature> small = {cell_feature(3)};
    EXPECT_EQ(message_of<Error>([&] { partnership.approve(good, small); }),
              "layer cells_from breaks the partnership profile: a cell of 3 children is below "
              "k = 5");
    LayerDescription points = good;
    points.geometry = LayerDescription::Geometry::point;
    EXPECT_THAT(message_of<Error>([&] { partnership.approve(points, ok); }),
                HasSubstr("only area aggregates"));
    LayerDescription named = good;
    named.fields.push_back({"label", LayerField::Type::text});
    EXPECT_THAT(message_of<Error>([&] { partnership.approve(named, {}); }),
                HasSubstr("text field label is not an aggregate"));
}

TEST(Approve, TheWriterTakesOnlyLayersApprovedForItsProfile) {
    const TempDir dir;
    LayerWriter writer(dir.path(), "w", 27700, Profile::partnership, {});
    const ProfileStage analyst(Profile::analyst, {}, {});
    const LayerDescription layer = cell_layer();
    const std::vector<LayerFeature> features = {cell_feature(7)};
    EXPECT_THAT(message_of<Error>([&] { writer.write(analyst.approve(layer, features)); }),
                HasSubstr("was approved for the analyst profile, not for the partnership"));
}

} // namespace
} // namespace waymark
