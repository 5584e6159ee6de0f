// waymark migrate (issue 11, docs/migrate.md): a SpatiaLite store moved into
// an empty PostGIS database without loss. The source is a small synthetic
// world with its dirty files (quarantined rows with invalid UTF-8, warnings)
// and an analysis run; the target is a throwaway database in the test
// cluster. What the store gives the analyses (status, network evidence, case
// records, incidents, places, the key, the audit log) must be the same read
// from either; a target that is not empty, and sources that cannot be moved
// whole, are refused with a message naming what is wrong.
//
// Needs both backends in one run: registered only for the postgis run
// (tests/engine/CMakeLists.txt), whose TestStore is a PostgreSQL database;
// the source is a plain file beside it.

#include "base/error.hpp"
#include "engine/import.hpp"
#include "engine/settings.hpp"
#include "engine/store/migrate.hpp"
#include "engine/store/pg.hpp"
#include "engine/store/sql_store.hpp"
#include "engine/store/sqlite.hpp"
#include "engine/store/store.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"
#include "tests/support/world_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace waymark {
namespace {

namespace fs = std::filesystem;
using testing::message_of;
using testing::names_store;
using testing::run_cli;
using testing::TempDir;
using testing::TestStore;

// ---- Comparing what the two stores give ----------------------------------------

auto fields(const store::Incident& i) {
    return std::tie(i.role, i.record_id, i.episode_id, i.child_id, i.location_id, i.point,
                    i.place_key, i.place_label, i.at, i.setting, i.looked_after, i.risk_grade,
                    i.age, i.cse, i.cce, i.place_type, i.restricted, i.consent_to_share,
                    i.sensitive_disclosure, i.protected_child);
}
auto fields(const store::EvidenceLocation& l) {
    return std::tie(l.point, l.place_key, l.label, l.type, l.postcode, l.restricted);
}
auto fields(const store::EpisodeEvidence& e) {
    return std::tie(e.episode_id, e.child_id, e.start, e.end, e.from, e.found, e.missing_with,
                    e.risk_grade, e.cse, e.cce);
}
auto fields(const store::RhiPersonEvidence& p) {
    return std::tie(p.part, p.index, p.person);
}
auto fields(const store::RhiPlaceEvidence& p) {
    return std::tie(p.part, p.role, p.location, p.with);
}
auto fields(const store::CpiEvidence& c) {
    return std::tie(c.cpi_id, c.at, c.grade_source, c.grade_intelligence, c.grade_handling,
                    c.location, c.subjects, c.vehicles, c.places);
}
auto fields(const store::ImportRunSummary& r) {
    return std::tie(r.id, r.kind, r.file, r.started_at, r.finished_at, r.rows_imported,
                    r.rows_quarantined, r.unresolved_locations, r.rows_updated, r.rows_unchanged);
}

template <class T>
bool same_list(const std::vector<T>& a, const std::vector<T>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const T& x, const T& y) { return fields(x) == fields(y); });
}

bool same_rhis(const std::vector<store::RhiEvidence>& a, const std::vector<store::RhiEvidence>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
        return std::tie(x.rhi_id, x.episode_id, x.child_id, x.at, x.outcome, x.consent_to_share,
                        x.sensitive_disclosure) == std::tie(y.rhi_id, y.episode_id, y.child_id,
                                                            y.at, y.outcome, y.consent_to_share,
                                                            y.sensitive_disclosure) &&
               same_list(x.people, y.people) && same_list(x.places, y.places);
    });
}

void expect_same_evidence(const store::NetworkEvidence& a, const store::NetworkEvidence& b) {
    EXPECT_EQ(a.persons, b.persons);
    EXPECT_EQ(a.children, b.children);
    EXPECT_EQ(a.protected_children, b.protected_children);
    ASSERT_EQ(a.locations.size(), b.locations.size());
    for (const auto& [id, location] : a.locations) {
        const auto other = b.locations.find(id);
        ASSERT_NE(other, b.locations.end()) << "location " << id;
        EXPECT_TRUE(fields(location) == fields(other->second)) << "location " << id;
    }
    EXPECT_TRUE(same_list(a.episodes, b.episodes));
    EXPECT_TRUE(same_rhis(a.rhis, b.rhis));
    EXPECT_TRUE(same_list(a.cpis, b.cpis));
}

