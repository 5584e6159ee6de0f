#include "base/error.hpp"
#include "engine/model/columns.hpp"
#include "importers/datetime.hpp"
#include "importers/spec.hpp"
#include "tests/support/errors.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>

namespace waymark::importers {
namespace {

using testing::message_of;

// The header of episodes.csv (DATA-MODEL.md).
constexpr std::string_view episode_columns[] = {"episode_id",
                                                "child_id",
                                                "reported_at",
                                                "last_seen_at",
                                                "returned_at",
                                                "date_of_birth",
                                                "age",
                                                "sex",
                                                "category",
                                                "setting",
                                                "looked_after",
                                                "placement_area",
                                                "responsible_authority",
                                                "risk_grade",
                                                "police_ref",
                                                "from_x",
                                                "from_y",
                                                "from_crs",
                                                "from_lat",
                                                "from_lon",
                                                "from_place_id",
                                                "from_postcode",
                                                "from_label",
                                                "from_type",
                                                "found_x",
                                                "found_y",
                                                "found_crs",
                                                "found_lat",
                                                "found_lon",
                                                "found_place_id",
                                                "found_postcode",
                                                "found_label",
                                                "found_type",
                                                "returned_by",
                                                "missing_with",
                                                "safe_and_well",
                                                "cse",
                                                "cce",
                                                "trafficking",
                                                "uasc"};

std::span<const std::string_view> episodes() {
    return episode_columns;
}

constexpr std::array<std::string_view, 3> rhi_fields = {"rhi_id", "episode_id", "child_id"};

ImportSpec parse(std::string_view json, std::string_view kind = {}) {
    return parse_import_spec(json, "spec.json", episodes(), kind);
}

std::string error(std::string_view json, std::string_view kind = {}) {
    return message_of<InputError>([&] { parse(json, kind); });
}

std::string rhi_error(std::string_view json) {
    return message_of<InputError>([&] { parse_import_spec(json, "rhi.json", rhi_fields); });
}

const std::string known_columns =
    "episode_id, child_id, reported_at, last_seen_at, returned_at, date_of_birth, age, sex, "
    "category, setting, looked_after, placement_area, responsible_authority, risk_grade, "
    "police_ref, from_x, from_y, from_crs, from_lat, from_lon, from_place_id, from_postcode, "
    "from_label, from_type, found_x, found_y, found_crs, found_lat, found_lon, found_place_id, "
    "found_postcode, found_label, found_type, returned_by, missing_with, safe_and_well, cse, "
    "cce, trafficking, uasc";

TEST(ImportSpec, TheExampleOfTheDataModel) {
    const ImportSpec spec = parse(R"({"kind": "episodes", "delimiter": ";", "encoding": "CP1252",
 "columns": {"episode_id": "Occurrence Ref", "child_id": "Subject ID",
             "reported_at": "Reported", "from_postcode": "Home Postcode"},
 "values": {"risk_grade": {"H": "high", "M": "medium", "L": "low", "NAR": "no_apparent_risk"}},
 "datetime_formats": ["%d/%m/%Y %H:%M", "%d/%m/%Y"],
 "defaults": {"from_crs": "27700"}})",
                                  "episodes");
    EXPECT_EQ(spec.kind, "episodes");
    EXPECT_EQ(spec.delimiter, ';');
    EXPECT_EQ(spec.encoding, "windows-1252");
    const std::vector<std::pair<std::string, std::string>> columns = {
        {"episode_id", "Occurrence Ref"},
        {"child_id", "Subject ID"},
        {"reported_at", "Reported"},
        {"from_postcode", "Home Postcode"}};
    EXPECT_EQ(spec.columns, columns); // in the order of the file
    EXPECT_EQ(spec.values.at("risk_grade").at("NAR"), "no_apparent_risk");
    EXPECT_EQ(spec.values.at("risk_grade").size(), 4U);
    EXPECT_EQ(spec.datetime_formats, (std::vector<std::string>{"%d/%m/%Y %H:%M", "%d/%m/%Y"}));
    EXPECT_EQ(spec.defaults, (std::map<std::string, std::string>{{"from_crs", "27700"}}));
}

