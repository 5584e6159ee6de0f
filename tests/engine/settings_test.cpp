#include "base/error.hpp"
#include "engine/settings.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace waymark {
namespace {

using testing::message_of;
using testing::TempDir;

AreaSettings parse(std::string_view json) {
    return parse_area_settings(json, "t.json");
}

/// The whole message of the InputError that parsing `json` throws.
std::string error_of(std::string_view json) {
    return message_of<InputError>([&] { parse(json); });
}

void expect_same(const AreaSettings& a, const AreaSettings& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.time_zone, b.time_zone);
    EXPECT_EQ(a.working_crs, b.working_crs);
    EXPECT_EQ(a.extent, b.extent);
    EXPECT_EQ(a.triggers.repeat_episodes, b.triggers.repeat_episodes);
    EXPECT_EQ(a.triggers.repeat_window_days, b.triggers.repeat_window_days);
    EXPECT_EQ(a.triggers.long_missing_hours, b.triggers.long_missing_hours);
    EXPECT_EQ(a.triggers.looked_after_escalation_hours, b.triggers.looked_after_escalation_hours);
    EXPECT_EQ(a.triggers.not_located_days, b.triggers.not_located_days);
    EXPECT_EQ(a.triggers.rhi_due_hours, b.triggers.rhi_due_hours);
    EXPECT_EQ(a.triggers.rhi_clock_starts, b.triggers.rhi_clock_starts);
    EXPECT_EQ(a.triggers.low_risk_minimum_age, b.triggers.low_risk_minimum_age);
    EXPECT_EQ(a.privacy.suppression_k, b.privacy.suppression_k);
    EXPECT_EQ(a.privacy.panel_snap_metres, b.privacy.panel_snap_metres);
    EXPECT_EQ(a.privacy.share_rhi_without_consent, b.privacy.share_rhi_without_consent);
    EXPECT_EQ(a.grids.hotspot_cell_metres, b.grids.hotspot_cell_metres);
    EXPECT_EQ(a.grids.partnership_cell_metres, b.grids.partnership_cell_metres);
}

// ---- defaults ---------------------------------------------------------------

TEST(AreaSettingsDefaults, AreThoseOfProductMd) {
    const AreaSettings settings;
    EXPECT_EQ(settings.name, "");
    EXPECT_EQ(settings.time_zone, "Europe/London");
    EXPECT_EQ(settings.working_crs, 27700);
    EXPECT_FALSE(settings.extent.has_value());
    // Repeat missing: 3 episodes in 90 days.
    EXPECT_EQ(settings.triggers.repeat_episodes, 3);
    EXPECT_EQ(settings.triggers.repeat_window_days, 90);
    // Missing over 24 hours; looked-after child 48 hours; not located 7 days.
    EXPECT_EQ(settings.triggers.long_missing_hours, 24);
    EXPECT_EQ(settings.triggers.looked_after_escalation_hours, 48);
    EXPECT_EQ(settings.triggers.not_located_days, 7);
    // RHI within 72 hours of return.
    EXPECT_EQ(settings.triggers.rhi_due_hours, 72);
    EXPECT_EQ(settings.triggers.rhi_clock_starts, RhiClockStart::return_time);
    // No child under 16 graded low risk.
    EXPECT_EQ(settings.triggers.low_risk_minimum_age, std::optional<int>(16));
    EXPECT_EQ(settings.privacy.suppression_k, 5);
    EXPECT_EQ(settings.privacy.panel_snap_metres, 500);
    EXPECT_FALSE(settings.privacy.share_rhi_without_consent);
    EXPECT_EQ(settings.grids.hotspot_cell_metres, 250);
    EXPECT_EQ(settings.grids.partnership_cell_metres, 1000);
}

TEST(AreaSettingsDefaults, EmptyObjectGivesTheDefaults) {
    expect_same(parse("{}"), AreaSettings{});
    expect_same(parse(" \n{ }\n"), AreaSettings{});
}

