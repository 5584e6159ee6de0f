// The command line: help, exit codes, one-line errors, init and status.

#include "engine/cli/app.hpp"
#include "engine/store/schema.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace waymark::cli {
namespace {

using waymark::testing::TempDir;

using Outcome = waymark::testing::CliOutcome;
using waymark::testing::run_cli;

std::size_t lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class CliTest : public ::testing::Test {
protected:
    TempDir dir;
    std::string db = dir.file("waymark.db");
};

TEST_F(CliTest, HelpListsExactlyTheCommandsThatExist) {
    const Outcome result = run_cli({"--help"});
    EXPECT_EQ(result.code, 0);
    EXPECT_NE(result.out.find("init "), std::string::npos);
    EXPECT_NE(result.out.find("status "), std::string::npos);
    EXPECT_NE(result.out.find("--db PATH|URL"), std::string::npos);
    EXPECT_NE(result.out.find("--area FILE"), std::string::npos);
    EXPECT_NE(result.out.find("--quiet"), std::string::npos);
    // Every command is listed, and only once it works.
    EXPECT_NE(result.out.find("synth "), std::string::npos);
    EXPECT_NE(result.out.find("import "), std::string::npos);
    EXPECT_NE(result.out.find("hotspots "), std::string::npos);
    EXPECT_NE(result.out.find("network "), std::string::npos);
    EXPECT_NE(result.out.find("serve "), std::string::npos);
    EXPECT_NE(result.out.find("disrupt "), std::string::npos);
    EXPECT_NE(result.out.find("triggers "), std::string::npos);
    EXPECT_NE(result.out.find("report "), std::string::npos);
    EXPECT_NE(result.out.find("\n  audit "), std::string::npos);
    EXPECT_TRUE(result.err.empty());
}

TEST_F(CliTest, EveryCommandHasHelp) {
    for (const char* command : {"init", "status", "synth", "import", "hotspots", "network",
                                "triggers", "disrupt", "report", "export", "serve", "audit"}) {
        const Outcome result = run_cli({command, "--help"});
        EXPECT_EQ(result.code, 0) << command;
        EXPECT_NE(result.out.find(std::string("Usage: waymark ") + command), std::string::npos);
        EXPECT_NE(result.out.find("Exit codes: 0 ok, 1 failure, 2 usage error."),
                  std::string::npos);
    }
}

TEST_F(CliTest, UsageErrorsExitTwoWithOneLine) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{}, "waymark: error: a command is required (see 'waymark --help')\n"},
        {{"frobnicate"}, "waymark: error: unknown command 'frobnicate' (see 'waymark --help')\n"},
        {{"status", "--bogus"},
         "waymark: error: the following argument was not expected: "
         "--bogus (see 'waymark status --help')\n"},
        {{"status", "--db", db},
         "waymark: error: the global option --db must come before the "
         "command ('waymark --db VALUE status …') (see 'waymark status "
         "--help')\n"},
        {{"synth", "--out", "w", "--scale", "county"},
         "waymark: error: --scale: county not in {small,force,national} (see 'waymark synth "
         "--help')\n"},
        {{"synth", "--scale", "small"},
         "waymark: error: --out is required (see 'waymark synth --help')\n"},
        {{"hotspots", "--out", "h"},
         "waymark: error: --profile is required (see 'waymark hotspots --help')\n"},
        {{"hotspots", "--out", "h", "--profile", "police"},
         "waymark: error: --profile: 'police' is not a profile (analyst, panel or partnership) "
         "(see 'waymark hotspots --help')\n"},
        {{"hotspots", "--out", "h", "--profile", "analyst", "--role", "from,home"},
         "waymark: error: --role: 'home' is not one of from, found, visited, concern, all "
         "(see 'waymark hotspots --help')\n"},
        {{"hotspots", "--out", "h", "--profile", "analyst", "--setting", "hostel"},
         "waymark: error: --setting: 'hostel' is not one of home, foster_care, childrens_home, "
         "supported_accommodation, health, care_leaver, other (see 'waymark hotspots --help')\n"},
        {{"hotspots", "--out", "h", "--profile", "analyst", "--age", "15-12"},
         "waymark: error: --age: '15-12' starts after it ends (see 'waymark hotspots --help')\n"},
        {{"hotspots", "--out", "h", "--profile", "analyst", "--cell-size", "-3"},
         "waymark: error: --cell-size: '-3' is neither 'auto' nor a positive number of metres "
         "(see 'waymark hotspots --help')\n"},
        {{"hotspots", "--out", "h", "--profile", "analyst", "--since", "2026-02-30"},
         "waymark: error: --since: invalid date '2026-02-30' (expected YYYY-MM-DD) (see "
         "'waymark hotspots --help')\n"},
        {{"network", "--out", "n"},
         "waymark: error: --profile is required (see 'waymark network --help')\n"},
        {{"network", "--out", "n", "--profile", "partnership"},
         "waymark: error: network --profile partnership: the partnership profile gets "
         "aggregates only, never the network itself; 'waymark export --profile partnership' "
         "writes the network's counts with small numbers suppressed (see 'waymark network "
         "--help')\n"},
        {{"export", "--profile", "panel"},
         "waymark: error: --out is required (see 'waymark export --help')\n"},
        {{"export", "--out", "e", "--profile", "public"},
         "waymark: error: --profile: 'public' is not a profile (analyst, panel or partnership) "
         "(see 'waymark export --help')\n"},
        {{"export", "--out", "e", "--profile", "panel", "--until", "2026-13-01"},
         "waymark: error: --until: invalid date '2026-13-01' (expected YYYY-MM-DD) (see "
         "'waymark export --help')\n"},
        {{"export", "--out", "e", "--profile", "panel", "--count", "places"},
         "waymark: error: --count: places not in {episodes,children} (see 'waymark export "
         "--help')\n"},
        {{"network", "--out", "n", "--profile", "analyst", "--format", "gexf,pdf"},
         "waymark: error: --format: 'pdf' is not one of gexf, graphml, anx, geojson, csv "
         "(see 'waymark network --help')\n"},
        {{"network", "--out", "n", "--profile", "analyst", "--since", "2026-05-01", "--until",
          "2026-04-01"},
         "waymark: error: --since 2026-05-01 is after --until 2026-04-01 (see 'waymark network "
         "--help')\n"},
        {{"network", "--out", "n", "--profile", "analyst", "--overrides", "no-such.csv"},
         "waymark: error: --overrides: no file no-such.csv (see 'waymark network --help')\n"},
        {{"network", "--out", "n", "--profile", "analyst", "--hops", "0"},
         "waymark: error: --hops: Value 0 not in range 1 to 10 (see 'waymark network --help')\n"},
        {{"disrupt", "--out", "d"},
         "waymark: error: --profile is required (see 'waymark disrupt --help')\n"},
        {{"disrupt", "--out", "d", "--profile", "partnership"},
         "waymark: error: disrupt --profile partnership: the partnership profile gets "
         "aggregates only, never named adults, places, vehicles or children; use --profile "
         "panel (pseudonyms) or analyst (see 'waymark disrupt --help')\n"},
        {{"disrupt", "--out", "d", "--profile", "analyst", "--top", "0"},
         "waymark: error: --top: Value 0 not in range 1 to 1000 (see 'waymark disrupt --help')\n"},
        {{"triggers", "--out", "t"},
         "waymark: error: --profile is required (see 'waymark triggers --help')\n"},
        {{"triggers", "--out", "t", "--profile", "panel", "--as-of", "2026-02-30"},
         "waymark: error: --as-of: invalid date '2026-02-30' (expected YYYY-MM-DD) (see "
         "'waymark triggers --help')\n"},
        {{"triggers", "--out", "t", "--profile", "panel", "--as-of", "2026-01-01", "--since",
          "2026-01-02"},
         "waymark: error: --since 2026-01-02 is after --as-of 2026-01-01T23:59:59Z (see "
         "'waymark triggers --help')\n"},
        {{"report", "--out", "r", "--since", "2026-01-01", "--until", "2026-03-31"},
         "waymark: error: --profile is required (see 'waymark report --help')\n"},
        {{"serve"}, "waymark: error: --profile is required (see 'waymark serve --help')\n"},
        {{"serve", "--profile", "panel", "--basemap-url", "ftp://tiles/{z}/{x}/{y}"},
         "waymark: error: --basemap-url must be an http(s) URL with {z}, {x} and {y}, such as "
         "http://tiles.force.local/{z}/{x}/{y}.png (see 'waymark serve --help')\n"},
        {{"serve", "--profile", "panel", "--bind", "localhost"},
         "waymark: error: --bind must be an IP address such as 127.0.0.1, not 'localhost' (see "
         "'waymark serve --help')\n"},
        {{"serve", "--profile", "panel", "--port", "70000"},
         "waymark: error: --port: Value 70000 not in range 0 to 65535 (see 'waymark serve "
         "--help')\n"},
        {{"init", "-q"},
         "waymark: error: the global option -q must come before the command "
         "('waymark -q init …') (see 'waymark init --help')\n"},
        {{"--db"}, "waymark: error: --db: 1 required PATH|URL missing (see 'waymark --help')\n"},
    };
    for (const auto& [args, expected] : cases) {
        const Outcome result = run_cli(args);
        EXPECT_EQ(result.code, 2) << expected;
        EXPECT_EQ(result.err, expected);
        EXPECT_TRUE(result.out.empty());
    }
}

