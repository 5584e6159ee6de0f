// waymark import end to end on synthetic worlds: counts equal to the
// generator's, every planted defect quarantined or warned at its line with
// the right reason, idempotent re-import, updates, and whole-file errors that
// leave the store as it was.

#include "base/error.hpp"
#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/import.hpp"
#include "engine/sha256.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/sqlite.hpp"
#include "engine/store/store.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace waymark {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;
using waymark::testing::testing_postgis;
using waymark::testing::TestStore;

using waymark::testing::read_file;
using waymark::testing::StoreRows;

// The store is a SpatiaLite file or a PostGIS database (test_store.hpp).
// count(), text() and joined() read its rows on either backend (StoreRows);
// what only SQLite can say (SpatiaLite's index check, a planted trigger) is
// skipped on PostGIS.
class ImportTest : public ::testing::Test {
protected:
    TempDir dir;
    TestStore test_store{dir, "waymark.db"};
    std::string db = test_store.location();
    AreaSettings area;

    void SetUp() override { store::create_or_upgrade_store(db, 27700); }

    std::filesystem::path world(synth::Scale scale = synth::Scale::small, bool dirty = true) {
        const auto out = dir.path() / "world";
        synth::write_world(synth::build_world({.scale = scale, .seed = 11, .dirty = dirty}), out);
        return out;
    }

    ImportReport import(const std::string& kind, const std::filesystem::path& file,
                        const std::filesystem::path& spec = {}) {
        auto store = store::open_store(db, store::Access::write);
        return import_file(*store, area, {kind, file, spec});
    }

    void import_clean(const std::filesystem::path& w) {
        import("gazetteer", w / "gazetteer.csv");
        import("persons", w / "persons.csv");
        import("episodes", w / "episodes.csv");
        import("rhi", w / "rhi.jsonl");
        import("cpi", w / "cpi.jsonl");
    }

    std::int64_t count(const std::string& sql) { return StoreRows(db).int64(sql); }

    store::StoreStatus status() { return store::open_store(db, store::Access::read)->status(); }

    /// Episodes with a from or found location that has no point, read
    /// through the Store (what the PostGIS runs check instead of the file).
    std::int64_t episodes_not_placed() {
        const auto evidence = store::open_store(db, store::Access::read)->network_evidence();
        std::int64_t found = 0;
        for (const store::EpisodeEvidence& episode : evidence.episodes) {
            const bool from_placed = evidence.locations.at(episode.from).point.has_value();
            const bool found_placed =
                episode.found == 0 || evidence.locations.at(episode.found).point.has_value();
            found += from_placed && found_placed ? 0 : 1;
        }
        return found;
    }

    std::string text(const std::string& sql) { return StoreRows(db).text(sql); }

    /// The first column's values that are not NULL, joined by `separator`
    /// (what SQLite's group_concat gives, "NULL" for none), on either backend.
    std::string joined(const std::string& sql, const std::string& separator = " ") {
        std::string all;
        bool any = false;
        for (const auto& row : StoreRows(db).rows(sql)) {
            if (row.at(0)) {
                all += (any ? separator : "") + *row.at(0);
                any = true;
            }
        }
        return any ? all : "NULL";
    }

    std::filesystem::path write(const std::string& name, const std::string& content) {
        const auto path = dir.path() / name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }
};

// A few episodes' columns: the required ones and police_ref.
constexpr std::string_view episodes_header =
    "episode_id,child_id,reported_at,age,setting,from_postcode,police_ref\n";

TEST_F(ImportTest, TheWorldImportsWithTheGeneratorsCountsAndEveryPlaceLocated) {
    const auto w = world();
    import_clean(w);
    const auto truth = nlohmann::json::parse(read_file(w / "truth.json"));
    const store::StoreStatus s = status();
    EXPECT_EQ(s.episodes, truth["counts"]["episodes"].get<std::int64_t>());
    EXPECT_EQ(s.children, truth["counts"]["children_with_episodes"].get<std::int64_t>());
    EXPECT_EQ(s.rhis, truth["counts"]["rhis"].get<std::int64_t>());
    EXPECT_EQ(s.places, truth["counts"]["places"].get<std::int64_t>());
    EXPECT_EQ(s.quarantined_rows, 0);
    EXPECT_EQ(episodes_not_placed(), 0);
    // Episode and CPI locations all resolve; in RHIs only the vague labels a
    // child gave ("round town") stay unresolved, keeping their text.
    EXPECT_EQ(count("SELECT count(*) FROM episodes e JOIN locations l ON l.location_id IN "
                    "(e.from_location_id, e.found_location_id) WHERE l.geom IS NULL"),
              0);
    EXPECT_EQ(count("SELECT count(*) FROM cpis c JOIN locations l ON l.location_id = c.location_id "
                    "WHERE l.geom IS NULL"),
              0);
    EXPECT_EQ(count("SELECT count(*) FROM locations l WHERE l.geom IS NULL AND (l.label IS NULL OR "
                    "l.label IN (SELECT label FROM places WHERE label IS NOT NULL))"),
              0);
    if (testing_postgis()) {
        GTEST_SKIP() << "CheckSpatialIndex is SpatiaLite's";
    }
    EXPECT_EQ(count("SELECT CheckSpatialIndex('places', 'geom')"), 1);
}