TEST(ImportSpec, OnlyTheKindIsRequired) {
    const ImportSpec spec = parse(R"({"kind": "persons"})");
    EXPECT_EQ(spec.kind, "persons");
    EXPECT_EQ(spec.delimiter, ',');
    EXPECT_EQ(spec.encoding, "utf-8");
    EXPECT_TRUE(spec.columns.empty());
    EXPECT_TRUE(spec.values.empty());
    EXPECT_TRUE(spec.datetime_formats.empty());
    EXPECT_TRUE(spec.defaults.empty());
}

TEST(ImportSpec, DelimitersAndEncodings) {
    EXPECT_EQ(parse(R"({"kind": "episodes", "delimiter": "\t"})").delimiter, '\t');
    EXPECT_EQ(parse(R"({"kind": "episodes", "delimiter": "|"})").delimiter, '|');
    EXPECT_EQ(parse(R"({"kind": "episodes", "encoding": "UTF8"})").encoding, "utf-8");
    EXPECT_EQ(parse(R"({"kind": "episodes", "encoding": "utf-8"})").encoding, "utf-8");
    EXPECT_EQ(parse(R"({"kind": "episodes", "encoding": "Windows-1252"})").encoding,
              "windows-1252");
}

TEST(ImportSpec, JsonLinesKindsRenameFields) {
    const ImportSpec spec = parse_import_spec(
        R"({"kind": "rhi", "columns": {"rhi_id": "InterviewRef"}, "encoding": "utf-8"})",
        "rhi.json", rhi_fields, "rhi");
    EXPECT_EQ(spec.columns.at(0), (std::pair<std::string, std::string>{"rhi_id", "InterviewRef"}));
    EXPECT_TRUE(is_json_lines_kind("rhi"));
    EXPECT_TRUE(is_json_lines_kind("cpi"));
    EXPECT_FALSE(is_json_lines_kind("episodes"));
}

TEST(ImportSpec, AnEmptyMappedValueMeansUnknown) {
    const ImportSpec spec = parse(R"({"kind": "episodes", "values": {"cse": {"Not Known": ""}}})");
    EXPECT_EQ(spec.values.at("cse").at("Not Known"), "");
}

TEST(ImportSpec, InvalidJsonNamesLineAndColumn) {
    EXPECT_EQ(error("{\"kind\": \"episodes\",\n \"columns\": {x}}"),
              "import spec spec.json: line 2, column 14: invalid JSON: syntax error while "
              "parsing object key - invalid literal; last read: '\"columns\": {x'; expected string "
              "literal");
    EXPECT_EQ(error(""), "import spec spec.json: line 1, column 1: invalid JSON: syntax error "
                         "while parsing value - unexpected end of input; expected '[', '{', or "
                         "a literal");
}

TEST(ImportSpec, TheDocumentAndItsKeys) {
    EXPECT_EQ(error("[1]"), "import spec spec.json: must be a JSON object, not [1]");
    EXPECT_EQ(error(R"({"kind": "episodes", "colums": {}})"),
              "import spec spec.json: colums: unknown key (known: kind, delimiter, encoding, "
              "columns, values, datetime_formats, defaults)");
    EXPECT_EQ(error(R"({"kind": "episodes", "columns": {"sex": "A", "sex": "B"}})"),
              "import spec spec.json: columns.sex: repeated key");
}

TEST(ImportSpec, TheKind) {
    EXPECT_EQ(error("{}"), "import spec spec.json: kind: missing (one of: episodes, rhi, cpi, "
                           "persons, gazetteer)");
    EXPECT_EQ(error(R"({"kind": 1})"), "import spec spec.json: kind: must be a string, not 1");
    EXPECT_EQ(error(R"({"kind": "episode"})"),
              "import spec spec.json: kind: \"episode\" is not one of: episodes, rhi, cpi, "
              "persons, gazetteer");
    EXPECT_EQ(error(R"({"kind": "rhi"})", "episodes"),
              "import spec spec.json: kind: the spec is for rhi files, but episodes are being "
              "imported");
}

