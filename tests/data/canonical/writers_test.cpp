#include "base/error.hpp"
#include "data/canonical/writers.hpp"
#include "importers/datetime.hpp"
#include "tests/support/errors.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace waymark::canonical {
namespace {

using model::parse_date;
using model::parse_timestamp_utc;

const date::time_zone* london() {
    return date::locate_zone("Europe/London");
}

std::string local(std::string_view utc, const date::time_zone* zone) {
    LocalTimeFormatter formatter(zone);
    return formatter.format(parse_timestamp_utc(utc));
}

std::string decimal(double value, int decimals) {
    std::string out;
    append_decimal(out, value, decimals);
    return out;
}

std::string json_string(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

/// The lines of text (each without its '\n'); fails unless text ends with '\n'.
std::vector<std::string> lines_of(const std::string& text) {
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::vector<std::string> keys_of(const nlohmann::ordered_json& object) {
    std::vector<std::string> keys;
    for (const auto& item : object.items()) {
        keys.push_back(item.key());
    }
    return keys;
}

// ---- shared helpers ----------------------------------------------------------

TEST(CsvField, QuotesOnlyWhenNeeded) {
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("plain text; with semicolons"), "plain text; with semicolons");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("\""), "\"\"\"\"");
    EXPECT_EQ(csv_field("line\nbreak"), "\"line\nbreak\"");
    EXPECT_EQ(csv_field("carriage\rreturn"), "\"carriage\rreturn\"");
    EXPECT_EQ(csv_field("Zoë"), "Zoë");
}

TEST(JsonString, EscapesExactly) {
    EXPECT_EQ(json_string(""), "\"\"");
    EXPECT_EQ(json_string("plain"), "\"plain\"");
    EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
    EXPECT_EQ(json_string(std::string_view("\x01\x1f\0x", 4)), R"("\u0001\u001f\u0000x")");
    EXPECT_EQ(json_string("Zoë / caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \x7F"),
              "\"Zoë / caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \x7F\"");
}

TEST(JsonString, RoundTripsThroughAParser) {
    const std::string text = std::string("He said \"run\" \\ C:\\tmp\n\ttab \x02 Zoë ") +
                             std::string(1, '\0') + " end \xF0\x9F\x98\x80";
    const auto parsed = nlohmann::json::parse(json_string(text));
    EXPECT_EQ(parsed.get<std::string>(), text);
}

TEST(JsonString, ReplacesInvalidUtf8) {
    const std::string replacement = "\xEF\xBF\xBD";
    // a lone continuation byte, a truncated sequence, an overlong form, a surrogate, > U+10FFFF
    EXPECT_EQ(json_string("a\x80z"), "\"a" + replacement + "z\"");
    EXPECT_EQ(json_string("a\xE2\x82"), "\"a" + replacement + replacement + "\"");
    EXPECT_EQ(json_string("\xC0\xAF"), "\"" + replacement + replacement + "\"");
    EXPECT_EQ(json_string("\xED\xA0\x80"), "\"" + replacement + replacement + replacement + "\"");
    EXPECT_EQ(json_string("\xF4\x90\x80\x80").size(), 2 + 4 * replacement.size());
    EXPECT_TRUE(nlohmann::json::accept(json_string("x\xFF\xFEy\xC3")));
}

TEST(Decimal, TrimsAndRounds) {
    EXPECT_EQ(decimal(700123.5, 2), "700123.5");
    EXPECT_EQ(decimal(700123.0, 2), "700123");
    EXPECT_EQ(decimal(700123.456, 2), "700123.46");
    EXPECT_EQ(decimal(700123.999, 2), "700124");
    EXPECT_EQ(decimal(0.0, 2), "0");
    EXPECT_EQ(decimal(-0.0, 2), "0");
    EXPECT_EQ(decimal(-0.001, 2), "0");
    EXPECT_EQ(decimal(-12.5, 2), "-12.5");
    EXPECT_EQ(decimal(50.8123456789, 6), "50.812346");
    EXPECT_EQ(decimal(-1.0800001, 6), "-1.08");
    EXPECT_EQ(decimal(1e20, 2), "100000000000000000000");
    EXPECT_EQ(decimal(120.0, 0), "120");
}

TEST(Dates, FormatAsIso) {
    std::string out;
    append_date(out, parse_date("2010-05-04"));
    out += ' ';
    append_date(out, parse_date("0099-12-31"));
    EXPECT_EQ(out, "2010-05-04 0099-12-31");
}

// ---- local time --------------------------------------------------------------

TEST(LocalTime, SummerIsBritishSummerTime) {
    EXPECT_EQ(local("2026-07-01T20:30:00Z", london()), "2026-07-01T21:30");
}

TEST(LocalTime, WinterIsGreenwichMeanTime) {
    EXPECT_EQ(local("2026-01-15T20:30:00Z", london()), "2026-01-15T20:30");
}

TEST(LocalTime, SecondsOnlyWhenNotZero) {
    EXPECT_EQ(local("2026-07-01T20:30:05Z", london()), "2026-07-01T21:30:05");
    EXPECT_EQ(local("2026-01-15T20:30:59Z", london()), "2026-01-15T20:30:59");
}

TEST(LocalTime, CrossesMidnightAndYear) {
    EXPECT_EQ(local("2026-06-30T23:15:00Z", london()), "2026-07-01T00:15");
    EXPECT_EQ(local("2025-12-31T23:59:00Z", london()), "2025-12-31T23:59");
}

TEST(LocalTime, NoZoneWritesUtcWithZ) {
    EXPECT_EQ(local("2026-07-01T20:30:00Z", nullptr), "2026-07-01T20:30Z");
    EXPECT_EQ(local("2026-07-01T20:30:07Z", nullptr), "2026-07-01T20:30:07Z");
    EXPECT_EQ(local("1969-12-31T23:59:00Z", nullptr), "1969-12-31T23:59Z");
}

TEST(LocalTime, SpringForwardSkipsAnHour) {
    // 29 March 2026: at 01:00 UTC clocks go from 01:00 GMT to 02:00 BST.
    LocalTimeFormatter formatter(london());
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-03-29T00:59:59Z")), "2026-03-29T00:59:59");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-03-29T01:00:00Z")), "2026-03-29T02:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-03-29T01:30:00Z")), "2026-03-29T02:30");
    // and back again with the same formatter (its cached period must not leak)
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-03-29T00:30:00Z")), "2026-03-29T00:30");
}