TEST_F(ImportTest, EveryPlantedDefectIsQuarantinedOrWarnedAtItsLine) {
    const auto w = world();
    import_clean(w);
    std::map<std::string, std::int64_t> runs;
    for (const auto& [kind, file] :
         std::vector<std::pair<std::string, std::string>>{{"gazetteer", "gazetteer.csv"},
                                                          {"persons", "persons.csv"},
                                                          {"episodes", "episodes.csv"},
                                                          {"episodes", "episodes_extra_column.csv"},
                                                          {"rhi", "rhi.jsonl"},
                                                          {"cpi", "cpi.jsonl"}}) {
        const ImportReport report = import(kind, w / "dirty" / file);
        runs["dirty/" + file] = report.run_id;
        EXPECT_EQ(report.rows_read,
                  report.inserted + report.updated + report.unchanged + report.quarantined)
            << file << ": nothing may be lost";
    }
    // What each planted defect must be reported as.
    const std::map<std::string, std::set<std::string>> expected = {
        {"bad_date", {"bad_date"}},
        {"return_before_report", {"return_before_report"}},
        {"unknown_code", {"unknown_code"}},
        {"bad_boolean", {"bad_boolean"}},
        {"malformed_row", {"malformed_row"}},
        {"missing_required", {"missing_required"}},
        {"swapped_lat_lon", {"swapped_lat_lon"}},
        {"off_grid", {"outside_extent", "invalid_coordinates"}},
        {"duplicate_id", {"duplicate_id"}},
        {"unresolvable_postcode", {"postcode_not_in_gazetteer", "malformed_postcode"}},
        {"over_long_field", {"over_long_field"}},
        {"encoding_error", {"encoding_error"}},
        {"negative_age", {"age_out_of_range"}},
        {"age_out_of_range", {"age_out_of_range"}},
        {"unknown_column", {"unknown_column"}},
        {"malformed_json", {"malformed_json"}},
        {"unknown_episode", {"unknown_episode"}},
        {"conducted_before_return", {"conducted_before_return"}},
        {"wrong_type", {"wrong_type"}},
        {"bad_number", {"bad_number"}},
    };
    // A quarantine reason is "<code>: <message>"; a warning has its code.
    const StoreRows store_rows(db);
    const std::string reported = R"sql(
        SELECT reason, 1 FROM quarantine WHERE import_run_id = ?1 AND line = ?2
        UNION ALL SELECT code, 0 FROM import_warnings WHERE import_run_id = ?1 AND line = ?2)sql";
    const auto truth = nlohmann::json::parse(read_file(w / "truth.json"));
    int checked = 0;
    for (const auto& defect : truth["dirty"]) {
        const std::string code = defect["defect"];
        const std::string file = defect["file"];
        std::set<std::string> reasons;
        for (const auto& row :
             store_rows.rows(reported, runs.at(file), defect["line"].get<std::int64_t>())) {
            const std::string reason = row.at(0).value_or("");
            if (row.at(1) == "1") {
                const std::size_t colon = reason.find(':');
                reasons.insert(colon == std::string::npos ? "" : reason.substr(0, colon));
            } else {
                reasons.insert(reason);
            }
        }
        if (code.starts_with("legal_")) {
            EXPECT_TRUE(reasons.empty()) << file << ":" << defect["line"] << " " << code;
            continue;
        }
        ASSERT_TRUE(expected.contains(code)) << "no expectation for defect " << code;
        bool found = false;
        for (const std::string& reason : expected.at(code)) {
            found = found || reasons.contains(reason);
        }
        EXPECT_TRUE(found) << file << ":" << defect["line"] << " " << code << " ("
                           << defect["detail"] << ") was reported as "
                           << (reasons.empty() ? std::string("nothing") : *reasons.begin());
        ++checked;
    }
    EXPECT_GT(checked, 80);
}

TEST_F(ImportTest, ImportingTheSameFileAgainChangesNothing) {
    const auto w = world(synth::Scale::small, false);
    import("gazetteer", w / "gazetteer.csv");
    const ImportReport first = import("episodes", w / "episodes.csv");
    const std::string before = nlohmann::json::parse([&] {
                                   std::ostringstream out;
                                   out << status().episodes << status().locations;
                                   return "\"" + out.str() + "\"";
                               }())
                                   .get<std::string>();
    const ImportReport second = import("episodes", w / "episodes.csv");
    EXPECT_EQ(second.rows_read, first.rows_read);
    EXPECT_EQ(second.inserted, 0);
    EXPECT_EQ(second.updated, 0);
    EXPECT_EQ(second.unchanged, first.inserted);
    std::ostringstream after;
    after << status().episodes << status().locations;
    EXPECT_EQ(after.str(), before);
}