TEST_F(CliTest, InitCreatesThenReportsNothingToDo) {
    Outcome result = run_cli({"--db", db, "init"});
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_EQ(result.out,
              "Created store " + db + " (SpatiaLite, schema version " +
                  std::to_string(store::current_schema_version()) +
                  ").\n  Working CRS: EPSG:27700 (OSGB36 / British National Grid)\n"
                  "  Pseudonymisation key: created and kept inside the store; it is never "
                  "written to any output.\n");
    result = run_cli({"--db", db, "init"});
    EXPECT_EQ(result.code, 0);
    EXPECT_EQ(result.out, "Store " + db + " is already at schema version " +
                              std::to_string(store::current_schema_version()) +
                              "; nothing to change.\n");
}

TEST_F(CliTest, QuietInitPrintsNothing) {
    const Outcome result = run_cli({"--quiet", "--db", db, "init"});
    EXPECT_EQ(result.code, 0);
    EXPECT_TRUE(result.out.empty());
    EXPECT_TRUE(result.err.empty());
}

TEST_F(CliTest, InitUsesTheAreaWorkingCrs) {
    const std::string area = dir.file("area.json");
    std::ofstream(area) << R"({"working_crs": 32630})";
    Outcome result = run_cli({"--db", db, "--area", area, "init"});
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_NE(result.out.find("EPSG:32630 (WGS 84 / UTM zone 30N)"), std::string::npos);
    result = run_cli({"--db", db, "init"}); // default 27700 now disagrees with the store
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.err, "waymark: error: store " + db +
                              " uses working CRS EPSG:32630 but the area settings ask for "
                              "EPSG:27700\n");
}

