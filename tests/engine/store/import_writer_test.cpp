// One transaction per import: what an import writes, and that a failed or
// abandoned import writes nothing.

#include "base/error.hpp"
#include "engine/store/sql_store.hpp"
#include "engine/store/store.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace waymark::store {
namespace {

using namespace std::chrono_literals;
using waymark::testing::message_of;
using waymark::testing::names_store;
using waymark::testing::StoreRows;
using waymark::testing::TempDir;
using waymark::testing::testing_postgis;
using waymark::testing::TestStore;
namespace m = waymark::model;

m::Location resolved_at(double x, double y, std::string label) {
    m::Location location;
    location.label = std::move(label);
    location.x = x;
    location.y = y;
    location.resolved = m::ResolvedPoint{m::Resolution::coordinates, {x, y}, ""};
    return location;
}

m::Episode episode(std::string id, std::string child) {
    m::Episode e;
    e.episode_id = std::move(id);
    e.child_id = std::move(child);
    e.reported_at = m::Timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} + 22h;
    e.returned_at = e.reported_at + 5h;
    e.age = 15;
    e.setting = m::Setting::childrens_home;
    e.looked_after = true;
    e.risk_grade = m::RiskGrade::medium;
    e.from = resolved_at(700100, 300200, "Oak House");
    e.missing_with = {"C-7"};
    e.extra = {{"beat", "7B"}};
    return e;
}

m::ReturnInterview interview() {
    m::ReturnInterview r;
    r.rhi_id = "R-1";
    r.episode_id = "E-1";
    r.child_id = "C-1";
    r.outcome = m::RhiOutcome::completed;
    r.consent_to_share = false;
    r.places = {{m::PlaceRole::slept, resolved_at(712340, 301220, "flat above shop"), {"P-9"}}};
    r.with = {{.person_id = "P-9", .name = "Dan", .kind = m::PersonKind::adult}};
    r.push_factors = {m::PushFactor::needing_space};
    r.pull_factors = {m::PullFactor::friends_fun};
    r.high_risk = {{m::HighRiskCategory::overnight_24h, true}};
    r.notes = {{"analysis", "free text <b>not markup</b>"}};
    m::Location unplaced;
    unplaced.label = "the old garages";
    r.locations_of_concern = {unplaced};
    return r;
}

m::CpiReport cpi() {
    m::CpiReport c;
    c.cpi_id = "I-1";
    c.received_at = m::Timestamp{std::chrono::sys_days{std::chrono::year{2026} / 3 / 5}} + 9h;
    c.submitter.name = "A Teacher";
    c.source.name = "Confidential Source";
    c.information = "seen with older males";
    c.subjects = {{{.person_id = "P-9", .kind = m::PersonKind::adult}, m::SubjectRole::suspect}};
    c.vehicles = {{"ZZ12ABC", "Ford", "", "black"}};
    c.grading = {m::SourceEvaluation::untested,
                 m::IntelligenceAssessment::known_indirectly_corroborated,
                 m::HandlingCode::lawful_sharing_permitted};
    return c;
}

// The store is a SpatiaLite file or a PostGIS database (test_store.hpp).
// count() reads its rows on either backend (StoreRows); what only SQLite can
// say (SpatiaLite's functions and index, sqlite_schema) is skipped on PostGIS.
class ImportWriterTest : public ::testing::Test {
protected:
    TempDir dir;
    TestStore test_store{dir, "waymark.db"};
    std::string path = test_store.location();
    void SetUp() override { create_or_upgrade_store(path, 27700); }

    std::int64_t count(const std::string& sql) { return StoreRows(path).int64(sql); }
};

