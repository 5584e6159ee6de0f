// The input limits of every reader (docs/import.md, "Limits"): field length,
// line length and JSON nesting depth, each with its exact message; and the
// inputs the fuzzers found (tests/fuzz/), as regressions.

#include "base/error.hpp"
#include "engine/model/columns.hpp"
#include "importers/csv_reader.hpp"
#include "importers/line_reader.hpp"
#include "importers/records.hpp"
#include "importers/spec.hpp"
#include "importers/text.hpp"
#include "tests/support/errors.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace waymark::importers {
namespace {

using waymark::testing::message_of;

const DateTimeParser& times() {
    static const DateTimeParser parser(date::locate_zone("Europe/London"));
    return parser;
}

const model::Timestamp now = model::now_utc();

template <typename Record>
std::vector<std::string> messages(const Parsed<Record>& parsed) {
    std::vector<std::string> all;
    for (const Issue& issue : parsed.errors) {
        all.push_back(issue.code + ": " + issue.message);
    }
    return all;
}

bool has(const std::vector<std::string>& all, const std::string& message) {
    return std::find(all.begin(), all.end(), message) != all.end();
}

// The second record of `csv` (after the header) as an episode.
std::vector<std::string> episode_errors(const std::string& csv) {
    std::istringstream in(csv);
    CsvReader reader(in, "episodes.csv");
    CsvRecord header;
    EXPECT_TRUE(reader.next(header));
    const ColumnMap columns(model::episode_columns, required_episode_columns(), header, nullptr,
                            "episodes.csv");
    CsvRecord row;
    EXPECT_TRUE(reader.next(row));
    return messages(parse_episode(columns, row, times(), now));
}

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

const std::string episode_header =
    "episode_id,child_id,reported_at,date_of_birth,setting,from_postcode,police_ref,extra\n";

TEST(Limits, AFieldOver1000BytesIsQuarantined) {
    const std::string row = "e1,c1,2024-01-02 10:00,2010-01-01,home,HD1 1AA,";
    EXPECT_EQ(episode_errors(episode_header + row + std::string(1000, 'p') + ",x\n"),
              std::vector<std::string>{});
    EXPECT_EQ(
        episode_errors(episode_header + row + std::string(1001, 'p') + ",x\n"),
        std::vector<std::string>{"over_long_field: police_ref is 1001 bytes long (at most 1000)"});
}

TEST(Limits, AnAttributeOver20000BytesIsQuarantined) {
    const std::string row = "e1,c1,2024-01-02 10:00,2010-01-01,home,HD1 1AA,P1,";
    EXPECT_EQ(episode_errors(episode_header + row + std::string(20000, 'a') + "\n"),
              std::vector<std::string>{});
    EXPECT_EQ(
        episode_errors(episode_header + row + std::string(20001, 'a') + "\n"),
        std::vector<std::string>{"over_long_field: extra is 20001 bytes long (at most 20000)"});
    const std::string rhi = R"({"rhi_id": "r1", "unknown": ")" + std::string(20001, 'a') + "\"}";
    EXPECT_TRUE(has(messages(parse_rhi(rhi, times(), nullptr, now)),
                    "over_long_field: unknown is 20001 bytes long (at most 20000)"));
}

TEST(Limits, FreeTextOver20000BytesIsQuarantined) {
    const std::string rhi =
        R"({"rhi_id": "r1", "notes": {"story": ")" + std::string(20001, 'n') + "\"}}";
    EXPECT_TRUE(has(messages(parse_rhi(rhi, times(), nullptr, now)),
                    "over_long_field: notes.story is 20001 bytes long (at most 20000)"));
}