TEST(LocalTime, AutumnBackRepeatsAnHourSoItCarriesTheOffset) {
    // 25 October 2026: at 01:00 UTC clocks go from 02:00 BST back to 01:00 GMT, so
    // local 01:00-01:59 happens twice: each occurrence is written with its offset.
    LocalTimeFormatter formatter(london());
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-24T23:59:59Z")), "2026-10-25T00:59:59");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T00:00:00Z")),
              "2026-10-25T01:00+01:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T00:30:00Z")),
              "2026-10-25T01:30+01:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T00:59:59Z")),
              "2026-10-25T01:59:59+01:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T01:00:00Z")),
              "2026-10-25T01:00+00:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T01:30:00Z")),
              "2026-10-25T01:30+00:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T01:59:59Z")),
              "2026-10-25T01:59:59+00:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T02:00:00Z")), "2026-10-25T02:00");
    // and the earlier occurrence again after the later (the cached period must not leak)
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-10-25T00:15:00Z")),
              "2026-10-25T01:15+01:00");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-07-01T20:30:00Z")), "2026-07-01T21:30");
    EXPECT_EQ(formatter.format(parse_timestamp_utc("2026-01-15T20:30:00Z")), "2026-01-15T20:30");
}

TEST(LocalTime, OnlyTheRepeatedHourCarriesAnOffset) {
    // Every five minutes over two years in London (four clock changes), and a zone
    // whose clocks go back by half an hour (Lord Howe: +11:00 to +10:30).
    struct Case {
        const date::time_zone* zone;
        std::int64_t repeated; // five-minute steps per autumn
    };
    const Case cases[] = {{london(), 12}, {date::locate_zone("Australia/Lord_Howe"), 6}};
    for (const Case& c : cases) {
        LocalTimeFormatter formatter(c.zone);
        const auto start = model::Timestamp{
            std::chrono::sys_days{std::chrono::year{2025} / std::chrono::January / 1}};
        const auto end = model::Timestamp{
            std::chrono::sys_days{std::chrono::year{2027} / std::chrono::January / 1}};
        std::int64_t with_offset = 0;
        for (auto t = start; t < end; t += std::chrono::minutes{5}) {
            const std::string text = formatter.format(t);
            const auto local = c.zone->to_local(t);
            const bool ambiguous = c.zone->get_info(local).result == date::local_info::ambiguous;
            const bool has_offset = text.size() > 16 && (text[16] == '+' || text[16] == '-');
            EXPECT_EQ(has_offset, ambiguous) << text;
            with_offset += has_offset ? 1 : 0;
        }
        // Two autumns; each repeated time is written twice, once per offset.
        EXPECT_EQ(with_offset, 2 * 2 * c.repeated) << c.zone->name();
    }
}

