// waymark import end to end on synthetic worlds: counts equal to the
// generator's, every planted defect quarantined or warned at its line with
// the right reason, idempotent re-import, updates, and whole-file errors that
// leave the store as it was.

#include "base/error.hpp"
#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/import.hpp"
#include "engine/store/sqlite.hpp"
#include "engine/store/store.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace waymark {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class ImportTest : public ::testing::Test {
protected:
    TempDir dir;
    std::string db = dir.file("waymark.db");
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

    std::int64_t count(const std::string& sql) {
        auto connection = sqlite::Database::open(db, sqlite::OpenMode::read_only);
        return sqlite::query_int64(connection, sql);
    }

    store::StoreStatus status() { return store::open_store(db, store::Access::read)->status(); }
};

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
    EXPECT_EQ(count("SELECT CheckSpatialIndex('locations', 'geom')"), 1);
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
    auto connection = sqlite::Database::open(db, sqlite::OpenMode::read_only);
    sqlite::Statement reported(connection, R"sql(
        SELECT substr(reason, 1, instr(reason, ':') - 1) FROM quarantine
        WHERE import_run_id = ?1 AND line = ?2
        UNION ALL SELECT code FROM import_warnings WHERE import_run_id = ?1 AND line = ?2)sql");
    const auto truth = nlohmann::json::parse(read_file(w / "truth.json"));
    int checked = 0;
    for (const auto& defect : truth["dirty"]) {
        const std::string code = defect["defect"];
        const std::string file = defect["file"];
        reported.bind(1, runs.at(file)).bind(2, defect["line"].get<std::int64_t>());
        std::set<std::string> reasons;
        while (reported.step()) {
            reasons.insert(reported.column_text(0));
        }
        reported.reset();
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

TEST_F(ImportTest, TheReportIsStoredWithTheRun) {
    const auto w = world(synth::Scale::small, false);
    const ImportReport report = import("gazetteer", w / "gazetteer.csv");
    EXPECT_EQ(count("SELECT count(*) FROM import_runs WHERE report IS NOT NULL AND "
                    "json_extract(report, '$.rows_read') = " +
                    std::to_string(report.rows_read)),
              1);
    EXPECT_EQ(count("SELECT length(file_sha256) FROM import_runs"), 64);
}

} // namespace
} // namespace waymark