TEST_F(ImportTest, AReimportAfterTheGazetteerPlacesWhatWasUnresolved) {
    const auto w = world(synth::Scale::small, false);
    // Episodes first, by mistake: locations given by postcode or place key
    // cannot resolve yet (coordinates can).
    const ImportReport early = import("episodes", w / "episodes.csv");
    ASSERT_GT(early.unresolved_locations, 0);
    const std::int64_t waiting = episodes_not_placed();
    // The rows say the same.
    EXPECT_EQ(count("SELECT count(*) FROM episodes e WHERE EXISTS (SELECT 1 FROM locations l "
                    "WHERE l.location_id IN (e.from_location_id, e.found_location_id) AND "
                    "l.resolution = 'unresolved')"),
              waiting);
    ASSERT_GT(waiting, 0);
    import("gazetteer", w / "gazetteer.csv");
    const ImportReport again = import("episodes", w / "episodes.csv");
    EXPECT_EQ(again.unresolved_locations, 0);
    EXPECT_EQ(again.updated, waiting);
    EXPECT_EQ(again.unchanged, early.inserted - waiting);
    EXPECT_GT(again.changed_fields.count("from_resolution") +
                  again.changed_fields.count("found_resolution"),
              0U);
    EXPECT_EQ(episodes_not_placed(), 0);
    // The rows say the same, and (SpatiaLite's check) the places index is sound.
    EXPECT_EQ(count("SELECT count(*) FROM episodes e JOIN locations l ON l.location_id IN "
                    "(e.from_location_id, e.found_location_id) WHERE l.geom IS NULL"),
              0);
    if (!testing_postgis()) {
        EXPECT_EQ(count("SELECT CheckSpatialIndex('places', 'geom')"), 1);
    }
    // And once placed, the same file changes nothing.
    const ImportReport third = import("episodes", w / "episodes.csv");
    EXPECT_EQ(third.updated, 0);
    EXPECT_EQ(third.unchanged, early.inserted);
}

TEST_F(ImportTest, ANewerExtractUpdatesWhatChanged) {
    const auto w = world(synth::Scale::small, false);
    import("gazetteer", w / "gazetteer.csv");
    // The first extract: the first ten episodes still open.
    std::string text = read_file(w / "episodes.csv");
    std::istringstream lines(text);
    std::ostringstream older;
    std::string line;
    int row = 0;
    while (std::getline(lines, line)) {
        if (row > 0 && row <= 10) {
            // returned_at is the fifth column; the first four hold no commas.
            std::size_t at = 0;
            for (int comma = 0; comma < 4; ++comma) {
                at = line.find(',', at) + 1;
            }
            line.erase(at, line.find(',', at) - at);
        }
        older << line << '\n';
        ++row;
    }
    std::ofstream(dir.path() / "older.csv") << older.str();
    import("episodes", dir.path() / "older.csv");
    EXPECT_GE(status().open_episodes, 10);
    const ImportReport newer = import("episodes", w / "episodes.csv");
    EXPECT_EQ(newer.updated, 10);
    EXPECT_EQ(newer.changed_fields.at("returned_at"), 10);
    EXPECT_EQ(count("SELECT count(*) FROM import_changes WHERE fields LIKE '%returned_at%'"), 10);
}

TEST_F(ImportTest, WholeFileErrorsNameTheFileAndLeaveTheStoreAsItWas) {
    const auto w = world(synth::Scale::small, false);
    const auto write = [&](const std::string& name, const std::string& content) {
        const auto path = dir.path() / name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    };
    const auto empty = write("empty.csv", "");
    const auto header_only = write(
        "header.csv",
        read_file(w / "episodes.csv").substr(0, read_file(w / "episodes.csv").find('\n') + 1));
    const auto binary = write("binary.csv", std::string("\xff\xfe\x00\x01 not text", 14));
    EXPECT_EQ(message_of<InputError>([&] { import("episodes", empty); }),
              empty.string() + ": the file is empty");
    EXPECT_EQ(message_of<InputError>([&] { import("episodes", header_only); }),
              header_only.string() + ": no records after the header");
    EXPECT_EQ(message_of<InputError>([&] { import("episodes", w / "rhi.jsonl"); }),
              (w / "rhi.jsonl").string() +
                  ": line 1: this is JSON, not a CSV file of episodes: is this the right kind of "
                  "file?");
    EXPECT_EQ(message_of<InputError>([&] { import("episodes", w / "persons.csv"); })
                  .rfind((w / "persons.csv").string() +
                             ": line 1: required columns missing: episode_id, child_id, "
                             "reported_at, setting, from_* (a location block) (the header has: "
                             "person_id, kind,",
                         0),
              0U);
    EXPECT_EQ(message_of<InputError>([&] { import("rhi", w / "cpi.jsonl"); }),
              (w / "cpi.jsonl").string() +
                  ": line 1: no \"rhi_id\" in the first record: is this a Return Home Interview "
                  "file?");
    EXPECT_EQ(message_of<InputError>([&] {
                  import("episodes", binary);
              }).rfind(binary.string() + ": line 1: the header cannot be read", 0),
              0U);
    EXPECT_EQ(message_of<UsageError>([&] { import("vehicles", empty); }),
              "unknown kind 'vehicles' (expected one of: episodes, rhi, cpi, persons, gazetteer)");
    const store::StoreStatus s = status();
    EXPECT_EQ(s.import_runs, 0);
    EXPECT_EQ(s.episodes, 0);
    EXPECT_EQ(s.quarantined_rows, 0);
}