TEST(LocalTime, RoundTripsThroughTheImporterToTheSameInstant) {
    // What the writer writes, the importer reads back as the same UTC instant
    // and without an ambiguous_time warning, across both London clock changes.
    const importers::DateTimeParser parser(london());
    LocalTimeFormatter formatter(london());
    const auto start =
        model::Timestamp{std::chrono::sys_days{std::chrono::year{2024} / std::chrono::March / 30}};
    const auto end = model::Timestamp{
        std::chrono::sys_days{std::chrono::year{2024} / std::chrono::October / 28}};
    for (auto t = start; t < end; t += std::chrono::minutes{7}) {
        const std::string text = formatter.format(t);
        const importers::ParsedTime parsed = parser.parse(text);
        EXPECT_EQ(model::format_timestamp(parsed.utc), model::format_timestamp(t)) << text;
        EXPECT_EQ(parsed.warning, "") << text;
    }
    // The two 01:22 of 27 October 2024.
    const importers::ParsedTime first = parser.parse("2024-10-27T01:22+01:00");
    const importers::ParsedTime second = parser.parse("2024-10-27T01:22:00+00:00");
    EXPECT_EQ(model::format_timestamp(first.utc), "2024-10-27T00:22:00Z");
    EXPECT_EQ(model::format_timestamp(second.utc), "2024-10-27T01:22:00Z");
    EXPECT_EQ(first.warning, "");
    EXPECT_EQ(second.warning, "");
    EXPECT_EQ(formatter.format(second.utc), "2024-10-27T01:22+00:00");
    EXPECT_EQ(formatter.format(first.utc), "2024-10-27T01:22+01:00");
}

// ---- episodes.csv ------------------------------------------------------------

constexpr std::string_view episodes_header =
    "episode_id,child_id,reported_at,last_seen_at,returned_at,date_of_birth,age,sex,category,"
    "setting,looked_after,placement_area,responsible_authority,risk_grade,police_ref,from_x,"
    "from_y,from_crs,from_lat,from_lon,from_place_id,from_postcode,from_label,from_type,found_x,"
    "found_y,found_crs,found_lat,found_lon,found_place_id,found_postcode,found_label,found_type,"
    "returned_by,missing_with,safe_and_well,cse,cce,trafficking,uasc\n";

model::Episode full_episode() {
    return model::Episode{
        .episode_id = "E-1",
        .child_id = "C-1",
        .reported_at = parse_timestamp_utc("2026-07-01T20:30:00Z"),
        .last_seen_at = parse_timestamp_utc("2026-07-01T18:15:30Z"),
        .returned_at = std::nullopt,
        .date_of_birth = parse_date("2010-05-04"),
        .age = 16,
        .sex = model::Sex::female,
        .category = model::EpisodeCategory::missing,
        .setting = model::Setting::childrens_home,
        .looked_after = true,
        .placement_area = model::PlacementArea::placed_in,
        .responsible_authority = "Borough of Somewhere, North",
        .risk_grade = model::RiskGrade::high,
        .police_ref = "PPN-7",
        .from = {.x = 700123.5,
                 .y = 300000.0,
                 .postcode = "ZZ1 4AB",
                 .label = "Flat 2, \"The Yard\"\nRear",
                 .type = model::PlaceType::placement},
        .found = model::Location{.lat = 50.8123456789,
                                 .lon = -1.0800001,
                                 .place_id = "U100",
                                 .type = model::PlaceType::park},
        .returned_by = model::ReturnedBy::police,
        .missing_with = {"C-2", "C-3"},
        .safe_and_well = std::nullopt,
        .cse = true,
        .cce = false,
        .trafficking = std::nullopt,
        .uasc = false,
        .extra = {{"officer", "not written"}},
    };
}