TEST(ImportSpec, TheDelimiter) {
    EXPECT_EQ(error(R"({"kind": "episodes", "delimiter": ";;"})"),
              "import spec spec.json: delimiter: must be exactly one character (e.g. \",\", "
              "\";\", \"|\" or \"\\t\"), not \";;\"");
    EXPECT_EQ(error(R"({"kind": "episodes", "delimiter": ""})"),
              "import spec spec.json: delimiter: must be exactly one character (e.g. \",\", "
              "\";\", \"|\" or \"\\t\"), not \"\"");
    EXPECT_EQ(error(R"({"kind": "episodes", "delimiter": "§"})"),
              "import spec spec.json: delimiter: must be exactly one character (e.g. \",\", "
              "\";\", \"|\" or \"\\t\"), not \"§\"");
    EXPECT_EQ(error(R"({"kind": "episodes", "delimiter": 44})"),
              "import spec spec.json: delimiter: must be a string, not 44");
    EXPECT_EQ(error(R"({"kind": "episodes", "delimiter": "\""})"),
              "import spec spec.json: delimiter: cannot be a double quote or a line break");
    EXPECT_EQ(error(R"({"kind": "episodes", "delimiter": "\n"})"),
              "import spec spec.json: delimiter: cannot be a double quote or a line break");
    EXPECT_EQ(rhi_error(R"({"kind": "rhi", "delimiter": ","})"),
              "import spec rhi.json: delimiter: not used for rhi files (JSON Lines); remove it");
}

TEST(ImportSpec, TheEncoding) {
    EXPECT_EQ(error(R"({"kind": "episodes", "encoding": "latin1"})"),
              "import spec spec.json: encoding: \"latin1\" is not supported (one of: utf-8, "
              "windows-1252)");
    EXPECT_EQ(error(R"({"kind": "episodes", "encoding": ""})"),
              "import spec spec.json: encoding: \"\" is not supported (one of: utf-8, "
              "windows-1252)");
}

TEST(ImportSpec, TheColumns) {
    EXPECT_EQ(error(R"({"kind": "episodes", "columns": ["a"]})"),
              "import spec spec.json: columns: must be an object (canonical column → source "
              "column), not [\"a\"]");
    EXPECT_EQ(error(R"({"kind": "episodes", "columns": {"episode": "Ref"}})"),
              "import spec spec.json: columns.episode: unknown episodes column (known: " +
                  known_columns + ")");
    EXPECT_EQ(error(R"({"kind": "episodes", "columns": {"Occurrence Ref": "episode_id"}})"),
              "import spec spec.json: columns.Occurrence Ref: unknown episodes column (columns "
              "map the canonical name to the source name: \"episode_id\": \"Occurrence Ref\")");
    EXPECT_EQ(error(R"({"kind": "episodes", "columns": {"sex": 1}})"),
              "import spec spec.json: columns.sex: must be a string, not 1");
    EXPECT_EQ(error(R"({"kind": "episodes", "columns": {"sex": ""}})"),
              "import spec spec.json: columns.sex: must not be empty");
    EXPECT_EQ(error(R"({"kind": "episodes",
                        "columns": {"from_postcode": "Postcode", "found_postcode": "Postcode"}})"),
              "import spec spec.json: columns.found_postcode: source column \"Postcode\" is "
              "already mapped to from_postcode");
    EXPECT_EQ(rhi_error(R"({"kind": "rhi", "columns": {"rhi": "Ref"}})"),
              "import spec rhi.json: columns.rhi: unknown rhi field (known: rhi_id, episode_id, "
              "child_id)");
    EXPECT_EQ(rhi_error(R"({"kind": "rhi", "columns": {"rhi_id": "Ref", "child_id": "Ref"}})"),
              "import spec rhi.json: columns.child_id: source field \"Ref\" is already mapped to "
              "rhi_id");
}