TEST_F(ImportTest, UnknownJsonMembersAreKeptAndReportedWhereTheyFirstAppear) {
    const auto rhi = write("rhi.jsonl", "{\"rhi_id\": \"R-1\", \"officer\": \"PC 123\"}\n"
                                        "{\"rhi_id\": \"R-2\", \"officer\": \"PC 456\", "
                                        "\"room\": 4}\n");
    const ImportReport rhis = import("rhi", rhi);
    EXPECT_EQ(rhis.inserted, 2);
    EXPECT_EQ(rhis.unknown_columns, (std::vector<std::string>{"officer", "room"}));
    EXPECT_EQ(rhis.warnings_by_reason.at("unknown_column"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM import_warnings WHERE code = 'unknown_column' AND "
                    "line = 2 AND message LIKE '%''room''%'"),
              1);
    EXPECT_EQ(text("SELECT attributes FROM rhis WHERE rhi_id = 'R-2'"),
              R"({"officer":"PC 456","room":"4"})");
    // A CPI form has no notes in the format: kept as an attribute, not dropped.
    const auto cpi = write("cpi.jsonl", "{\"cpi_id\": \"I-1\", \"received_at\": "
                                        "\"2026-03-05T09:00\", \"notes\": {\"x\": \"seen\"}}\n");
    const ImportReport cpis = import("cpi", cpi);
    EXPECT_EQ(cpis.inserted, 1) << cpis.to_json();
    EXPECT_EQ(cpis.unknown_columns, (std::vector<std::string>{"notes"}));
    EXPECT_EQ(text("SELECT attributes FROM cpis WHERE cpi_id = 'I-1'"),
              R"({"notes":"{\"x\":\"seen\"}"})");
}

TEST_F(ImportTest, RhiNotesAndPlaceCompanionsAreKeptOrTheRecordIsQuarantined) {
    const auto rhi = write(
        "rhi.jsonl",
        "{\"rhi_id\": \"R-1\", \"notes\": {\"a\": 5, \"b\": true, \"c\": null, \"d\": \"x\"}, "
        "\"places\": [{\"role\": \"slept\", \"location\": {\"label\": \"a flat\"}, "
        "\"with\": [7, \"P-1\"]}]}\n"
        "{\"rhi_id\": \"R-2\", \"notes\": {\"e\": {\"x\": 1}}}\n"
        "{\"rhi_id\": \"R-3\", \"places\": [{\"role\": \"met\", \"with\": [{\"id\": 1}]}]}\n");
    const ImportReport report = import("rhi", rhi);
    EXPECT_EQ(report.inserted, 1) << report.to_json();
    EXPECT_EQ(report.quarantined_by_reason.at("wrong_type"), 2);
    EXPECT_EQ(joined("SELECT key || '=' || text FROM rhi_notes WHERE rhi_id = 'R-1' ORDER BY key"),
              "a=5 b=true d=x");
    EXPECT_EQ(joined("SELECT person_ref FROM rhi_place_with ORDER BY person_ref"), "7 P-1");
}

TEST_F(ImportTest, ARecordBeyondTheSizeLimitStopsTheImport) {
    const auto w = world(synth::Scale::small, false);
    std::string text = read_file(w / "episodes.csv");
    text += "E-X,C-X,2026-01-01T10:00,,,,12,F,missing,home,N,,,low,\"" +
            std::string(17 << 20, 'a') + "\"\n";
    const auto path = dir.path() / "huge.csv";
    std::ofstream(path, std::ios::binary) << text;
    const std::string message = message_of<InputError>([&] { import("episodes", path); });
    EXPECT_NE(message.find(": record is longer than 16777216 bytes"), std::string::npos) << message;
    EXPECT_EQ(status().episodes, 0);
}