TEST(EpisodesCsv, HeaderIsExact) {
    std::ostringstream out;
    EpisodesCsvWriter writer(out, london());
    writer.header();
    EXPECT_EQ(out.str(), episodes_header);
}

TEST(EpisodesCsv, FullRowWithQuotingIsExact) {
    std::ostringstream out;
    EpisodesCsvWriter writer(out, london());
    writer.write(full_episode());
    EXPECT_EQ(out.str(), "E-1,C-1,2026-07-01T21:30,2026-07-01T19:15:30,,2010-05-04,16,F,missing,"
                         "childrens_home,Y,placed_in,\"Borough of Somewhere, North\",high,PPN-7,"
                         "700123.5,300000,27700,,,,ZZ1 4AB,\"Flat 2, \"\"The Yard\"\"\nRear\","
                         "placement,"
                         ",,,50.812346,-1.08,U100,,,park,"
                         "police,C-2;C-3,,Y,N,,N\n");
}

TEST(EpisodesCsv, MinimalRowLeavesUnknownsEmpty) {
    std::ostringstream out;
    EpisodesCsvWriter writer(out, london());
    writer.write(model::Episode{.episode_id = "E-2",
                                .child_id = "C-9",
                                .reported_at = parse_timestamp_utc("2026-01-15T20:30:00Z"),
                                .setting = model::Setting::home,
                                .from = {.label = "Home"}});
    EXPECT_EQ(out.str(), "E-2,C-9,2026-01-15T20:30,,,,,,missing,home" + std::string(12, ',') +
                             ",Home" + std::string(17, ',') + "\n");
}

TEST(EpisodesCsv, EveryRowHasEveryColumn) {
    std::ostringstream out;
    EpisodesCsvWriter writer(out, nullptr);
    writer.header();
    auto episode = full_episode();
    episode.from.label = "plain";
    episode.responsible_authority = "plain";
    episode.returned_at = parse_timestamp_utc("2026-07-02T08:00:00Z");
    episode.missing_with = {"C-5"};
    episode.category = model::EpisodeCategory::away_without_authorisation;
    episode.from.crs = 4326;
    episode.from.x = -1.0912345678;
    episode.from.y = 50.8;
    writer.write(episode);
    const auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 2U);
    const auto count = [](const std::string& line) {
        return std::count(line.begin(), line.end(), ',');
    };
    EXPECT_EQ(count(lines[0]), 39);
    EXPECT_EQ(count(lines[1]), 39);
    EXPECT_NE(lines[1].find(",2026-07-01T20:30Z,2026-07-01T18:15:30Z,2026-07-02T08:00Z,"),
              std::string::npos);
    EXPECT_NE(lines[1].find(",away_without_authorisation,"), std::string::npos);
    EXPECT_NE(lines[1].find(",-1.091235,50.8,4326,"), std::string::npos);
    EXPECT_NE(lines[1].find(",police,C-5,"), std::string::npos);
}

TEST(EpisodesCsv, StreamFailureThrows) {
    std::ostringstream out;
    out.setstate(std::ios::badbit);
    EpisodesCsvWriter writer(out, london());
    EXPECT_EQ(testing::message_of<IoError>([&] { writer.header(); }),
              "writing episodes.csv: the output stream failed at the header");
    EXPECT_EQ(testing::message_of<IoError>([&] { writer.write(full_episode()); }),
              "writing episodes.csv: the output stream failed at record 1");
}

// ---- persons.csv and gazetteer.csv -------------------------------------------