TEST_F(ImportWriterTest, CommittedImportIsStoredWithItsRun) {
    auto store = open_store(path, Access::write);
    auto writer = store->begin_import({"episodes", "episodes.csv", "abc123", ""});
    EXPECT_EQ(AddResult::inserted, writer->add(episode("E-1", "C-1")));
    EXPECT_EQ(AddResult::inserted, writer->add(episode("E-2", "C-1")));
    writer->quarantine(4, "reported_at: invalid date '2026-02-30'", "E-3,C-2,2026-02-30,...");
    writer->commit(
        {.rows_read = 4, .rows_imported = 2, .rows_quarantined = 1, .report_json = "{}"});

    const StoreStatus status = store->status();
    EXPECT_EQ(status.episodes, 2);
    EXPECT_EQ(status.children, 1);
    EXPECT_EQ(status.open_episodes, 0);
    EXPECT_EQ(status.locations, 2);
    EXPECT_EQ(status.quarantined_rows, 1);
    EXPECT_EQ(status.import_runs, 1);
    EXPECT_EQ(status.first_reported_at, "2026-03-02T22:00:00Z");
    ASSERT_EQ(status.last_imports.size(), 1U);
    EXPECT_EQ(status.last_imports[0].kind, "episodes");
    EXPECT_EQ(status.last_imports[0].rows_imported, 2);
    EXPECT_EQ(status.last_imports[0].rows_quarantined, 1);
    EXPECT_TRUE(status.last_imports[0].finished_at.has_value());

    EXPECT_EQ(count("SELECT count(*) FROM episodes WHERE import_run_id = 1 AND "
                    "setting = 'childrens_home' AND risk_grade = 'medium' AND looked_after = 1"),
              2);
    EXPECT_EQ(count("SELECT count(*) FROM episode_missing_with WHERE child_id = 'C-7'"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM episodes WHERE attributes = '{\"beat\":\"7B\"}'"), 2);
    // ST_X, ST_Y and ST_SRID are both SpatiaLite's and PostGIS's.
    EXPECT_EQ(count("SELECT count(*) FROM locations WHERE ST_X(geom) = 700100 AND "
                    "ST_Y(geom) = 300200 AND ST_SRID(geom) = 27700 AND label = 'Oak House'"),
              2);
}

TEST_F(ImportWriterTest, ThePlacesIndexStaysConsistentAndLocationsHaveNone) {
    auto store = open_store(path, Access::write);
    auto writer = store->begin_import({"mixed", "test", "", ""});
    for (int i = 0; i < 50; ++i) {
        writer->add(episode("E-" + std::to_string(i), "C-" + std::to_string(i % 7)));
    }
    writer->add(interview()); // one placed, one unresolved location
    writer->add(
        m::GazetteerEntry{
            .key = "ZZ1 4AB", .key_type = m::GazetteerKeyType::postcode, .x = 712340, .y = 301220},
        {712340, 301220});
    writer->commit({});
    // Locations have points (but no spatial index, schema version 6).
    EXPECT_EQ(count("SELECT count(*) FROM locations WHERE geom IS NOT NULL"), 51);
    if (testing_postgis()) {
        // A box search finds the gazetteer entry and nothing else; locations have no GiST index.
        EXPECT_EQ(count("SELECT count(*) FROM places WHERE geom && "
                        "ST_MakeEnvelope(712300, 301200, 712400, 301300, 27700)"),
                  1);
        EXPECT_EQ(count("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                        "AND tablename = 'locations' AND indexdef LIKE '%USING gist%'"),
                  0);
        GTEST_SKIP() << "SpatiaLite's R*Tree index, SpatialIndex and sqlite_master are SQLite's";
    }
    // SpatiaLite's own check compares the R*Tree with its table.
    EXPECT_EQ(count("SELECT CheckSpatialIndex('places', 'geom')"), 1);
    // A spatial query through the index finds the gazetteer entry and nothing else.
    EXPECT_EQ(count("SELECT count(*) FROM places WHERE ROWID IN (SELECT ROWID FROM "
                    "SpatialIndex WHERE f_table_name = 'places' AND search_frame = "
                    "BuildMbr(712300, 301200, 712400, 301300, 27700))"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM sqlite_master WHERE name = 'idx_locations_geom'"), 0);
}

TEST_F(ImportWriterTest, AnAbandonedImportLeavesNothing) {
    auto store = open_store(path, Access::write);
    {
        auto writer = store->begin_import({"episodes", "episodes.csv", "", ""});
        writer->add(episode("E-1", "C-1"));
        writer->quarantine(2, "bad row", "x");
        // destroyed without commit(), as when an exception unwinds an import
    }
    const StoreStatus status = store->status();
    EXPECT_EQ(status.episodes, 0);
    EXPECT_EQ(status.children, 0);
    EXPECT_EQ(status.locations, 0);
    EXPECT_EQ(status.quarantined_rows, 0);
    EXPECT_EQ(status.import_runs, 0);
}

// A large import into a small table builds some indexes once at the end; the
// store ends with the same indexes either way, and an abandoned import, which
// dropped them inside its transaction, leaves them in place.
TEST_F(ImportWriterTest, ALargeImportEndsWithTheSameIndexes) {
    // Every index as "name: definition", by name: from sqlite_schema, or pg_indexes.
    const auto indexes = [&] {
        const std::string sql =
            testing_postgis()
                ? "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                  "current_schema() ORDER BY indexname"
                : "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
                  "ORDER BY name";
        std::string all;
        for (const auto& row : StoreRows(path).rows(sql)) {
            all += (all.empty() ? "" : "; ") + row.at(0).value_or("NULL") + ": " +
                   row.at(1).value_or("NULL");
        }
        return all;
    };
    const std::string before = indexes();
    ASSERT_NE(before.find("episodes_child: CREATE INDEX"), std::string::npos);
    auto store = open_store(path, Access::write);
    {
        auto writer = store->begin_import({"episodes", "big.csv", "", "", 50'000});
        writer->add(episode("E-1", "C-1"));
        // destroyed without commit()
    }
    EXPECT_EQ(indexes(), before);
    {
        auto writer = store->begin_import({"episodes", "big.csv", "", "", 50'000});
        writer->add(episode("E-1", "C-1"));
        writer->add(episode("E-2", "C-2"));
        writer->commit({});
    }
    EXPECT_EQ(indexes(), before);
    if (testing_postgis()) {
        GTEST_SKIP() << "INDEXED BY is SQLite's";
    }
    EXPECT_EQ(count("SELECT count(*) FROM episodes INDEXED BY episodes_child WHERE child_id = "
                    "'C-2'"),
              1);
}

// A second row with an id in one file is a duplicate whatever the first
// became: new, updated, or found stored and left unchanged. Only this
// import's rows count, and the answer comes from the store.
TEST_F(ImportWriterTest, AddedEarlierKnowsWhatThisImportAdded) {
    auto store = open_store(path, Access::write);
    const m::GazetteerEntry place{
        .key = "ZZ1 4AB", .key_type = m::GazetteerKeyType::postcode, .x = 712340, .y = 301220};
    {
        auto writer = store->begin_import({"episodes", "first.csv", "", ""});
        EXPECT_FALSE(writer->added_earlier("episodes", "E-1"));
        writer->add(episode("E-1", "C-1"), 5);
        EXPECT_TRUE(writer->added_earlier("episodes", "E-1"));
        EXPECT_FALSE(writer->added_earlier("rhi", "E-1")); // another kind, another id space
        writer->add(place, {712340, 301220}, 7);
        writer->commit({});
    }
    {
        auto writer = store->begin_import({"episodes", "second.csv", "", ""});
        EXPECT_FALSE(writer->added_earlier("episodes", "E-1")); // stored by an earlier import
        EXPECT_EQ(writer->add(episode("E-1", "C-1"), 5), AddResult::unchanged);
        EXPECT_TRUE(writer->added_earlier("episodes", "E-1"));
        EXPECT_FALSE(writer->added_earlier("episodes", "E-2"));
        EXPECT_EQ(writer->add(episode("E-2", "C-2"), 6), AddResult::inserted);
        EXPECT_TRUE(writer->added_earlier("episodes", "E-2"));
        EXPECT_FALSE(writer->added_earlier("gazetteer", "postcode:ZZ1 4AB"));
        EXPECT_EQ(writer->add(place, {712340, 301220}, 8), AddResult::updated);
        EXPECT_TRUE(writer->added_earlier("gazetteer", "postcode:ZZ1 4AB"));
        EXPECT_FALSE(writer->added_earlier("gazetteer", "place:ZZ1 4AB"));
        // abandoned: nothing of it, the ids it saw included, outlives it
    }
    auto writer = store->begin_import({"episodes", "third.csv", "", ""});
    EXPECT_FALSE(writer->added_earlier("episodes", "E-1"));
    EXPECT_FALSE(writer->added_earlier("episodes", "E-2"));
    EXPECT_FALSE(writer->added_earlier("gazetteer", "postcode:ZZ1 4AB"));
}

TEST_F(ImportWriterTest, AFailureMidImportRollsEverythingBack) {
    auto store = open_store(path, Access::write);
    const auto run_import = [&] {
        auto writer = store->begin_import({"episodes", "episodes.csv", "", ""});
        writer->add(episode("E-1", "C-1"));
        writer->add(episode("E-2", "C-2"));
        // The reader fails half-way through the file: the writer unwinds uncommitted.
        throw IoError("episodes.csv: read error at line 3");
    };
    EXPECT_THROW(run_import(), IoError);
    EXPECT_EQ(store->status().episodes, 0);
    EXPECT_EQ(store->status().import_runs, 0);
}

TEST_F(ImportWriterTest, DuplicateIdsWithoutAHashAreRefusedWithoutWritingAnything) {
    auto store = open_store(path, Access::write);
    auto writer = store->begin_import({"episodes", "episodes.csv", "", ""});
    EXPECT_EQ(AddResult::inserted, writer->add(episode("E-1", "C-1")));
    EXPECT_EQ(AddResult::refused, writer->add(episode("E-1", "C-9")));
    EXPECT_EQ(AddResult::inserted, writer->add(cpi()));
    EXPECT_EQ(AddResult::refused, writer->add(cpi()));
    EXPECT_EQ(AddResult::inserted, writer->add(interview()));
    EXPECT_EQ(AddResult::refused, writer->add(interview()));
    m::Person dan{.person_id = "P-9", .kind = m::PersonKind::adult, .name = "Dan"};
    EXPECT_EQ(AddResult::inserted, writer->add(dan));
    EXPECT_EQ(AddResult::refused, writer->add(dan));
    m::GazetteerEntry place{
        .key = "ZZ1 4AB", .key_type = m::GazetteerKeyType::postcode, .x = 712340, .y = 301220};
    EXPECT_EQ(AddResult::inserted, writer->add(place, {712340, 301220}));
    EXPECT_EQ(AddResult::refused, writer->add(place, {712340, 301220}));
    writer->commit({});
    const StoreStatus status = store->status();
    EXPECT_EQ(status.episodes, 1);
    EXPECT_EQ(status.children, 1); // C-9 came only with the refused duplicate
    EXPECT_EQ(status.cpis, 1);
    EXPECT_EQ(status.rhis, 1);
    EXPECT_EQ(status.persons, 1);
    EXPECT_EQ(status.places, 1);
    // episode 1 (from) + RHI place + RHI location of concern; nothing from the duplicates
    EXPECT_EQ(status.locations, 3);
}

TEST_F(ImportWriterTest, InterviewPartsAndUnresolvedLocationsAreKept) {
    auto store = open_store(path, Access::write);
    auto writer = store->begin_import({"rhi", "rhi.jsonl", "", ""});
    ASSERT_EQ(AddResult::inserted, writer->add(interview()));
    writer->commit({.rows_read = 1, .rows_imported = 1, .unresolved_locations = 1});
    EXPECT_EQ(store->status().unresolved_locations, 1);
    EXPECT_EQ(count("SELECT count(*) FROM rhi_places p JOIN rhi_place_with w USING (rhi_place_id) "
                    "WHERE p.role = 'slept' AND w.person_ref = 'P-9'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM rhi_places p JOIN locations l USING (location_id) "
                    "WHERE p.part = 'locations_of_concern' AND l.resolution = 'unresolved' AND "
                    "l.geom IS NULL AND l.label = 'the old garages'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM rhi_people WHERE part = 'with' AND name = 'Dan'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM rhi_factors"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM rhi_high_risk WHERE category = 'overnight_24h'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM rhi_notes WHERE text = 'free text <b>not markup</b>'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM rhis WHERE consent_to_share = 0"), 1);
}

TEST_F(ImportWriterTest, ReimportingTheSameContentChangesNothing) {
    auto store = open_store(path, Access::write);
    for (int round = 0; round < 2; ++round) {
        auto writer = store->begin_import({"episodes", "episodes.csv", "", ""});
        const AddResult expected = round == 0 ? AddResult::inserted : AddResult::unchanged;
        EXPECT_EQ(writer->add(episode("E-1", "C-1"), 11), expected);
        EXPECT_EQ(writer->add(interview(), 12), expected);
        EXPECT_EQ(writer->add(cpi(), 13), expected);
        writer->commit({});
    }
    const StoreStatus status = store->status();
    EXPECT_EQ(status.episodes, 1);
    EXPECT_EQ(status.rhis, 1);
    EXPECT_EQ(status.cpis, 1);
    EXPECT_EQ(status.locations, 3); // nothing written twice
    EXPECT_EQ(count("SELECT count(*) FROM import_changes"), 0);
}

TEST_F(ImportWriterTest, ANewerExtractUpdatesChangedRecordsAndRecordsWhatChanged) {
    auto store = open_store(path, Access::write);
    m::Episode open = episode("E-1", "C-1");
    open.returned_at.reset(); // still missing in the first extract
    {
        auto writer = store->begin_import({"episodes", "old.csv", "", ""});
        writer->add(open, 1);
        writer->add(episode("E-2", "C-2"), 2);
        writer->commit({});
    }
    EXPECT_EQ(store->status().open_episodes, 1);
    m::Episode returned = episode("E-1", "C-1");
    returned.found = resolved_at(712340, 301220, "Bus Station");
    {
        auto writer = store->begin_import({"episodes", "new.csv", "", ""});
        EXPECT_EQ(writer->add(returned, 3), AddResult::updated);
        EXPECT_EQ(writer->last_changes(),
                  (std::vector<std::string>{"returned_at", "found_x", "found_y", "found_crs",
                                            "found_label", "found_resolution"}));
        EXPECT_EQ(writer->add(episode("E-2", "C-2"), 2), AddResult::unchanged);
        writer->commit({.rows_read = 2, .rows_updated = 1, .rows_unchanged = 1});
    }
    const StoreStatus status = store->status();
    EXPECT_EQ(status.episodes, 2);
    EXPECT_EQ(status.open_episodes, 0);
    EXPECT_EQ(status.locations, 3); // E-1's old location replaced, not kept beside the new ones
    EXPECT_EQ(
        count("SELECT count(*) FROM import_changes WHERE record_id = 'E-1' AND "
              "fields = 'returned_at,found_x,found_y,found_crs,found_label,found_resolution' AND "
              "import_run_id = 2"),
        1);
    EXPECT_EQ(count("SELECT count(*) FROM episode_missing_with"), 2);
}

TEST_F(ImportWriterTest, AnUpdatedGazetteerEntryMovesInPlace) {
    auto store = open_store(path, Access::write);
    m::GazetteerEntry place{.key = "PL-1",
                            .key_type = m::GazetteerKeyType::place,
                            .x = 700000,
                            .y = 300000,
                            .label = "Bus Station"};
    {
        auto writer = store->begin_import({"gazetteer", "g.csv", "", ""});
        writer->add(place, {700000, 300000}, 1);
        writer->commit({});
    }
    place.x = 700500;
    {
        auto writer = store->begin_import({"gazetteer", "g2.csv", "", ""});
        EXPECT_EQ(writer->add(place, {700500, 300000}, 2), AddResult::updated);
        EXPECT_EQ(writer->last_changes(), (std::vector<std::string>{"given_x"}));
        writer->commit({});
    }
    EXPECT_EQ(count("SELECT count(*) FROM places WHERE ST_X(geom) = 700500"), 1);
    if (testing_postgis()) {
        GTEST_SKIP() << "CheckSpatialIndex is SpatiaLite's";
    }
    EXPECT_EQ(count("SELECT CheckSpatialIndex('places', 'geom')"), 1);
}

TEST_F(ImportWriterTest, CpiSourceBlocksGoToTheRestrictedTableOnly) {
    auto store = open_store(path, Access::write);
    auto writer = store->begin_import({"cpi", "cpi.jsonl", "", ""});
    ASSERT_EQ(AddResult::inserted, writer->add(cpi()));
    writer->commit({});
    EXPECT_EQ(count("SELECT count(*) FROM cpi_restricted WHERE source_name = "
                    "'Confidential Source' AND submitter_name = 'A Teacher'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM cpis WHERE grading_source = '2' AND "
                    "grading_intelligence = 'B' AND grading_handling = 'P'"),
              1);
    EXPECT_EQ(count(std::string("SELECT count(*) FROM cpis WHERE ") +
                    (testing_postgis() ? "strpos" : "instr") +
                    "(coalesce(attributes, ''), 'Confidential') > 0"),
              0);
    EXPECT_EQ(count("SELECT count(*) FROM cpi_vehicles WHERE vrm = 'ZZ12ABC'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM cpi_subjects WHERE role = 'suspect'"), 1);
}

TEST_F(ImportWriterTest, AReadOnlyStoreRefusesToImport) {
    auto store = open_store(path, Access::read);
    EXPECT_TRUE(names_store(message_of<StoreError>([&] {
                                store->begin_import({"episodes", "episodes.csv", "", ""});
                            }),
                            "cannot import into ", test_store, ": the store was opened read-only"));
}

TEST_F(ImportWriterTest, ASecondWriterWaitsForTheFirstInsteadOfFailing) {
    auto first = open_store(path, Access::write);
    auto writer = first->begin_import({"episodes", "a.csv", "", ""});
    writer->add(episode("E-1", "C-1"));

    std::atomic<bool> second_started{false};
    std::atomic<bool> second_done{false};
    std::thread other([&] {
        auto second = open_store(path, Access::write);
        second_started = true;
        auto import = second->begin_import({"episodes", "b.csv", "", ""}); // blocks here
        import->add(episode("E-2", "C-2"));
        import->commit({});
        second_done = true;
    });
    while (!second_started) {
        std::this_thread::yield();
    }
    std::this_thread::sleep_for(200ms);
    EXPECT_FALSE(second_done); // still waiting for the write lock
    writer->commit({});
    other.join();
    EXPECT_TRUE(second_done);
    EXPECT_EQ(first->status().episodes, 2);
    EXPECT_EQ(first->status().import_runs, 2);
}

} // namespace
} // namespace waymark::store