std::vector<store::Incident> incidents_of(const store::Store& store) {
    std::vector<store::Incident> incidents;
    store.for_each_incident(
        [&](const store::Incident& incident) { incidents.push_back(incident); });
    return incidents;
}

std::vector<std::pair<model::GazetteerEntry, model::Point>> places_of(const store::Store& store) {
    std::vector<std::pair<model::GazetteerEntry, model::Point>> places;
    store.for_each_place([&](const model::GazetteerEntry& entry, const model::Point& point) {
        places.emplace_back(entry, point);
    });
    return places;
}

std::int64_t source_count(const std::string& path, std::string_view table) {
    const auto db = sqlite::Database::open(path, sqlite::OpenMode::read_only);
    return sqlite::query_int64(db, "SELECT count(*) FROM " + std::string(table));
}

std::int64_t target_count(const std::string& url, std::string_view table) {
    const auto db = pg::Connection::open(url);
    return pg::query_int64(db, "SELECT count(*) FROM " + std::string(table));
}

// ---- The world, imported once ------------------------------------------------------

// Run outside ctest's postgis run, the target would be a file: say so.
constexpr const char* needs_postgis =
    "needs a PostgreSQL target: run it as postgis.* through ctest (WAYMARK_TEST_BACKEND=postgis)";

class MigrateWorld : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!testing::testing_postgis()) {
            return;
        }
        dir = std::make_unique<TempDir>();
        source = dir->file("source.db");
        world = dir->path() / "world";
        testing::import_synthetic_world({synth::Scale::small, 17, 1, true}, dir->path(), source);
        // The dirty files leave quarantined rows (some not UTF-8, which
        // PostgreSQL keeps as bytea) and warnings.
        const auto store = store::open_store(source, store::Access::write);
        const AreaSettings area;
        for (const auto& [kind, file] : std::vector<std::pair<std::string, std::string>>{
                 {"episodes", "episodes.csv"}, {"rhi", "rhi.jsonl"}, {"cpi", "cpi.jsonl"}}) {
            import_file(*store, area, {kind, world / "dirty" / file, {}});
        }
        store->record_analysis({"hotspots", "analyst", "2026-10-01T00:00:00Z",
                                R"({"role":["all"],"cell":250})", R"({"files":{}})"});
    }
    static void TearDownTestSuite() { dir.reset(); }
    void SetUp() override {
        if (!testing::testing_postgis()) {
            GTEST_SKIP() << needs_postgis;
        }
    }

    static std::unique_ptr<TempDir> dir;
    static std::string source;
    static fs::path world;
};

std::unique_ptr<TempDir> MigrateWorld::dir;
std::string MigrateWorld::source;
fs::path MigrateWorld::world;