TEST_F(CliTest, BadAreaSettingsFailWithTheFileAndReason) {
    const std::string area = dir.file("area.json");
    std::ofstream(area) << R"({"triggers": {"repeat_episodes": "three"}})";
    const Outcome result = run_cli({"--db", db, "--area", area, "init"});
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.err, "waymark: error: area settings " + area +
                              ": triggers.repeat_episodes must be a whole number from 2 to 100, "
                              "not \"three\"\n");
    EXPECT_FALSE(std::filesystem::exists(db));
}

TEST_F(CliTest, StatusWithoutAStoreSaysToInit) {
    const Outcome result = run_cli({"--db", db, "status"});
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.err,
              "waymark: error: no store at " + db + ": run 'waymark init' to create one\n");
    EXPECT_EQ(lines(result.err), 1U);
}

TEST_F(CliTest, StatusShowsAnEmptyStore) {
    ASSERT_EQ(run_cli({"--db", db, "init"}).code, 0);
    const Outcome result = run_cli({"--db", db, "status"});
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_NE(result.out.find("Store " + db + " (SpatiaLite, schema version"), std::string::npos);
    EXPECT_NE(result.out.find("  episodes                0 (0 still missing)\n"),
              std::string::npos);
    EXPECT_NE(result.out.find("  episodes reported       none yet\n"), std::string::npos);
    EXPECT_NE(result.out.find("EPSG:27700 (OSGB36 / British National Grid)"), std::string::npos);
}