// The store refuses a row early in a long file, while the reading thread is
// far ahead and waiting for room: the import stops (it must not hang), says
// why, and leaves the store as it was.
TEST_F(ImportTest, AWriteFailureEarlyInALongFileStopsBothThreads) {
    if (testing_postgis()) {
        GTEST_SKIP() << "the failure is planted with an SQLite trigger";
    }
    std::string text(episodes_header);
    for (int i = 1; i <= 20'000; ++i) {
        text += "E-" + std::to_string(i) + ",C-" + std::to_string(i % 997) +
                ",2026-01-01T10:00,14,childrens_home,ZZ1 4AB,WB-" + std::to_string(i) + "\n";
    }
    const auto path = write("long.csv", text);
    {
        auto connection = sqlite::Database::open(db, sqlite::OpenMode::read_write);
        connection.exec("CREATE TRIGGER refuse BEFORE INSERT ON episodes WHEN "
                        "NEW.episode_id = 'E-700' BEGIN SELECT RAISE(ABORT, 'refused by "
                        "the test'); END");
    }
    const std::string message = message_of<StoreError>([&] { import("episodes", path); });
    EXPECT_NE(message.find("refused by the test"), std::string::npos) << message;
    EXPECT_EQ(status().episodes, 0);
    EXPECT_EQ(status().import_runs, 0);
    EXPECT_EQ(status().children, 0);
}

TEST_F(ImportTest, JsonLinesFilesHonourTheSpecsEncodingValuesAndDefaults) {
    // A Windows-1252 export: é is 0xE9, £ is 0xA3.
    const auto rhi_spec = write("rhi-spec.json", R"({"kind": "rhi", "encoding": "windows-1252",
        "columns": {"rhi_id": "Ref"},
        "values": {"outcome": {"Done": "completed", "Refused": "declined"},
                   "consent_to_share": {"Yes": "Y", "No": "N"},
                   "push_factors": {"DV": "domestic_violence"}},
        "defaults": {"mode": "face_to_face", "independent": "Y",
                     "decline_reason": "none given"}})");
    const auto rhi = write(
        "rhi.jsonl", "{\"Ref\": \"R-1\", \"outcome\": \"Done\", \"consent_to_share\": \"Yes\", "
                     "\"push_factors\": [\"DV\", \"needing_space\"], "
                     "\"notes\": {\"analysis\": \"met at the caf\xE9, \xA3"
                     "5\"}}\n"
                     "{\"Ref\": \"R-2\", \"outcome\": \"Refused\", \"mode\": \"phone\", "
                     "\"independent\": false, \"consent_to_share\": \"No\", "
                     "\"decline_reason\": \"Ren\xE9"
                     "e said no\"}\n");
    const ImportReport report = import("rhi", rhi, rhi_spec);
    EXPECT_EQ(report.inserted, 2);
    EXPECT_EQ(report.quarantined, 0) << report.to_json();
    EXPECT_EQ(text("SELECT outcome || ' ' || consent_to_share || ' ' || mode || ' ' || independent "
                   "|| ' ' || decline_reason FROM rhis WHERE rhi_id = 'R-1'"),
              "completed 1 face_to_face 1 none given");
    EXPECT_EQ(joined("SELECT code FROM rhi_factors WHERE rhi_id = 'R-1' AND direction = 'push' "
                     "ORDER BY code"),
              "domestic_violence needing_space");
    EXPECT_EQ(text("SELECT text FROM rhi_notes WHERE rhi_id = 'R-1'"),
              "met at the caf\u00e9, \u00a35");
    EXPECT_EQ(text("SELECT outcome || ' ' || consent_to_share || ' ' || mode || ' ' || independent "
                   "|| ' ' || decline_reason FROM rhis WHERE rhi_id = 'R-2'"),
              "declined 0 phone 0 Ren\u00e9e said no");

    const auto cpi_spec = write("cpi-spec.json", R"({"kind": "cpi", "encoding": "cp1252",
        "values": {"shared_with": {"Sch": "school"}},
        "defaults": {"received_at": "2026-03-05T09:00"}})");
    const auto cpi = write("cpi.jsonl", "{\"cpi_id\": \"I-1\", \"shared_with\": \"Sch\", "
                                        "\"information\": \"seen near the caf\xE9\"}\n");
    const ImportReport cpis = import("cpi", cpi, cpi_spec);
    EXPECT_EQ(cpis.inserted, 1) << cpis.to_json();
    EXPECT_EQ(text("SELECT received_at || ' ' || shared_with || ' ' || information FROM cpis"),
              "2026-03-05T09:00:00Z school seen near the caf\u00e9");
}