TEST_F(MigrateWorld, MovesEveryTableAndTheStoreReadsTheSame) {
    ASSERT_GT(source_count(source, "quarantine"), 0);
    ASSERT_GT(source_count(source, "import_warnings"), 0);
    ASSERT_GT(source_count(source, "analysis_runs"), 0);
    const TestStore target(*dir, "target");
    const auto from = store::open_store(source, store::Access::read);
    const store::AuditVerification source_log = from->verify_audit_log("");
    ASSERT_TRUE(source_log.ok) << source_log.problem;

    std::vector<std::string> stages;
    const store::MigrationReport report = store::migrate_store(
        "sqlite:" + source, target.location(), [&stages](std::string_view stage, double fraction) {
            EXPECT_GE(fraction, 0.0);
            EXPECT_LE(fraction, 1.0);
            if (stages.empty() || stages.back() != stage) {
                stages.emplace_back(stage);
            }
        });
    EXPECT_THAT(stages, ::testing::ElementsAre("copying", "comparing", "verifying the audit log"));

    // Every table, in copy order, with the source's count; the target holds
    // as many (the audit log one more: the migration's own entry).
    ASSERT_EQ(report.tables.size(), store::migrated_tables().size());
    for (std::size_t i = 0; i < report.tables.size(); ++i) {
        const store::MigratedTable& table = report.tables[i];
        EXPECT_EQ(table.name, store::migrated_tables()[i]);
        EXPECT_EQ(table.rows, source_count(source, table.name)) << table.name;
        EXPECT_EQ(target_count(target.location(), table.name),
                  table.rows + (table.name == "audit_log" ? 1 : 0))
            << table.name;
        EXPECT_EQ(table.checksum.size(), 64U) << table.name;
    }
    EXPECT_EQ(report.from, source);
    EXPECT_EQ(report.working_crs, 27700);
    EXPECT_EQ(report.source_audit_head, source_log.head_hash);
    EXPECT_EQ(report.audit_seq, source_log.entries_checked + 1);

    const auto to = store::open_store(target.location(), store::Access::read);
    store::StoreStatus a = from->status();
    store::StoreStatus b = to->status();
    EXPECT_EQ(b.backend, "PostGIS");
    EXPECT_EQ(b.audit_entries, a.audit_entries + 1);
    EXPECT_TRUE(same_list(a.last_imports, b.last_imports));
    EXPECT_EQ(std::tie(a.schema_version, a.working_crs, a.created_at, a.children, a.episodes,
                       a.open_episodes, a.rhis, a.cpis, a.persons, a.places, a.locations,
                       a.unresolved_locations, a.quarantined_rows, a.import_runs,
                       a.first_reported_at, a.last_reported_at),
              std::tie(b.schema_version, b.working_crs, b.created_at, b.children, b.episodes,
                       b.open_episodes, b.rhis, b.cpis, b.persons, b.places, b.locations,
                       b.unresolved_locations, b.quarantined_rows, b.import_runs,
                       b.first_reported_at, b.last_reported_at));

    EXPECT_EQ(from->pseudonym_key(), to->pseudonym_key());
    expect_same_evidence(from->network_evidence(), to->network_evidence());
    const store::CaseRecords cases_a = from->case_records();
    const store::CaseRecords cases_b = to->case_records();
    EXPECT_EQ(cases_a.episodes, cases_b.episodes);
    EXPECT_EQ(cases_a.rhis, cases_b.rhis);
    EXPECT_TRUE(same_list(incidents_of(*from), incidents_of(*to)));
    EXPECT_EQ(places_of(*from), places_of(*to));
    EXPECT_EQ(from->episode_returns(), to->episode_returns());

    // The audit log: the source's entries as they were, then the migration's.
    const store::AuditVerification target_log = to->verify_audit_log(source_log.head_hash);
    EXPECT_TRUE(target_log.ok) << target_log.problem;
    EXPECT_EQ(target_log.entries_checked, source_log.entries_checked + 1);
    EXPECT_EQ(target_log.since_expected_head, 1);
    EXPECT_EQ(target_log.head_hash, report.target_audit_head);
    const auto entries_a = from->audit_log("");
    const auto entries_b = to->audit_log("");
    ASSERT_EQ(entries_b.size(), entries_a.size() + 1);
    for (std::size_t i = 0; i < entries_a.size(); ++i) {
        EXPECT_EQ(entries_a[i].hash, entries_b[i].hash) << "entry " << entries_a[i].seq;
    }
    const store::AuditLogEntry& entry = entries_b.back();
    EXPECT_EQ(entry.command, "migrate");
    EXPECT_EQ(entry.profile, "");
    const auto inputs = nlohmann::json::parse(entry.inputs);
    EXPECT_EQ(inputs["from"], source);
    EXPECT_EQ(inputs["source_audit_head"], source_log.head_hash);
    EXPECT_TRUE(inputs.contains("user"));
    const auto outputs = nlohmann::json::parse(entry.outputs);
    EXPECT_EQ(outputs["tables"]["episodes"], a.episodes);
    EXPECT_EQ(outputs["tables"]["audit_log"], a.audit_entries);

    // The target carries on where the source stopped: ids it numbers itself
    // follow the copied ones, and importing the same gazetteer changes nothing.
    const auto writer = store::open_store(target.location(), store::Access::write);
    const std::int64_t last_run = source_count(source, "analysis_runs");
    EXPECT_EQ(writer->record_analysis({"hotspots", "analyst", "2026-10-02T00:00:00Z", "{}", "{}"}),
              last_run + 1);
    const ImportReport again =
        import_file(*writer, AreaSettings{}, {"gazetteer", world / "gazetteer.csv", {}});
    EXPECT_EQ(again.inserted, 0);
    EXPECT_EQ(again.unchanged, a.places);
    EXPECT_TRUE(writer->verify_audit_log("").ok);
}