TEST(Limits, ALineOverTheLimitIsReportedWithItsLength) {
    // The import's limit is 16 MiB and stops it (docs/import.md); the
    // readers take any limit.
    std::istringstream csv("a,b\n" + std::string(2000, 'x') + "\nc,d\n");
    CsvOptions options;
    options.max_record_bytes = 1024;
    CsvReader reader(csv, "big.csv", options);
    CsvRecord record;
    ASSERT_TRUE(reader.next(record));
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.line, 2);
    EXPECT_EQ(record.error, "record is longer than 1024 bytes");
    EXPECT_EQ(record.problem, ReadProblem::too_long);
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.line, 3);
    EXPECT_EQ(record.error, "");

    std::istringstream jsonl("{}\n" + std::string(2000, 'x') + "\n{}\n");
    LineReader lines(jsonl, "big.jsonl", 1024);
    Line line;
    ASSERT_TRUE(lines.next(line));
    ASSERT_TRUE(lines.next(line));
    EXPECT_EQ(line.number, 2);
    EXPECT_EQ(line.error, "line is longer than 1024 bytes");
    ASSERT_TRUE(lines.next(line));
    EXPECT_EQ(line.error, "");
}

TEST(Limits, JsonDepthIsCountedOutsideStrings) {
    EXPECT_EQ(json_too_deep(nested(32)), std::nullopt);
    EXPECT_EQ(json_too_deep(nested(33)), 1);
    EXPECT_EQ(json_too_deep("{\n\"a\":\n" + nested(32) + "}"), 3);
    EXPECT_EQ(json_too_deep("\"" + std::string(100, '[') + "\""), std::nullopt);
    EXPECT_EQ(json_too_deep("[\"\\\"[[\"]"), std::nullopt);
    EXPECT_EQ(json_too_deep("]]]]" + nested(32)), std::nullopt);
    EXPECT_EQ(json_too_deep_message(), "JSON nests deeper than the limit of 32 levels");
}

TEST(Limits, AJsonLineNestedDeeperThan32IsQuarantined) {
    const std::string deep = R"({"rhi_id": "r1", "x": )" + nested(32) + "}"; // 33 levels
    EXPECT_EQ(
        messages(parse_rhi(deep, times(), nullptr, now)),
        std::vector<std::string>{"malformed_json: JSON nests deeper than the limit of 32 levels"});
    const std::string cpi = R"({"cpi_id": "c1", "x": )" + nested(40) + "}";
    EXPECT_EQ(
        messages(parse_cpi(cpi, times(), nullptr, now)),
        std::vector<std::string>{"malformed_json: JSON nests deeper than the limit of 32 levels"});
    const std::string fits = R"({"rhi_id": "r1", "x": )" + nested(31) + "}";
    for (const std::string& message : messages(parse_rhi(fits, times(), nullptr, now))) {
        EXPECT_EQ(message.find("nests deeper"), std::string::npos) << message;
    }
}

TEST(Limits, AnImportSpecNestedDeeperThan32IsRefused) {
    EXPECT_EQ(message_of<InputError>([] {
                  parse_import_spec("{\"kind\": \"episodes\",\n \"x\": " + nested(40) + "}",
                                    "spec.json", model::episode_columns);
              }),
              "import spec spec.json: line 2: JSON nests deeper than the limit of 32 levels");
}

// Found by the fuzzers: nlohmann::json throws out_of_range, not parse_error,
// for a number too large for a double; it escaped every reader.
TEST(Limits, ANumberTooLargeForADoubleIsInvalidJson) {
    EXPECT_EQ(messages(parse_rhi(R"({"rhi_id": 1e999999})", times(), nullptr, now)),
              std::vector<std::string>{
                  "malformed_json: invalid JSON: number overflow parsing '1e999999'"});
    EXPECT_EQ(
        messages(parse_cpi(R"({"cpi_id": -1e400})", times(), nullptr, now)),
        std::vector<std::string>{"malformed_json: invalid JSON: number overflow parsing '-1e400'"});
    EXPECT_EQ(message_of<InputError>([] {
                  parse_import_spec(R"({"kind": "episodes", "x": 1e999999})", "spec.json",
                                    model::episode_columns);
              }),
              "import spec spec.json: invalid JSON: number overflow parsing '1e999999'");
}

} // namespace
} // namespace waymark::importers