TEST(AreaSettingsDefaults, EmptyNestedObjectsGiveTheDefaults) {
    expect_same(parse(R"({"triggers":{},"privacy":{},"grids":{}})"), AreaSettings{});
}

TEST(AreaSettingsDefaults, RhiClockCodes) {
    EXPECT_EQ(to_code(RhiClockStart::return_time), "return");
    EXPECT_EQ(to_code(RhiClockStart::referral_time), "referral");
}

// ---- overrides --------------------------------------------------------------

TEST(AreaSettingsOverrides, KirkleesStyleThreeInThirtyDays) {
    const AreaSettings settings = parse(R"({"triggers":{"repeat_window_days":30}})");
    AreaSettings expected;
    expected.triggers.repeat_window_days = 30;
    expect_same(settings, expected);
}

TEST(AreaSettingsOverrides, EveryKeyCanBeSet) {
    const AreaSettings settings = parse(R"({
        "name": "Testshire",
        "time_zone": "Europe/Dublin",
        "working_crs": 2157,
        "extent": [400000, 700000, 500000, 800000.5],
        "triggers": {
            "repeat_episodes": 4,
            "repeat_window_days": 60,
            "long_missing_hours": 12,
            "looked_after_escalation_hours": 36,
            "not_located_days": 5,
            "rhi_due_hours": 96,
            "rhi_clock_starts": "referral",
            "low_risk_minimum_age": 18
        },
        "privacy": {
            "suppression_k": 10,
            "panel_snap_metres": 1000,
            "share_rhi_without_consent": true
        },
        "grids": {
            "hotspot_cell_metres": 100,
            "partnership_cell_metres": 2000
        }
    })");
    EXPECT_EQ(settings.name, "Testshire");
    EXPECT_EQ(settings.time_zone, "Europe/Dublin");
    EXPECT_EQ(settings.working_crs, 2157);
    EXPECT_EQ(settings.extent, (std::array<double, 4>{400000, 700000, 500000, 800000.5}));
    EXPECT_EQ(settings.triggers.repeat_episodes, 4);
    EXPECT_EQ(settings.triggers.repeat_window_days, 60);
    EXPECT_EQ(settings.triggers.long_missing_hours, 12);
    EXPECT_EQ(settings.triggers.looked_after_escalation_hours, 36);
    EXPECT_EQ(settings.triggers.not_located_days, 5);
    EXPECT_EQ(settings.triggers.rhi_due_hours, 96);
    EXPECT_EQ(settings.triggers.rhi_clock_starts, RhiClockStart::referral_time);
    EXPECT_EQ(settings.triggers.low_risk_minimum_age, std::optional<int>(18));
    EXPECT_EQ(settings.privacy.suppression_k, 10);
    EXPECT_EQ(settings.privacy.panel_snap_metres, 1000);
    EXPECT_TRUE(settings.privacy.share_rhi_without_consent);
    EXPECT_EQ(settings.grids.hotspot_cell_metres, 100);
    EXPECT_EQ(settings.grids.partnership_cell_metres, 2000);
}

TEST(AreaSettingsOverrides, OneKeyLeavesTheOthersAtTheirDefaults) {
    const AreaSettings settings = parse(R"({"privacy":{"suppression_k":3}})");
    AreaSettings expected;
    expected.privacy.suppression_k = 3;
    expect_same(settings, expected);
}