// Something in the target already: the table is named, nothing changes.
TEST_F(MigrateWorld, RefusesATargetThatHoldsRecords) {
    const TestStore target(*dir, "target");
    store::create_or_upgrade_store(target.location(), 27700);
    {
        const auto store = store::open_store(target.location(), store::Access::write);
        import_file(*store, AreaSettings{}, {"gazetteer", world / "gazetteer.csv", {}});
    }
    const auto before = store::open_store(target.location(), store::Access::read);
    const store::StoreStatus status = before->status();
    const auto key = before->pseudonym_key();

    const std::string message = message_of<StoreError>(
        [&] { store::migrate_store("sqlite:" + source, target.location()); });
    EXPECT_TRUE(names_store(message, "store ", target,
                            " is not empty (table import_runs holds 1 row): migrate copies into "
                            "an empty database only"));

    const auto after = store::open_store(target.location(), store::Access::read);
    EXPECT_EQ(after->pseudonym_key(), key);
    const store::StoreStatus now = after->status();
    EXPECT_EQ(std::tie(now.places, now.import_runs, now.audit_entries, now.created_at),
              std::tie(status.places, status.import_runs, status.audit_entries, status.created_at));
}

TEST_F(MigrateWorld, RefusesATargetThatHoldsOnlyAuditEntries) {
    const TestStore target(*dir, "target");
    store::create_or_upgrade_store(target.location(), 27700);
    store::open_store(target.location(), store::Access::write)
        ->record_analysis({"hotspots", "analyst", "2026-10-02T00:00:00Z", "{}", "{}"});
    const std::string message =
        message_of<StoreError>([&] { store::migrate_store(source, target.location()); });
    EXPECT_TRUE(names_store(message, "store ", target,
                            " is not empty (table audit_log holds 1 row): migrate copies into an "
                            "empty database only"));
    EXPECT_EQ(target_count(target.location(), "analysis_runs"), 1);
}

// The command line, end to end; the command's audit entry records the
// command line without the password given in the URL.
TEST_F(MigrateWorld, CommandLineMovesTheStoreAndPrintsTheChecksums) {
    const TestStore target(*dir, "target");
    const std::string url = target.location() + "&password=not-needed-here";
    const auto result = run_cli({"migrate", "--from", "sqlite:" + source, "--to", url});
    ASSERT_EQ(result.code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    std::vector<std::string> lines;
    std::istringstream text(result.out);
    for (std::string line; std::getline(text, line);) {
        lines.push_back(line);
    }
    ASSERT_GE(lines.size(), store::migrated_tables().size() + 4);
    EXPECT_THAT(lines[0], ::testing::StartsWith("Migrated " + source + " to postgresql://"));
    EXPECT_THAT(lines[1], ::testing::HasSubstr("TABLE"));
    for (std::size_t i = 0; i < store::migrated_tables().size(); ++i) {
        const std::string& line = lines[i + 2];
        const std::string table(store::migrated_tables()[i]);
        EXPECT_THAT(line, ::testing::StartsWith("  " + table + " ")) << line;
        EXPECT_THAT(line, ::testing::EndsWith("  checksum ok")) << line;
        EXPECT_THAT(line,
                    ::testing::HasSubstr(" " + std::to_string(source_count(source, table)) + "  "))
            << line;
    }
    EXPECT_EQ(lines.back(),
              "The store was moved. Use it with: waymark --db '" + target.location() + "' status");
    EXPECT_EQ(result.out.find("not-needed-here"), std::string::npos);

    const auto entries = store::open_store(target.location(), store::Access::read)->audit_log("");
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.back().command, "migrate");
    EXPECT_EQ(entries.back().inputs.find("not-needed-here"), std::string::npos)
        << entries.back().inputs;
    const auto command_line = nlohmann::json::parse(entries.back().inputs)["command_line"];
    EXPECT_EQ(command_line, nlohmann::json({"waymark", "migrate", "--from", "sqlite:" + source,
                                            "--to", target.location()}));

    const auto status = run_cli({"--db", target.location(), "status"});
    EXPECT_EQ(status.code, 0) << status.err;
}