TEST_F(ImportTest, ACsvFileImportedAsJsonLinesIsRefusedAtItsFirstLine) {
    const auto csv = write("episodes.csv", std::string(episodes_header) +
                                               "E-1,C-1,2026-01-01T10:00,12,home,ZZ1 1AA,\n");
    EXPECT_EQ(message_of<InputError>([&] { import("rhi", csv); }),
              csv.string() + ": line 1: this looks like CSV, not JSON Lines (one JSON object per "
                             "line): is this a Return Home Interview file?");
    const auto late = write("late.csv", "\n \n" + std::string(episodes_header));
    EXPECT_EQ(message_of<InputError>([&] { import("cpi", late); }),
              late.string() + ": line 3: this looks like CSV, not JSON Lines (one JSON object per "
                              "line): is this a CPI file?");
    const auto array = write("array.json", "[{\"rhi_id\": \"R-1\"},\n{\"rhi_id\": \"R-2\"}]\n");
    EXPECT_EQ(message_of<InputError>([&] { import("rhi", array); }),
              array.string() + ": line 1: this is not a JSON object (JSON Lines hold one JSON "
                               "object per line): is this a Return Home Interview file?");
    EXPECT_EQ(status().import_runs, 0);
    EXPECT_EQ(status().quarantined_rows, 0);

    // A damaged JSON object on line 1 is a bad record, not a file of another
    // kind: quarantined like any later one.
    const auto damaged = write("damaged.jsonl", "{\"rhi_id\": \"R-1\", \"outcome\": \n"
                                                "{\"rhi_id\": \"R-2\"}\n"
                                                "R-3,completed\n");
    const ImportReport report = import("rhi", damaged);
    EXPECT_EQ(report.rows_read, 3);
    EXPECT_EQ(report.inserted, 1);
    EXPECT_EQ(report.quarantined_by_reason,
              (std::map<std::string, std::int64_t>{{"malformed_json", 2}}));
    EXPECT_EQ(count("SELECT count(*) FROM quarantine WHERE line IN (1, 3)"), 2);
}

TEST_F(ImportTest, AnEmptyRequiredValueIsQuarantinedInEveryKind) {
    const std::map<std::string, std::int64_t> two = {{"missing_required", 2}};
    const std::map<std::string, std::int64_t> three = {{"missing_required", 3}};
    const std::map<std::string, std::int64_t> four = {{"missing_required", 4}};
    const auto cpi =
        write("cpi.jsonl", "{\"cpi_id\": \"I-1\", \"received_at\": \"\"}\n"
                           "{\"cpi_id\": \"I-2\", \"received_at\": \"  \"}\n"
                           "{\"cpi_id\": \"\", \"received_at\": \"2026-03-05T09:00\"}\n"
                           "{\"cpi_id\": \"I-4\", \"received_at\": \"2026-03-05T09:00\"}\n");
    const ImportReport cpis = import("cpi", cpi);
    EXPECT_EQ(cpis.inserted, 1);
    EXPECT_EQ(cpis.quarantined_by_reason, three);
    ASSERT_FALSE(cpis.examples.empty());
    EXPECT_EQ(cpis.examples[0].message, "received_at is required but empty");

    const auto rhi = write("rhi.jsonl", "{\"rhi_id\": \"\"}\n{\"rhi_id\": \" \"}\n"
                                        "{\"rhi_id\": \"R-3\"}\n");
    const ImportReport rhis = import("rhi", rhi);
    EXPECT_EQ(rhis.inserted, 1);
    EXPECT_EQ(rhis.quarantined_by_reason, two);

    const auto episodes = write("episodes.csv", std::string(episodes_header) +
                                                    ",C-1,2026-01-01T10:00,12,home,ZZ1 1AA,\n"
                                                    "E-2,\" \",2026-01-01T10:00,12,home,ZZ1 1AA,\n"
                                                    "E-3,C-3,,12,home,ZZ1 1AA,\n"
                                                    "E-4,C-4,2026-01-01T10:00,12,Unknown,ZZ1 1AA,\n"
                                                    "E-5,C-5,2026-01-01T10:00,,home,ZZ1 1AA,\n"
                                                    "E-6,C-6,2026-01-01T10:00,12,home,,\n"
                                                    "E-7,C-7,2026-01-01T10:00,12,home,ZZ1 1AA,\n");
    // A value map may map a source code to "" (unknown): a required one is then missing.
    const auto spec =
        write("spec.json", R"({"kind": "episodes", "values": {"setting": {"Unknown": ""}}})");
    const ImportReport episode_report = import("episodes", episodes, spec);
    EXPECT_EQ(episode_report.inserted, 1);
    EXPECT_EQ(episode_report.quarantined_by_reason,
              (std::map<std::string, std::int64_t>{{"missing_required", 6}}));

    const auto persons =
        write("persons.csv", "person_id,kind\n,child\nP-2,\nP-3,\" \"\nP-4,adult\n");
    const ImportReport person_report = import("persons", persons);
    EXPECT_EQ(person_report.inserted, 1);
    EXPECT_EQ(person_report.quarantined_by_reason, three);

    const auto gazetteer = write("gazetteer.csv", "key,key_type,x,y\nA,place,,1\nB,place,1,\n"
                                                  "C,,1,1\n,place,1,1\nD,place,700000,300000\n");
    const ImportReport gazetteer_report = import("gazetteer", gazetteer);
    EXPECT_EQ(gazetteer_report.inserted, 1);
    EXPECT_EQ(gazetteer_report.quarantined_by_reason, four);
}