TEST(AreaSettingsOverrides, RangeEndsAreAccepted) {
    EXPECT_EQ(parse(R"({"triggers":{"repeat_episodes":2}})").triggers.repeat_episodes, 2);
    EXPECT_EQ(parse(R"({"triggers":{"repeat_episodes":100}})").triggers.repeat_episodes, 100);
    EXPECT_EQ(parse(R"({"triggers":{"repeat_window_days":1}})").triggers.repeat_window_days, 1);
    EXPECT_EQ(parse(R"({"triggers":{"repeat_window_days":3660}})").triggers.repeat_window_days,
              3660);
    EXPECT_EQ(parse(R"({"triggers":{"rhi_due_hours":8784}})").triggers.rhi_due_hours, 8784);
    EXPECT_EQ(parse(R"({"triggers":{"not_located_days":366}})").triggers.not_located_days, 366);
    EXPECT_EQ(parse(R"({"triggers":{"low_risk_minimum_age":1}})").triggers.low_risk_minimum_age,
              std::optional<int>(1));
    EXPECT_EQ(parse(R"({"privacy":{"panel_snap_metres":50}})").privacy.panel_snap_metres, 50);
    EXPECT_EQ(parse(R"({"grids":{"hotspot_cell_metres":10}})").grids.hotspot_cell_metres, 10);
    EXPECT_EQ(
        parse(R"({"grids":{"partnership_cell_metres":100000}})").grids.partnership_cell_metres,
        100000);
}

TEST(AreaSettingsOverrides, RhiClockCanStartAtReturn) {
    const AreaSettings settings = parse(R"({"triggers":{"rhi_clock_starts":"return"}})");
    EXPECT_EQ(settings.triggers.rhi_clock_starts, RhiClockStart::return_time);
}

TEST(AreaSettingsOverrides, NullLowRiskMinimumAgeDisablesTheRule) {
    const AreaSettings settings = parse(R"({"triggers":{"low_risk_minimum_age":null}})");
    EXPECT_FALSE(settings.triggers.low_risk_minimum_age.has_value());
    AreaSettings expected;
    expected.triggers.low_risk_minimum_age.reset();
    expect_same(settings, expected);
}

TEST(AreaSettingsOverrides, ExtentIsAccepted) {
    const AreaSettings settings = parse(R"({"extent":[403000, 401000.5, 430000, 426000]})");
    EXPECT_EQ(settings.extent, (std::array<double, 4>{403000, 401000.5, 430000, 426000}));
}

TEST(AreaSettingsOverrides, NullExtentMeansUnknown) {
    EXPECT_FALSE(parse(R"({"extent":null})").extent.has_value());
}

TEST(AreaSettingsOverrides, OtherProjectedMetreCrsIsAccepted) {
    EXPECT_EQ(parse(R"({"working_crs":32630})").working_crs, 32630); // WGS 84 / UTM zone 30N
}

// ---- to_json ----------------------------------------------------------------

TEST(AreaSettingsJson, DefaultsRoundTrip) {
    const std::string json = to_json(AreaSettings{});
    expect_same(parse(json), AreaSettings{});
    // Every key is written, including the ones whose value is "none".
    for (const char* key : {"\"name\"",
                            "\"time_zone\"",
                            "\"working_crs\"",
                            "\"extent\": null",
                            "\"triggers\"",
                            "\"repeat_episodes\"",
                            "\"repeat_window_days\"",
                            "\"long_missing_hours\"",
                            "\"looked_after_escalation_hours\"",
                            "\"not_located_days\"",
                            "\"rhi_due_hours\"",
                            "\"rhi_clock_starts\": \"return\"",
                            "\"low_risk_minimum_age\": 16",
                            "\"privacy\"",
                            "\"suppression_k\"",
                            "\"panel_snap_metres\"",
                            "\"share_rhi_without_consent\": false",
                            "\"grids\"",
                            "\"hotspot_cell_metres\"",
                            "\"partnership_cell_metres\""}) {
        EXPECT_NE(json.find(key), std::string::npos) << key << " missing from\n" << json;
    }
}