TEST(ImportSpec, TheValues) {
    EXPECT_EQ(error(R"({"kind": "episodes", "values": []})"),
              "import spec spec.json: values: must be an object (canonical field → value map), "
              "not []");
    EXPECT_EQ(error(R"({"kind": "episodes", "values": {"gender": {"Male": "M"}}})"),
              "import spec spec.json: values.gender: unknown episodes column (known: " +
                  known_columns + ")");
    EXPECT_EQ(error(R"({"kind": "episodes", "values": {"sex": "M"}})"),
              "import spec spec.json: values.sex: must be an object (source value → canonical "
              "value), not \"M\"");
    EXPECT_EQ(error(R"({"kind": "episodes", "values": {"sex": {"Male": 1}}})"),
              "import spec spec.json: values.sex.\"Male\": must be a string, not 1");
    EXPECT_EQ(error(R"({"kind": "episodes", "values": {"sex": {"": "U"}}})"),
              "import spec spec.json: values.sex.\"\": an empty source value cannot be mapped "
              "(use defaults for empty values)");
}

TEST(ImportSpec, TheDateTimeFormats) {
    EXPECT_EQ(error(R"({"kind": "episodes", "datetime_formats": "%d/%m/%Y"})"),
              "import spec spec.json: datetime_formats: must be an array of strings, not "
              "\"%d/%m/%Y\"");
    EXPECT_EQ(error(R"({"kind": "episodes", "datetime_formats": ["%d/%m/%Y", 5]})"),
              "import spec spec.json: datetime_formats[1]: must be a string, not 5");
    EXPECT_EQ(error(R"({"kind": "episodes", "datetime_formats": ["%d/%m/%Y %H:%M:%Q"]})"),
              "import spec spec.json: datetime_formats[0]: \"%d/%m/%Y %H:%M:%Q\": unknown "
              "directive %Q (known: %Y %y %m %b %d %H %I %M %S %p %%)");
    EXPECT_EQ(error(R"({"kind": "episodes", "datetime_formats": [""]})"),
              "import spec spec.json: datetime_formats[0]: \"\": a format must not be empty");
}

TEST(ImportSpec, TheDefaults) {
    EXPECT_EQ(error(R"({"kind": "episodes", "defaults": {"from_crs": 27700}})"),
              "import spec spec.json: defaults.from_crs: must be a string, not 27700");
    EXPECT_EQ(error(R"({"kind": "episodes", "defaults": {"from_crs": ""}})"),
              "import spec spec.json: defaults.from_crs: must not be empty");
    EXPECT_EQ(error(R"({"kind": "episodes", "defaults": {"crs": "27700"}})"),
              "import spec spec.json: defaults.crs: unknown episodes column (known: " +
                  known_columns + ")");
    EXPECT_EQ(error(R"({"kind": "episodes", "defaults": "x"})"),
              "import spec spec.json: defaults: must be an object (canonical column → value when "
              "absent or empty), not \"x\"");
}