TEST_F(ImportTest, AByteWindows1252LeavesUndefinedIsAnEncodingError) {
    const auto spec = write("spec.json", R"({"kind": "episodes", "encoding": "windows-1252"})");
    const auto episodes =
        write("episodes.csv", std::string(episodes_header) +
                                  "E-1,C-1,2026-01-01T10:00,12,home,ZZ1 1AA,caf\xE9\n"
                                  "E-2,C-2,2026-01-01T10:00,12,home,ZZ1 1AA,x\x81y\n");
    const ImportReport report = import("episodes", episodes, spec);
    EXPECT_EQ(report.inserted, 1);
    EXPECT_EQ(report.quarantined_by_reason,
              (std::map<std::string, std::int64_t>{{"encoding_error", 1}}));
    EXPECT_EQ(text("SELECT line || ' ' || reason FROM quarantine"),
              "3 encoding_error: byte 0x81 in field 7 at byte 42 of the record is not defined "
              "in windows-1252");
    // The record is kept as it was read, the undefined byte included (bytea on PostgreSQL).
    const auto raw = StoreRows(db).bytes("SELECT raw FROM quarantine");
    ASSERT_EQ(raw.size(), 1U);
    EXPECT_NE(raw[0].value_or("").find("x\x81y"), std::string::npos);

    const auto rhi_spec = write("rhi-spec.json", R"({"kind": "rhi", "encoding": "windows-1252"})");
    const auto rhi = write("rhi.jsonl", "{\"rhi_id\": \"R-1\", \"decline_reason\": \"caf\xE9\"}\n"
                                        "{\"rhi_id\": \"R-2\", \"decline_reason\": \"x\x9Dy\"}\n");
    const ImportReport rhis = import("rhi", rhi, rhi_spec);
    EXPECT_EQ(rhis.inserted, 1);
    EXPECT_EQ(rhis.quarantined_by_reason,
              (std::map<std::string, std::int64_t>{{"encoding_error", 1}}));
    EXPECT_EQ(text("SELECT line || ' ' || reason FROM quarantine WHERE import_run_id = " +
                   std::to_string(rhis.run_id)),
              "2 encoding_error: byte 0x9D at byte 38 is not defined in windows-1252");
}

TEST_F(ImportTest, BlankCsvLinesAreCountedAndEveryPhysicalRecordIsAccountedFor) {
    // Lines 2, 4, 5 and 8 are blank (nothing, or nothing before CRLF); line 7
    // holds spaces, which RFC 4180 reads as a record of one field.
    const std::string row = "C-1,2026-01-01T10:00,12,home,ZZ1 1AA,\n";
    const auto file = write("episodes.csv", std::string(episodes_header) + "\nE-1," + row +
                                                "\r\n\nE-2," + row + "   \n\n");
    const ImportReport report = import("episodes", file);
    EXPECT_EQ(report.blank_lines, 4);
    EXPECT_EQ(report.rows_read, 3);
    EXPECT_EQ(1 + report.rows_read + report.blank_lines, 8) << "the header, rows and blank lines";
    EXPECT_EQ(report.inserted, 2);
    EXPECT_EQ(report.quarantined_by_reason,
              (std::map<std::string, std::int64_t>{{"malformed_row", 1}}));
    EXPECT_EQ(nlohmann::json::parse(report.to_json())["blank_lines"], 4);
    EXPECT_EQ(count("SELECT line FROM quarantine"), 7);
}

TEST_F(ImportTest, AnOverLongFieldIsMeasuredInBytes) {
    std::string ref;
    for (int i = 0; i < 600; ++i) {
        ref += "\u00e9"; // two bytes in UTF-8: 600 characters, 1200 bytes
    }
    const auto file =
        write("episodes.csv", std::string(episodes_header) +
                                  "E-1,C-1,2026-01-01T10:00,12,home,ZZ1 1AA," + ref + "\n");
    const ImportReport report = import("episodes", file);
    ASSERT_EQ(report.examples.size(), 1U);
    EXPECT_EQ(report.examples[0].code, "over_long_field");
    EXPECT_EQ(report.examples[0].message, "police_ref is 1200 bytes long (at most 1000)");
}