TEST(AreaSettingsJson, ChangedSettingsRoundTrip) {
    AreaSettings settings;
    settings.name = "Kirklees-style \"3 in 30\"";
    settings.time_zone = "Europe/Dublin";
    settings.working_crs = 2157;
    settings.extent = std::array<double, 4>{1.5, 2.25, 300000.125, 400000};
    settings.triggers.repeat_window_days = 30;
    settings.triggers.repeat_episodes = 4;
    settings.triggers.long_missing_hours = 12;
    settings.triggers.looked_after_escalation_hours = 36;
    settings.triggers.not_located_days = 3;
    settings.triggers.rhi_due_hours = 48;
    settings.triggers.rhi_clock_starts = RhiClockStart::referral_time;
    settings.triggers.low_risk_minimum_age.reset();
    settings.privacy.suppression_k = 7;
    settings.privacy.panel_snap_metres = 250;
    settings.privacy.share_rhi_without_consent = true;
    settings.grids.hotspot_cell_metres = 125;
    settings.grids.partnership_cell_metres = 500;
    const std::string json = to_json(settings);
    EXPECT_NE(json.find("\"low_risk_minimum_age\": null"), std::string::npos) << json;
    expect_same(parse(json), settings);
}

// ---- errors: the document ---------------------------------------------------

TEST(AreaSettingsErrors, InvalidJsonNamesTheSourceAndLine) {
    const std::string message =
        error_of("{\n  \"triggers\": {\n    \"repeat_window_days\": 30,\n  }\n}");
    EXPECT_EQ(message.rfind("area settings t.json: invalid JSON: ", 0), 0U) << message;
    EXPECT_NE(message.find("line 4"), std::string::npos) << message;
    EXPECT_EQ(message.find("[json.exception"), std::string::npos) << message;
}

TEST(AreaSettingsErrors, EmptyInputIsInvalidJson) {
    const std::string message = error_of("");
    EXPECT_EQ(message.rfind("area settings t.json: invalid JSON: ", 0), 0U) << message;
    EXPECT_NE(message.find("line 1"), std::string::npos) << message;
}

TEST(AreaSettingsErrors, DocumentMustBeAnObject) {
    EXPECT_EQ(error_of("[1, 2]"), "area settings t.json: must be a JSON object, not [1,2]");
    EXPECT_EQ(error_of("30"), "area settings t.json: must be a JSON object, not 30");
    EXPECT_EQ(error_of("null"), "area settings t.json: must be a JSON object, not null");
}

TEST(AreaSettingsErrors, UnknownTopLevelKey) {
    EXPECT_EQ(error_of(R"({"timezone":"Europe/London"})"),
              "area settings t.json: unknown key \"timezone\" (known: name, time_zone, "
              "working_crs, extent, triggers, privacy, grids)");
}

TEST(AreaSettingsErrors, UnknownNestedKey) {
    EXPECT_EQ(error_of(R"({"triggers":{"repeat_window":30}})"),
              "area settings t.json: unknown key \"triggers.repeat_window\" (known in triggers: "
              "repeat_episodes, repeat_window_days, long_missing_hours, "
              "looked_after_escalation_hours, not_located_days, rhi_due_hours, rhi_clock_starts, "
              "low_risk_minimum_age)");
    EXPECT_EQ(error_of(R"({"privacy":{"k":5}})"),
              "area settings t.json: unknown key \"privacy.k\" (known in privacy: suppression_k, "
              "panel_snap_metres, share_rhi_without_consent)");
    EXPECT_EQ(error_of(R"({"grids":{"cell_metres":5}})"),
              "area settings t.json: unknown key \"grids.cell_metres\" (known in grids: "
              "hotspot_cell_metres, partnership_cell_metres)");
}

TEST(AreaSettingsErrors, DuplicateKey) {
    // A repeated key must not silently replace the first one.
    EXPECT_EQ(error_of(R"({"triggers":{"repeat_window_days":30},"triggers":{}})"),
              "area settings t.json: duplicate key \"triggers\"");
    EXPECT_EQ(error_of(R"({"triggers":{"repeat_window_days":30,"repeat_window_days":90}})"),
              "area settings t.json: duplicate key \"triggers.repeat_window_days\"");
}

TEST(AreaSettingsErrors, SectionMustBeAnObject) {
    EXPECT_EQ(error_of(R"({"triggers":30})"),
              "area settings t.json: triggers must be an object, not 30");
    EXPECT_EQ(error_of(R"({"privacy":[]})"),
              "area settings t.json: privacy must be an object, not []");
    EXPECT_EQ(error_of(R"({"grids":null})"),
              "area settings t.json: grids must be an object, not null");
}