TEST(PersonsCsv, HeaderAndRows) {
    std::ostringstream out;
    PersonsCsvWriter writer(out);
    writer.header();
    writer.write(model::Person{.person_id = "P-9",
                               .kind = model::PersonKind::adult,
                               .name = "Dan \"D\" Smith",
                               .aliases = {"Danny", "D, the man"},
                               .date_of_birth = parse_date("1999-02-03"),
                               .sex = model::Sex::male,
                               .flags = {"adult_of_concern", "gang:north"}});
    writer.write(model::Person{.person_id = "C-1", .name = "Zoë"});
    EXPECT_EQ(out.str(), "person_id,kind,name,aliases,date_of_birth,sex,flags\n"
                         "P-9,adult,\"Dan \"\"D\"\" Smith\",\"Danny;D, the man\",1999-02-03,M,"
                         "adult_of_concern;gang:north\n"
                         "C-1,,Zoë,,,,\n");
}

TEST(GazetteerCsv, HeaderAndRows) {
    std::ostringstream out;
    GazetteerCsvWriter writer(out);
    writer.header();
    writer.write(model::GazetteerEntry{.key = "ZZ1 4AB",
                                       .key_type = model::GazetteerKeyType::postcode,
                                       .x = 712340.0,
                                       .y = 301220.25,
                                       .label = "Riverside, car park",
                                       .place_type = model::PlaceType::park,
                                       .restricted = false});
    writer.write(model::GazetteerEntry{.key = "100",
                                       .key_type = model::GazetteerKeyType::uprn,
                                       .x = -1.5,
                                       .y = 52.1234567,
                                       .crs = 4326,
                                       .restricted = true});
    writer.write(
        model::GazetteerEntry{.key = "home-1", .key_type = model::GazetteerKeyType::place});
    EXPECT_EQ(out.str(), "key,key_type,x,y,crs,label,place_type,restricted\n"
                         "ZZ1 4AB,postcode,712340,301220.25,27700,\"Riverside, car park\",park,N\n"
                         "100,uprn,-1.5,52.123457,4326,,,Y\n"
                         "home-1,place,0,0,27700,,,\n");
}

// ---- rhi.jsonl ---------------------------------------------------------------

const std::vector<std::string> rhi_keys = {"rhi_id",
                                           "episode_id",
                                           "child_id",
                                           "referred_at",
                                           "offered_at",
                                           "outcome",
                                           "decline_reason",
                                           "conducted_at",
                                           "mode",
                                           "independent",
                                           "consent_to_share",
                                           "places",
                                           "with",
                                           "push_factors",
                                           "pull_factors",
                                           "high_risk",
                                           "risk_of_repeat",
                                           "strategy_meeting_required",
                                           "cse_indicators",
                                           "cce_indicators",
                                           "nrm_referral",
                                           "locations_of_concern",
                                           "people_of_concern",
                                           "young_people_of_concern",
                                           "cpi_submitted",
                                           "sensitive_disclosure",
                                           "notes"};

model::ReturnInterview full_rhi() {
    using model::PersonKind;
    return model::ReturnInterview{
        .rhi_id = "R-1",
        .episode_id = "E-1",
        .child_id = "C-1",
        .referred_at = parse_timestamp_utc("2026-03-02T10:00:00Z"),
        .offered_at = parse_timestamp_utc("2026-03-02T15:00:00Z"),
        .outcome = model::RhiOutcome::completed,
        .conducted_at = parse_timestamp_utc("2026-07-03T15:30:00Z"),
        .mode = model::RhiMode::face_to_face,
        .independent = true,
        .consent_to_share = true,
        .places = {{.role = model::PlaceRole::slept,
                    .location = {.postcode = "ZZ1 4AB",
                                 .label = "flat above \"shop\"",
                                 .type = model::PlaceType::address_of_concern},
                    .with = {"P-9"}},
                   {.role = model::PlaceRole::went_to, .location = {.x = 712340.0, .y = 301220.5}}},
        .with = {{.person_id = "P-9",
                  .name = "Dan",
                  .kind = PersonKind::adult,
                  .relation = "unknown",
                  .felt_safe = false},
                 {.person_id = "C-7", .kind = PersonKind::child, .relation = "friend"},
                 {.name = "Zoë", .dob = parse_date("2011-01-02"), .sex = model::Sex::female}},
        .push_factors = {model::PushFactor::relationship_breakdown,
                         model::PushFactor::needing_space},
        .pull_factors = {model::PullFactor::friends_fun,
                         model::PullFactor::unfamiliar_place_with_friends},
        .high_risk = {{model::HighRiskCategory::overnight_24h, true},
                      {model::HighRiskCategory::substance_misuse, true},
                      {model::HighRiskCategory::repeat, false}},
        .risk_of_repeat = model::RepeatRisk::high,
        .strategy_meeting_required = true,
        .cse_indicators = true,
        .cce_indicators = false,
        .nrm_referral = false,
        .locations_of_concern = {{.x = 712340.0, .y = 301220.0, .label = "Riverside car park"}},
        .people_of_concern = {{.name = "Dan", .kind = PersonKind::adult}},
        .young_people_of_concern = {{.person_id = "C-7"}},
        .cpi_submitted = true,
        .sensitive_disclosure = false,
        .notes = {{"analysis", "said \"he's 19\"\\ \n\tthen left \x01 with Zoë"},
                  {"worker's view", ""}},
        .extra = {{"unknown_field", "not written"}},
    };
}