TEST_F(ImportTest, EachCommittedImportAppendsOneChainedAuditEntryWithoutRecordContent) {
    const auto gazetteer = write("gazetteer.csv", "key,key_type,x,y,label\n"
                                                  "ZZ1 1AA,postcode,700000,300000,Kayla's home\n");
    const auto episodes = write("episodes.csv", std::string(episodes_header) +
                                                    "E-1,C-1,2026-01-01T10:00,12,home,ZZ1 1AA,\n"
                                                    ",C-2,2026-01-01T10:00,12,home,ZZ1 1AA,\n");
    import("gazetteer", gazetteer);
    const ImportReport report = import("episodes", episodes);
    EXPECT_THROW(import("episodes", write("empty.csv", "")), InputError);
    EXPECT_EQ(status().audit_entries, 2) << "one per committed import";
    EXPECT_EQ(count("SELECT count(*) FROM audit_log"), 2) << "one per committed import";

    const passwd* user = getpwuid(geteuid());
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(
        text("SELECT command || ' ' || coalesce(profile, 'NULL') FROM audit_log WHERE seq = 2"),
        "import NULL");
    const auto inputs = nlohmann::json::parse(text("SELECT inputs FROM audit_log WHERE seq = 2"));
    EXPECT_EQ(inputs, (nlohmann::json{{"user", user->pw_name},
                                      {"kind", "episodes"},
                                      {"file", episodes.string()},
                                      {"file_sha256", text("SELECT file_sha256 FROM import_runs "
                                                           "WHERE import_run_id = " +
                                                           std::to_string(report.run_id))},
                                      {"spec", nullptr}}));
    const auto outputs = nlohmann::json::parse(text("SELECT outputs FROM audit_log WHERE seq = 2"));
    EXPECT_EQ(outputs, (nlohmann::json{{"import_run", report.run_id},
                                       {"rows_read", 2},
                                       {"rows_imported", 1},
                                       {"rows_updated", 0},
                                       {"rows_unchanged", 0},
                                       {"rows_quarantined", 1},
                                       {"unresolved_locations", 0}}));
    // Chained: each entry names the hash of the one before (64 zeros for the first).
    EXPECT_EQ(text("SELECT prev_hash FROM audit_log WHERE seq = 1"), std::string(64, '0'));
    EXPECT_EQ(text("SELECT prev_hash FROM audit_log WHERE seq = 2"),
              text("SELECT hash FROM audit_log WHERE seq = 1"));
    // Each hash is 64 lowercase hex digits, unlike the one before it.
    int hashes = 0;
    for (const auto& row : StoreRows(db).rows("SELECT hash, prev_hash FROM audit_log")) {
        const std::string hash = row.at(0).value_or("");
        EXPECT_EQ(hash.size(), 64U) << hash;
        EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
        EXPECT_TRUE(row.at(1).has_value());
        EXPECT_NE(row.at(0), row.at(1));
        ++hashes;
    }
    EXPECT_EQ(hashes, 2);
    for (const auto& entry : StoreRows(db).rows("SELECT prev_hash, at, command, "
                                                "coalesce(profile, ''), inputs, outputs, hash "
                                                "FROM audit_log ORDER BY seq")) {
        EXPECT_EQ(store::audit_entry_hash(entry.at(0).value_or(""), entry.at(1).value_or(""),
                                          entry.at(2).value_or(""), entry.at(3).value_or(""),
                                          entry.at(4).value_or(""), entry.at(5).value_or("")),
                  entry.at(6).value_or(""));
    }
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(store::audit_entry_hash(std::string(64, '0'), "2026-01-01T00:00:00Z", "import", "",
                                      "{}", "{}"),
              sha256_hex(R"(["0000000000000000000000000000000000000000000000000000000000000000",)"
                         R"("2026-01-01T00:00:00Z","import",null,"{}","{}"])"));
    // No record content: no ids, labels or quarantine messages.
    for (const char* content : {"E-1", "C-1", "C-2", "Kayla", "ZZ1", "required"}) {
        EXPECT_EQ(count(std::string("SELECT count(*) FROM audit_log WHERE inputs || outputs LIKE "
                                    "'%") +
                        content + "%'"),
                  0)
            << content;
    }
}

TEST_F(ImportTest, TheReportIsStoredWithTheRun) {
    const auto w = world(synth::Scale::small, false);
    const ImportReport report = import("gazetteer", w / "gazetteer.csv");
    int stored = 0;
    for (const auto& row : StoreRows(db).rows("SELECT report FROM import_runs")) {
        ASSERT_TRUE(row.at(0).has_value());
        EXPECT_EQ(nlohmann::json::parse(*row.at(0)).at("rows_read"), report.rows_read);
        ++stored;
    }
    EXPECT_EQ(stored, 1);
    EXPECT_EQ(count("SELECT length(file_sha256) FROM import_runs"), 64);
}

} // namespace
} // namespace waymark