// ---- errors: values ---------------------------------------------------------

TEST(AreaSettingsErrors, IntegerOutOfRange) {
    EXPECT_EQ(error_of(R"({"triggers":{"repeat_window_days":0}})"),
              "area settings t.json: triggers.repeat_window_days must be a whole number from 1 "
              "to 3660, not 0");
    EXPECT_EQ(error_of(R"({"triggers":{"repeat_episodes":1}})"),
              "area settings t.json: triggers.repeat_episodes must be a whole number from 2 to "
              "100, not 1");
    EXPECT_EQ(error_of(R"({"triggers":{"rhi_due_hours":8785}})"),
              "area settings t.json: triggers.rhi_due_hours must be a whole number from 1 to "
              "8784, not 8785");
    EXPECT_EQ(error_of(R"({"privacy":{"suppression_k":-5}})"),
              "area settings t.json: privacy.suppression_k must be a whole number from 2 to 100, "
              "not -5");
    EXPECT_EQ(error_of(R"({"grids":{"hotspot_cell_metres":9}})"),
              "area settings t.json: grids.hotspot_cell_metres must be a whole number from 10 to "
              "100000, not 9");
    EXPECT_EQ(error_of(R"({"triggers":{"low_risk_minimum_age":19}})"),
              "area settings t.json: triggers.low_risk_minimum_age must be a whole number from 1 "
              "to 18, or null for no such rule, not 19");
}

TEST(AreaSettingsErrors, HugeIntegersAreOutOfRangeNotWrapped) {
    EXPECT_EQ(error_of(R"({"triggers":{"not_located_days":4294967303}})"),
              "area settings t.json: triggers.not_located_days must be a whole number from 1 to "
              "366, not 4294967303");
    EXPECT_EQ(error_of(R"({"triggers":{"not_located_days":18446744073709551615}})"),
              "area settings t.json: triggers.not_located_days must be a whole number from 1 to "
              "366, not 18446744073709551615");
}

TEST(AreaSettingsErrors, WrongTypedInteger) {
    EXPECT_EQ(error_of(R"({"triggers":{"long_missing_hours":"24"}})"),
              "area settings t.json: triggers.long_missing_hours must be a whole number from 1 "
              "to 8784, not \"24\"");
    EXPECT_EQ(error_of(R"({"triggers":{"looked_after_escalation_hours":true}})"),
              "area settings t.json: triggers.looked_after_escalation_hours must be a whole "
              "number from 1 to 8784, not true");
    EXPECT_EQ(error_of(R"({"privacy":{"panel_snap_metres":null}})"),
              "area settings t.json: privacy.panel_snap_metres must be a whole number from 50 "
              "to 100000, not null");
    EXPECT_EQ(error_of(R"({"triggers":{"low_risk_minimum_age":"16"}})"),
              "area settings t.json: triggers.low_risk_minimum_age must be a whole number from 1 "
              "to 18, or null for no such rule, not \"16\"");
}

TEST(AreaSettingsErrors, NonIntegerNumber) {
    EXPECT_EQ(error_of(R"({"triggers":{"repeat_episodes":2.5}})"),
              "area settings t.json: triggers.repeat_episodes must be a whole number from 2 to "
              "100, not 2.5");
    EXPECT_EQ(error_of(R"({"grids":{"partnership_cell_metres":1e3}})"),
              "area settings t.json: grids.partnership_cell_metres must be a whole number from "
              "100 to 100000, not 1000.0");
}

TEST(AreaSettingsErrors, BadBoolean) {
    EXPECT_EQ(error_of(R"({"privacy":{"share_rhi_without_consent":"yes"}})"),
              "area settings t.json: privacy.share_rhi_without_consent must be true or false, "
              "not \"yes\"");
    EXPECT_EQ(error_of(R"({"privacy":{"share_rhi_without_consent":1}})"),
              "area settings t.json: privacy.share_rhi_without_consent must be true or false, "
              "not 1");
}