TEST(RhiJsonl, FullRecordHasTheExpectedKeysAndValues) {
    std::ostringstream out;
    RhiJsonlWriter writer(out, london());
    writer.write(full_rhi());
    const auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 1U);
    const auto rhi = nlohmann::ordered_json::parse(lines[0]);
    EXPECT_EQ(keys_of(rhi), rhi_keys);

    EXPECT_EQ(rhi["rhi_id"], "R-1");
    EXPECT_EQ(rhi["episode_id"], "E-1");
    EXPECT_EQ(rhi["child_id"], "C-1");
    EXPECT_EQ(rhi["referred_at"], "2026-03-02T10:00");
    EXPECT_EQ(rhi["offered_at"], "2026-03-02T15:00");
    EXPECT_EQ(rhi["outcome"], "completed");
    EXPECT_TRUE(rhi["decline_reason"].is_null());
    EXPECT_EQ(rhi["conducted_at"], "2026-07-03T16:30");
    EXPECT_EQ(rhi["mode"], "face_to_face");
    EXPECT_EQ(rhi["independent"], true);
    EXPECT_EQ(rhi["consent_to_share"], true);

    EXPECT_EQ(rhi["places"], nlohmann::ordered_json::parse(R"([
        {"role": "slept",
         "location": {"postcode": "ZZ1 4AB", "label": "flat above \"shop\"",
                      "type": "address_of_concern"},
         "with": ["P-9"]},
        {"role": "went_to", "location": {"x": 712340, "y": 301220.5}, "with": []}])"));
    EXPECT_EQ(rhi["with"], nlohmann::ordered_json::parse(R"([
        {"person_id": "P-9", "name": "Dan", "kind": "adult", "relation": "unknown",
         "felt_safe": false},
        {"person_id": "C-7", "kind": "child", "relation": "friend"},
        {"name": "Zoë", "dob": "2011-01-02", "sex": "F"}])"));
    EXPECT_EQ(rhi["push_factors"],
              nlohmann::ordered_json::parse(R"(["relationship_breakdown", "needing_space"])"));
    EXPECT_EQ(rhi["pull_factors"],
              nlohmann::ordered_json::parse(R"(["friends_fun", "unfamiliar_place_with_friends"])"));
    EXPECT_EQ(rhi["high_risk"], nlohmann::ordered_json::parse(
                                    R"({"overnight_24h": true, "substance_misuse": true,
                                        "repeat": false})"));
    EXPECT_EQ(rhi["risk_of_repeat"], "high");
    EXPECT_EQ(rhi["strategy_meeting_required"], true);
    EXPECT_EQ(rhi["cse_indicators"], true);
    EXPECT_EQ(rhi["cce_indicators"], false);
    EXPECT_EQ(rhi["nrm_referral"], false);
    EXPECT_EQ(rhi["locations_of_concern"],
              nlohmann::ordered_json::parse(
                  R"([{"x": 712340, "y": 301220, "label": "Riverside car park"}])"));
    EXPECT_EQ(rhi["people_of_concern"],
              nlohmann::ordered_json::parse(R"([{"name": "Dan", "kind": "adult"}])"));
    EXPECT_EQ(rhi["young_people_of_concern"],
              nlohmann::ordered_json::parse(R"([{"person_id": "C-7"}])"));
    EXPECT_EQ(rhi["cpi_submitted"], true);
    EXPECT_EQ(rhi["sensitive_disclosure"], false);
    ASSERT_TRUE(rhi["notes"].is_object());
    EXPECT_EQ(rhi["notes"]["analysis"], "said \"he's 19\"\\ \n\tthen left \x01 with Zoë");
    EXPECT_EQ(rhi["notes"]["worker's view"], "");
    EXPECT_FALSE(rhi.contains("unknown_field"));
}