TEST(MigrateHelp, SaysWhatIsCopiedAndWhatTheTargetMustBe) {
    const auto result = run_cli({"migrate", "--help"});
    EXPECT_EQ(result.code, 0);
    EXPECT_THAT(result.out, ::testing::HasSubstr("Usage: waymark migrate"));
    EXPECT_THAT(result.out, ::testing::HasSubstr("--from sqlite:PATH REQUIRED"));
    EXPECT_THAT(result.out, ::testing::HasSubstr("--to URL REQUIRED"));
    EXPECT_THAT(result.out, ::testing::HasSubstr("The target must be an empty database with\n"
                                                 "PostGIS installed (docs/postgis.md)"));
    EXPECT_THAT(result.out, ::testing::HasSubstr("Exit codes: 0 ok, 1 failure, 2 usage error."));
    EXPECT_THAT(run_cli({"--help"}).out, ::testing::HasSubstr("\n  migrate "));
}

// ---- Sources and targets that cannot be used ---------------------------------------

class MigrateEdges : public ::testing::Test {
protected:
    void SetUp() override {
        if (!testing::testing_postgis()) {
            GTEST_SKIP() << needs_postgis;
        }
    }
    TempDir dir;
};

TEST_F(MigrateEdges, RefusesAMissingSourceFile) {
    const TestStore target(dir, "target");
    const std::string missing = dir.file("nowhere.db");
    const auto result =
        run_cli({"migrate", "--from", "sqlite:" + missing, "--to", target.location()});
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.err,
              "waymark: error: no store at " + missing + " to migrate: the file does not exist\n");
    EXPECT_EQ(result.out, "");
    // The target was not touched: no schema made.
    EXPECT_EQ(store::stored_schema_version(pg::Connection::open(target.location())), 0);
}

TEST_F(MigrateEdges, RefusesWrongKindsOfLocation) {
    const TestStore target(dir, "target");
    const std::string path = dir.file("source.db");
    store::create_or_upgrade_store(path, 27700);

    auto result = run_cli({"migrate", "--from", target.location(), "--to", target.location()});
    EXPECT_EQ(result.code, 2);
    EXPECT_EQ(result.err, "waymark: error: migrate copies a SpatiaLite store into PostGIS: the "
                          "source '" +
                              target.location() +
                              "' is a PostgreSQL database; give a SpatiaLite file (sqlite:PATH) "
                              "(see 'waymark migrate --help')\n");

    result = run_cli({"migrate", "--from", path, "--to", dir.file("other.db")});
    EXPECT_EQ(result.code, 2);
    EXPECT_EQ(result.err, "waymark: error: migrate copies a SpatiaLite store into PostGIS: the "
                          "target '" +
                              dir.file("other.db") +
                              "' is not a PostgreSQL database (postgresql://…) (see 'waymark "
                              "migrate --help')\n");

    result = run_cli({"migrate", "--from", path});
    EXPECT_EQ(result.code, 2);
    EXPECT_THAT(result.err, ::testing::HasSubstr("--to is required"));
}

TEST_F(MigrateEdges, RefusesASourceAtAnOlderSchemaVersion) {
    const TestStore target(dir, "target");
    const std::string path = dir.file("old.db");
    store::create_or_upgrade_store(path, 27700);
    sqlite::Database::open(path, sqlite::OpenMode::read_write).exec("PRAGMA user_version = 6");
    const std::string message =
        message_of<StoreError>([&] { store::migrate_store(path, target.location()); });
    EXPECT_EQ(message, "store " + path +
                           " has schema version 6; migrate copies stores at version " +
                           std::to_string(store::current_schema_version()) +
                           ": run 'waymark --db " + path + " init' on it first to upgrade it");
}

// A table migrate does not know would be left behind: refused, not skipped.
TEST_F(MigrateEdges, RefusesASourceWithATableItDoesNotKnow) {
    const TestStore target(dir, "target");
    const std::string path = dir.file("extra.db");
    store::create_or_upgrade_store(path, 27700);
    sqlite::Database::open(path, sqlite::OpenMode::read_write)
        .exec("CREATE TABLE case_notes (note TEXT)");
    const std::string message =
        message_of<StoreError>([&] { store::migrate_store(path, target.location()); });
    EXPECT_EQ(message, "store " + path +
                           " has a table case_notes that migrate does not know; it would be "
                           "lost, so nothing was copied");
    EXPECT_EQ(store::stored_schema_version(pg::Connection::open(target.location())), 0);
}