TEST(AreaSettingsErrors, BadRhiClockStarts) {
    EXPECT_EQ(error_of(R"({"triggers":{"rhi_clock_starts":"referal"}})"),
              "area settings t.json: triggers.rhi_clock_starts must be \"return\" or "
              "\"referral\", not \"referal\"");
    EXPECT_EQ(error_of(R"({"triggers":{"rhi_clock_starts":"Return"}})"),
              "area settings t.json: triggers.rhi_clock_starts must be \"return\" or "
              "\"referral\", not \"Return\"");
    EXPECT_EQ(error_of(R"({"triggers":{"rhi_clock_starts":1}})"),
              "area settings t.json: triggers.rhi_clock_starts must be \"return\" or "
              "\"referral\", not 1");
}

TEST(AreaSettingsErrors, BadName) {
    EXPECT_EQ(error_of(R"({"name":42})"), "area settings t.json: name must be a string, not 42");
}

TEST(AreaSettingsErrors, LongValuesAreCutShortOnACharacterBoundary) {
    // 59 ASCII characters after the quote, then "é": cutting at 60 bytes would
    // split the two bytes of é and leave invalid UTF-8 in the message.
    const std::string name = std::string(58, 'a') + "\xC3\xA9" + std::string(20, 'b');
    EXPECT_EQ(error_of(R"({"extent":")" + name + "\"}"),
              "area settings t.json: extent must be [min x, min y, max x, max y] with min below "
              "max, not \"" +
                  std::string(58, 'a') + "…");
    EXPECT_EQ(error_of(R"({"name":[")" + std::string(70, 'x') + "\"]}"),
              "area settings t.json: name must be a string, not [\"" + std::string(58, 'x') + "…");
}

TEST(AreaSettingsErrors, UnknownTimeZone) {
    EXPECT_EQ(error_of(R"({"time_zone":"Europe/Londn"})"),
              "area settings t.json: time_zone \"Europe/Londn\" is not a known IANA time zone "
              "(e.g. Europe/London)");
    EXPECT_EQ(error_of(R"({"time_zone":""})"),
              "area settings t.json: time_zone \"\" is not a known IANA time zone (e.g. "
              "Europe/London)");
    EXPECT_EQ(error_of(R"({"time_zone":0})"),
              "area settings t.json: time_zone must be a string, not 0");
}

TEST(AreaSettingsErrors, GeographicCrs) {
    EXPECT_EQ(error_of(R"({"working_crs":4326})"),
              "area settings t.json: working_crs EPSG:4326 (WGS 84) is not a projected CRS in "
              "metres");
}

TEST(AreaSettingsErrors, UnknownEpsgCode) {
    EXPECT_EQ(error_of(R"({"working_crs":999999})"),
              "area settings t.json: working_crs EPSG:999999 is not a known EPSG CRS");
    EXPECT_EQ(error_of(R"({"working_crs":27701})"),
              "area settings t.json: working_crs EPSG:27701 is not a known EPSG CRS");
}

TEST(AreaSettingsErrors, WorkingCrsOutOfRange) {
    EXPECT_EQ(error_of(R"({"working_crs":0})"),
              "area settings t.json: working_crs must be a whole number from 1024 to 999999, "
              "not 0");
    EXPECT_EQ(error_of(R"({"working_crs":"EPSG:27700"})"),
              "area settings t.json: working_crs must be a whole number from 1024 to 999999, "
              "not \"EPSG:27700\"");
}

TEST(AreaSettingsErrors, ProjectedCrsNotInMetres) {
    // EPSG:2227 is NAD83 / California zone 3 in US survey feet.
    EXPECT_EQ(error_of(R"({"working_crs":2227})"),
              "area settings t.json: working_crs EPSG:2227 (NAD83 / California zone 3 (ftUS)) is "
              "not a projected CRS in metres");
}