TEST_F(CliTest, StatusJsonIsMachineReadable) {
    ASSERT_EQ(run_cli({"--db", db, "init"}).code, 0);
    const Outcome result = run_cli({"--db", db, "status", "--json"});
    ASSERT_EQ(result.code, 0) << result.err;
    const auto json = nlohmann::json::parse(result.out);
    EXPECT_EQ(json["backend"], "SpatiaLite");
    EXPECT_EQ(json["schema_version"], store::current_schema_version());
    EXPECT_EQ(json["working_crs"], 27700);
    EXPECT_EQ(json["counts"]["episodes"], 0);
    EXPECT_TRUE(json["episodes_reported"]["first"].is_null());
    EXPECT_TRUE(json["last_imports"].empty());
}

TEST_F(CliTest, TheStoreCanComeFromTheEnvironment) {
    ::setenv("WAYMARK_DB", db.c_str(), 1);
    const Outcome result = run_cli({"init"});
    ::unsetenv("WAYMARK_DB");
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_TRUE(std::filesystem::exists(db));
}

TEST_F(CliTest, SynthWritesTheWorldAndSaysWhatItWrote) {
    const std::string out = dir.file("world");
    const Outcome result = run_cli({"synth", "--out", out, "--seed", "3"});
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_NE(result.out.find("Wrote a small synthetic world (seed 3, 1 year) to " + out),
              std::string::npos);
    EXPECT_NE(result.out.find("All people, places and records are fictional."), std::string::npos);
    for (const char* file :
         {"episodes.csv", "rhi.jsonl", "cpi.jsonl", "persons.csv", "gazetteer.csv", "truth.json"}) {
        EXPECT_TRUE(std::filesystem::exists(out + "/" + file)) << file;
    }
    EXPECT_FALSE(std::filesystem::exists(out + "/dirty"));
    EXPECT_TRUE(result.err.empty()); // no progress bar when stderr is not a terminal
}

TEST_F(CliTest, SynthIntoAFileFailsWithTheReason) {
    const std::string blocker = dir.file("a-file");
    std::ofstream(blocker) << "x";
    const Outcome result = run_cli({"-q", "synth", "--out", blocker + "/world"});
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.err.rfind("waymark: error: cannot create " + blocker + "/world: ", 0), 0U)
        << result.err;
}

TEST_F(CliTest, VersionIsPrinted) {
    const Outcome result = run_cli({"--version"});
    EXPECT_EQ(result.code, 0);
    EXPECT_EQ(result.out.rfind("waymark ", 0), 0U);
}

// The real executable, as a user runs it: exit codes reach the shell.
int exit_code_of(const std::string& command) {
    const int status = std::system((command + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(CliTest, TheExecutableReturnsTheExitCodes) {
    const std::string waymark = WAYMARK_CLI_PATH;
    EXPECT_EQ(exit_code_of(waymark + " --help"), 0);
    EXPECT_EQ(exit_code_of(waymark), 2);
    EXPECT_EQ(exit_code_of(waymark + " init --no-such-option"), 2);
    EXPECT_EQ(exit_code_of(waymark + " --db " + db + " status"), 1);
    EXPECT_EQ(exit_code_of(waymark + " --db " + db + " init"), 0);
    EXPECT_EQ(exit_code_of(waymark + " --db " + db + " status"), 0);
}

} // namespace
} // namespace waymark::cli