TEST(RhiJsonl, EmptyRecordHasTheSameKeysWithNulls) {
    std::ostringstream out;
    RhiJsonlWriter writer(out, london());
    writer.write(full_rhi());
    writer.write(model::ReturnInterview{.rhi_id = "R-2", .episode_id = "E-2", .child_id = "C-2"});
    const auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[1],
              R"({"rhi_id":"R-2","episode_id":"E-2","child_id":"C-2","referred_at":null,)"
              R"("offered_at":null,"outcome":null,"decline_reason":null,"conducted_at":null,)"
              R"("mode":null,"independent":null,"consent_to_share":null,"places":[],"with":[],)"
              R"("push_factors":[],"pull_factors":[],"high_risk":{},"risk_of_repeat":null,)"
              R"("strategy_meeting_required":null,"cse_indicators":null,"cce_indicators":null,)"
              R"("nrm_referral":null,"locations_of_concern":[],"people_of_concern":[],)"
              R"("young_people_of_concern":[],"cpi_submitted":null,)"
              R"("sensitive_disclosure":null,"notes":{}})");
    for (const auto& line : lines) {
        EXPECT_EQ(keys_of(nlohmann::ordered_json::parse(line)), rhi_keys);
    }
}

TEST(RhiJsonl, DeclinedWithReason) {
    std::ostringstream out;
    RhiJsonlWriter writer(out, nullptr);
    writer.write(model::ReturnInterview{.rhi_id = "R-3",
                                        .outcome = model::RhiOutcome::declined,
                                        .decline_reason = "didn't want to \"talk\"",
                                        .consent_to_share = false});
    const auto rhi = nlohmann::json::parse(out.str());
    EXPECT_EQ(rhi["outcome"], "declined");
    EXPECT_EQ(rhi["decline_reason"], "didn't want to \"talk\"");
    EXPECT_EQ(rhi["consent_to_share"], false);
    EXPECT_TRUE(rhi["independent"].is_null());
    EXPECT_TRUE(rhi["episode_id"].is_null());
}

// ---- cpi.jsonl ---------------------------------------------------------------

const std::vector<std::string> cpi_keys = {
    "cpi_id",           "received_at", "submitter", "source",   "shared_with", "information",
    "information_date", "location",    "subjects",  "vehicles", "places",      "grading"};