// The target's schema must be the source's, column for column.
TEST_F(MigrateEdges, RefusesATargetWhoseColumnsDiffer) {
    const TestStore target(dir, "target");
    const std::string path = dir.file("source.db");
    store::create_or_upgrade_store(path, 27700);
    store::create_or_upgrade_store(target.location(), 27700);
    pg::Connection::open(target.location())
        .exec("ALTER TABLE children RENAME COLUMN sex TO gender");
    const std::string message =
        message_of<StoreError>([&] { store::migrate_store(path, target.location()); });
    EXPECT_TRUE(names_store(message, "store ", target,
                            ": table children has column gender where the source has sex (column "
                            "3): the two schemas differ"));
}

// A broken chain is not carried into a new store.
TEST_F(MigrateEdges, RefusesASourceWhoseAuditLogIsBroken) {
    const TestStore target(dir, "target");
    const std::string path = dir.file("source.db");
    store::create_or_upgrade_store(path, 27700);
    for (int i = 0; i < 2; ++i) {
        store::open_store(path, store::Access::write)
            ->record_analysis({"hotspots", "analyst", "2026-10-01T00:00:00Z", "{}", "{}"});
    }
    sqlite::Database::open(path, sqlite::OpenMode::read_write)
        .exec("DROP TRIGGER audit_log_no_update; "
              "UPDATE audit_log SET profile = 'panel' WHERE seq = 1");
    const std::string message =
        message_of<StoreError>([&] { store::migrate_store(path, target.location()); });
    EXPECT_EQ(message, "the audit log of " + path +
                           " is broken (entry 1 has been changed: its hash does not match its "
                           "contents); a store whose log does not verify is not migrated "
                           "('waymark --db " +
                           path + " audit verify')");
    EXPECT_EQ(store::stored_schema_version(pg::Connection::open(target.location())), 0);
}

// A value PostgreSQL refuses (text that is not UTF-8) stops the copy, and
// one it keeps otherwise than given (text with a NUL byte, cut there) is
// found by the comparison: either way nothing is committed.
TEST_F(MigrateEdges, RollsBackACopyThatFailsOrDiffers) {
    const std::string path = dir.file("source.db");
    store::create_or_upgrade_store(path, 27700);
    sqlite::Database::open(path, sqlite::OpenMode::read_write)
        .exec("INSERT INTO children (child_id, sex) VALUES ('C-1', CAST(X'FF' AS TEXT))");
    const TestStore refused(dir, "refused");
    std::string message =
        message_of<StoreError>([&] { store::migrate_store(path, refused.location()); });
    EXPECT_THAT(message, ::testing::StartsWith("copying table children to postgresql://"));
    EXPECT_THAT(message, ::testing::HasSubstr("invalid byte sequence for encoding \"UTF8\""));
    EXPECT_EQ(target_count(refused.location(), "children"), 0);
    EXPECT_EQ(target_count(refused.location(), "audit_log"), 0);

    sqlite::Database::open(path, sqlite::OpenMode::read_write)
        .exec("UPDATE children SET sex = CAST(X'6D00' AS TEXT)");
    const TestStore differs(dir, "differs");
    message = message_of<StoreError>([&] { store::migrate_store(path, differs.location()); });
    EXPECT_THAT(message, ::testing::StartsWith("comparing table children: the rows copied to "));
    EXPECT_THAT(message, ::testing::EndsWith(" in the source); nothing was committed"));
    EXPECT_EQ(target_count(differs.location(), "children"), 0);
    EXPECT_EQ(target_count(differs.location(), "audit_log"), 0);
}

// An empty store moves too (nothing but its deployment row and key).
TEST_F(MigrateEdges, AnEmptyStoreMovesToo) {
    const TestStore target(dir, "target");
    const std::string path = dir.file("empty.db");
    store::create_or_upgrade_store(path, 27700);
    const store::MigrationReport report = store::migrate_store(path, target.location());
    for (const store::MigratedTable& table : report.tables) {
        EXPECT_EQ(table.rows, table.name == "deployment" ? 1 : 0) << table.name;
    }
    EXPECT_EQ(store::open_store(path, store::Access::read)->pseudonym_key(),
              store::open_store(target.location(), store::Access::read)->pseudonym_key());
}

} // namespace
} // namespace waymark