TEST(ImportSpec, JsonLinesValuesAndDefaultsApplyWhereAFieldHoldsAValue) {
    const auto rhi = [](std::string_view json) {
        return parse_import_spec(json, "rhi.json", model::rhi_fields, "rhi");
    };
    const auto rhi_error = [&](std::string_view json) {
        return message_of<InputError>([&] { rhi(json); });
    };
    const ImportSpec spec = rhi(R"({"kind": "rhi",
        "values": {"outcome": {"Done": "completed"}, "consent_to_share": {"Yes": "Y"},
                   "push_factors": {"DV": "domestic_violence"}},
        "defaults": {"mode": "face_to_face", "independent": "N"}})");
    EXPECT_EQ(spec.values.at("push_factors").at("DV"), "domestic_violence");
    EXPECT_EQ(spec.defaults.at("independent"), "N");
    EXPECT_EQ(rhi_error(R"({"kind": "rhi", "values": {"places": {"a": "b"}}})"),
              "import spec rhi.json: values.places: places holds objects: value maps apply to "
              "rhi fields holding a string or a boolean, and to the codes of an array of codes");
    EXPECT_EQ(rhi_error(R"({"kind": "rhi", "defaults": {"high_risk": "x"}})"),
              "import spec rhi.json: defaults.high_risk: high_risk holds objects: defaults apply "
              "to rhi fields holding a string or a boolean");
    EXPECT_EQ(rhi_error(R"({"kind": "rhi", "defaults": {"pull_factors": "friends_fun"}})"),
              "import spec rhi.json: defaults.pull_factors: pull_factors holds an array of codes: "
              "defaults apply to rhi fields holding a string or a boolean");
    EXPECT_EQ(message_of<InputError>([] {
                  parse_import_spec(R"({"kind": "cpi", "values": {"grading": {"2": "B"}}})",
                                    "cpi.json", model::cpi_fields, "cpi");
              }),
              "import spec cpi.json: values.grading: grading holds objects: value maps apply to "
              "cpi fields holding a string or a boolean, and to the codes of an array of codes");
    // CSV columns of the same names are plain columns.
    EXPECT_NO_THROW(parse_import_spec(R"({"kind": "episodes", "defaults": {"from_label": "x"}})",
                                      "spec.json", episodes(), "episodes"));
}

TEST(ImportSpec, UnreadableFiles) {
    const std::filesystem::path missing = "/nonexistent/spec.json";
    EXPECT_EQ(message_of<IoError>([&] { load_import_spec(missing, episodes()); }),
              "cannot read import spec /nonexistent/spec.json: No such file or directory");
    EXPECT_EQ(message_of<IoError>([&] { load_import_spec("/tmp", episodes()); }),
              "cannot read import spec /tmp: Is a directory");
}

TEST(ImportSpec, TheShippedPoliceSpec) {
    const ImportSpec spec = load_import_spec(std::filesystem::path(WAYMARK_SOURCE_DIR) /
                                                 "data/specs/police-episodes.json",
                                             episodes(), "episodes");
    EXPECT_EQ(spec.encoding, "windows-1252");
    EXPECT_EQ(spec.columns.front(),
              (std::pair<std::string, std::string>{"episode_id", "Occurrence Ref"}));
    EXPECT_EQ(spec.values.at("sex").at("Unknown"), "U");
    EXPECT_EQ(spec.values.at("risk_grade").at("NAR"), "no_apparent_risk");
    EXPECT_EQ(spec.values.at("safe_and_well").at("Yes"), "Y");
    const DateTimeParser parser(nullptr, spec.datetime_formats);
    EXPECT_EQ(model::format_timestamp(parser.parse("14/03/2026 21:40").utc),
              "2026-03-14T21:40:00Z");
    EXPECT_EQ(model::format_date(*parser.parse_date("02/11/2010")), "2010-11-02");
}

TEST(ImportSpec, TheShippedCouncilSpec) {
    const ImportSpec spec = load_import_spec(std::filesystem::path(WAYMARK_SOURCE_DIR) /
                                                 "data/specs/council-episodes.json",
                                             episodes(), "episodes");
    EXPECT_EQ(spec.encoding, "utf-8");
    EXPECT_EQ(spec.values.at("setting").at("Residential"), "childrens_home");
    EXPECT_EQ(spec.values.at("setting").at("Semi-independent"), "supported_accommodation");
    EXPECT_EQ(spec.values.at("cse").at("Not Known"), "");
    const DateTimeParser parser(nullptr, spec.datetime_formats);
    EXPECT_EQ(model::format_timestamp(parser.parse("14-Mar-2026 21:40").utc),
              "2026-03-14T21:40:00Z");
    EXPECT_EQ(model::format_date(*parser.parse_date("02-NOV-2010")), "2010-11-02");
}

} // namespace
} // namespace waymark::importers