TEST(CpiJsonl, FullRecordHasTheExpectedKeysAndValues) {
    std::ostringstream out;
    CpiJsonlWriter writer(out, london());
    writer.write(model::CpiReport{
        .cpi_id = "I-1",
        .received_at = parse_timestamp_utc("2026-03-05T09:00:00Z"),
        .submitter = {.name = "A. Teacher",
                      .organisation = "school",
                      .phone = "01234 567890",
                      .email = "a@example.org"},
        .source = {.name = "Zoë",
                   .dob = "about 15",
                   .can_recontact = true,
                   .how_known = "told by a friend"},
        .shared_with = "social care",
        .information = "Seen getting into a car.\nDriver said \"get in\" \\ left.",
        .information_date = parse_date("2026-03-04"),
        .location = model::Location{.x = 712340.0, .y = 301220.0, .label = "Riverside car park"},
        .subjects = {{.person = {.person_id = "P-9", .kind = model::PersonKind::adult},
                      .role = model::SubjectRole::suspect},
                     {.person = {.name = "Kayla", .kind = model::PersonKind::child},
                      .role = model::SubjectRole::victim},
                     {.person = {.name = "Unknown male"}}},
        .vehicles = {{.vrm = "ZZ12ABC", .make = "Ford", .colour = "black"}, {.model = "Fiesta"}},
        .places = {{.postcode = "ZZ1 4AB", .label = "flat above shop"},
                   {.lat = 50.8, .lon = -1.09, .type = model::PlaceType::street}},
        .grading = {.source = model::SourceEvaluation::untested,
                    .intelligence = model::IntelligenceAssessment::known_indirectly_corroborated,
                    .handling = model::HandlingCode::lawful_sharing_permitted},
        .extra = {{"unknown_field", "not written"}},
    });
    const auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 1U);
    const auto cpi = nlohmann::ordered_json::parse(lines[0]);
    EXPECT_EQ(keys_of(cpi), cpi_keys);
    EXPECT_EQ(cpi["cpi_id"], "I-1");
    EXPECT_EQ(cpi["received_at"], "2026-03-05T09:00");
    EXPECT_EQ(cpi["submitter"],
              nlohmann::ordered_json::parse(R"({"name": "A. Teacher", "organisation": "school",
                  "phone": "01234 567890", "email": "a@example.org"})"));
    EXPECT_EQ(cpi["source"], nlohmann::ordered_json::parse(
                                 R"({"name": "Zoë", "dob": "about 15", "can_recontact": true,
                                     "how_known": "told by a friend"})"));
    EXPECT_EQ(cpi["shared_with"], "social care");
    EXPECT_EQ(cpi["information"], "Seen getting into a car.\nDriver said \"get in\" \\ left.");
    EXPECT_EQ(cpi["information_date"], "2026-03-04");
    EXPECT_EQ(cpi["location"], nlohmann::ordered_json::parse(
                                   R"({"x": 712340, "y": 301220, "label": "Riverside car park"})"));
    EXPECT_EQ(cpi["subjects"], nlohmann::ordered_json::parse(R"([
        {"person_id": "P-9", "kind": "adult", "role": "suspect"},
        {"name": "Kayla", "kind": "child", "role": "victim"},
        {"name": "Unknown male"}])"));
    EXPECT_EQ(cpi["vehicles"], nlohmann::ordered_json::parse(R"([
        {"vrm": "ZZ12ABC", "make": "Ford", "colour": "black"}, {"model": "Fiesta"}])"));
    EXPECT_EQ(cpi["places"], nlohmann::ordered_json::parse(R"([
        {"postcode": "ZZ1 4AB", "label": "flat above shop"},
        {"lat": 50.8, "lon": -1.09, "type": "street"}])"));
    EXPECT_EQ(cpi["grading"], nlohmann::ordered_json::parse(
                                  R"({"source": "2", "intelligence": "B", "handling": "P"})"));
    EXPECT_FALSE(cpi.contains("unknown_field"));
}

TEST(CpiJsonl, EmptyRecordHasTheSameKeysWithNulls) {
    std::ostringstream out;
    CpiJsonlWriter writer(out, london());
    writer.write(model::CpiReport{.cpi_id = "I-2"});
    EXPECT_EQ(out.str(),
              R"({"cpi_id":"I-2","received_at":null,"submitter":{},"source":{},)"
              R"("shared_with":null,"information":null,"information_date":null,"location":null,)"
              R"("subjects":[],"vehicles":[],"places":[],)"
              R"("grading":{"source":null,"intelligence":null,"handling":null}})"
              "\n");
    EXPECT_EQ(keys_of(nlohmann::ordered_json::parse(out.str())), cpi_keys);
}

TEST(CpiJsonl, LocationInAnotherCrsCarriesIt) {
    std::ostringstream out;
    CpiJsonlWriter writer(out, nullptr);
    writer.write(model::CpiReport{
        .cpi_id = "I-3",
        .received_at = parse_timestamp_utc("2026-07-01T20:30:15Z"),
        .location = model::Location{.x = -1.0912345678, .y = 50.81, .crs = 4326},
    });
    const auto cpi = nlohmann::ordered_json::parse(out.str());
    EXPECT_EQ(cpi["received_at"], "2026-07-01T20:30:15Z");
    EXPECT_EQ(cpi["location"].dump(), R"({"x":-1.091235,"y":50.81,"crs":4326})");
}

} // namespace
} // namespace waymark::canonical