TEST(AreaSettingsErrors, BadExtent) {
    const std::string prefix =
        "area settings t.json: extent must be [min x, min y, max x, max y] with min below max, "
        "not ";
    EXPECT_EQ(error_of(R"({"extent":[430000, 401000, 403000, 426000]})"),
              prefix + "[430000,401000,403000,426000]");
    EXPECT_EQ(error_of(R"({"extent":[403000, 426000, 430000, 426000]})"),
              prefix + "[403000,426000,430000,426000]");
    EXPECT_EQ(error_of(R"({"extent":[403000, 401000, 430000]})"),
              prefix + "[403000,401000,430000]");
    EXPECT_EQ(error_of(R"({"extent":[1, 2, 3, 4, 5]})"), prefix + "[1,2,3,4,5]");
    EXPECT_EQ(error_of(R"({"extent":[1, "2", 3, 4]})"), prefix + "[1,\"2\",3,4]");
    EXPECT_EQ(error_of(R"({"extent":{"min_x":1}})"), prefix + "{\"min_x\":1}");
}

TEST(AreaSettingsErrors, FirstProblemInDocumentOrderOfChecks) {
    // An unknown key is reported before a bad value, so a typo is never hidden.
    EXPECT_EQ(error_of(R"({"working_crs":4326,"triggers":{"repeat_windows":1}})"),
              "area settings t.json: working_crs EPSG:4326 (WGS 84) is not a projected CRS in "
              "metres");
    EXPECT_EQ(error_of(R"({"working_crs":4326,"trigger":{}})"),
              "area settings t.json: unknown key \"trigger\" (known: name, time_zone, "
              "working_crs, extent, triggers, privacy, grids)");
}

// ---- files ------------------------------------------------------------------

TEST(AreaSettingsFile, MissingFileIsAnIoErrorNamingThePath) {
    const TempDir dir;
    const std::string path = dir.file("missing.json");
    EXPECT_EQ(message_of<IoError>([&] { load_area_settings(path); }),
              "cannot read area settings " + path + ": No such file or directory");
}

TEST(AreaSettingsFile, DirectoryIsAnIoError) {
    const TempDir dir;
    EXPECT_EQ(message_of<IoError>([&] { load_area_settings(dir.path()); }),
              "cannot read area settings " + dir.path().string() + ": Is a directory");
}

TEST(AreaSettingsFile, RealFileIsRead) {
    const TempDir dir;
    const std::string path = dir.file("area.json");
    {
        std::ofstream out(path, std::ios::binary);
        out << R"({"name":"Test area","triggers":{"repeat_window_days":30}})" << '\n';
    }
    const AreaSettings settings = load_area_settings(path);
    EXPECT_EQ(settings.name, "Test area");
    EXPECT_EQ(settings.triggers.repeat_window_days, 30);
    EXPECT_EQ(settings.triggers.repeat_episodes, 3);
}

TEST(AreaSettingsFile, ErrorsInAFileNameThePath) {
    const TempDir dir;
    const std::string path = dir.file("area.json");
    {
        std::ofstream out(path, std::ios::binary);
        out << R"({"privacy":{"suppression_k":1}})";
    }
    EXPECT_EQ(message_of<InputError>([&] { load_area_settings(path); }),
              "area settings " + path +
                  ": privacy.suppression_k must be a whole number from 2 to 100, not 1");
}

TEST(AreaSettingsFile, KirkleesStyleExampleStaysValid) {
    const std::filesystem::path path =
        std::filesystem::path(WAYMARK_SOURCE_DIR) / "data" / "areas" / "kirklees-style.json";
    const AreaSettings settings = load_area_settings(path);
    EXPECT_FALSE(settings.name.empty());
    EXPECT_EQ(settings.triggers.repeat_episodes, 3);
    EXPECT_EQ(settings.triggers.repeat_window_days, 30);
    EXPECT_EQ(settings.time_zone, "Europe/London");
    EXPECT_EQ(settings.working_crs, 27700);
    ASSERT_TRUE(settings.extent.has_value());
    // The file round-trips too.
    expect_same(parse(to_json(settings)), settings);
}

} // namespace
} // namespace waymark
