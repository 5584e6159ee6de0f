#include "base/error.hpp"
#include "importers/datetime.hpp"
#include "tests/support/errors.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

namespace waymark::importers {
namespace {

using testing::message_of;

const date::time_zone* london() {
    return date::locate_zone("Europe/London");
}

// The UTC reading of `text`, as text, so that failures are readable.
std::string utc(const DateTimeParser& parser, std::string_view text) {
    const ParsedTime parsed = parser.parse(text);
    EXPECT_EQ(parsed.warning, "") << text;
    return model::format_timestamp(parsed.utc);
}

std::string date_of(const DateTimeParser& parser, std::string_view text) {
    const auto date = parser.parse_date(text);
    return date ? model::format_date(*date) : "(none)";
}

TEST(DateTimeParser, IsoLocalTimesAreReadInTheZone) {
    const DateTimeParser parser(london());
    EXPECT_EQ(utc(parser, "2026-03-02T10:00"), "2026-03-02T10:00:00Z"); // GMT
    EXPECT_EQ(utc(parser, "2026-07-01T10:00"), "2026-07-01T09:00:00Z"); // BST
    EXPECT_EQ(utc(parser, "2026-07-01 10:00:30"), "2026-07-01T09:00:30Z");
    EXPECT_EQ(utc(parser, "2026-07-01T10:00:30.987654"), "2026-07-01T09:00:30Z");
    EXPECT_EQ(utc(parser, "  2026-07-01T10:00\t"), "2026-07-01T09:00:00Z");
}

TEST(DateTimeParser, ABareDateIsLocalMidnight) {
    const DateTimeParser parser(london());
    EXPECT_EQ(utc(parser, "2026-07-01"), "2026-06-30T23:00:00Z");
    EXPECT_EQ(utc(parser, "2026-01-01"), "2026-01-01T00:00:00Z");
}

TEST(DateTimeParser, OffsetsAreExact) {
    const DateTimeParser parser(london());
    EXPECT_EQ(utc(parser, "2026-07-01T10:00Z"), "2026-07-01T10:00:00Z");
    EXPECT_EQ(utc(parser, "2026-07-01T10:00:00+01:00"), "2026-07-01T09:00:00Z");
    EXPECT_EQ(utc(parser, "2026-07-01T10:00:00.5+0130"), "2026-07-01T08:30:00Z");
    EXPECT_EQ(utc(parser, "2026-07-01T10:00-05:00"), "2026-07-01T15:00:00Z");
    EXPECT_EQ(utc(parser, "2026-07-01T10:00-05"), "2026-07-01T15:00:00Z");
    // An offset inside the spring gap is exact: no warning.
    EXPECT_EQ(utc(parser, "2026-03-29T01:30+00:00"), "2026-03-29T01:30:00Z");
}

TEST(DateTimeParser, NoZoneMeansUtc) {
    const DateTimeParser parser(nullptr);
    EXPECT_EQ(utc(parser, "2026-07-01T10:00"), "2026-07-01T10:00:00Z");
    EXPECT_EQ(utc(parser, "2026-07-01"), "2026-07-01T00:00:00Z");
}

TEST(DateTimeParser, TheHourRepeatedInAutumnTakesTheEarlierWithAWarning) {
    const DateTimeParser parser(london());
    const ParsedTime parsed = parser.parse("2026-10-25T01:30");
    EXPECT_EQ(model::format_timestamp(parsed.utc), "2026-10-25T00:30:00Z");
    EXPECT_EQ(parsed.warning, "local time 2026-10-25T01:30:00 happens twice in Europe/London (the "
                              "clocks went back): the earlier was taken, 2026-10-25T00:30:00Z");
    EXPECT_EQ(utc(parser, "2026-10-25T02:00"), "2026-10-25T02:00:00Z"); // GMT again
}

TEST(DateTimeParser, TheHourSkippedInSpringMovesForwardWithAWarning) {
    const DateTimeParser parser(london());
    const ParsedTime parsed = parser.parse("2026-03-29 01:30");
    EXPECT_EQ(model::format_timestamp(parsed.utc), "2026-03-29T01:30:00Z");
    EXPECT_EQ(parsed.warning,
              "local time 2026-03-29T01:30:00 does not exist in Europe/London (the clocks went "
              "forward): read as 2026-03-29T02:30:00 local time, 2026-03-29T01:30:00Z");
    EXPECT_EQ(utc(parser, "2026-03-29T00:59"), "2026-03-29T00:59:00Z");
    EXPECT_EQ(utc(parser, "2026-03-29T02:00"), "2026-03-29T01:00:00Z");
}

TEST(DateTimeParser, SpecFormatsAreTriedInOrder) {
    const DateTimeParser parser(london(), {"%d/%m/%Y %H:%M", "%d/%m/%Y"});
    EXPECT_EQ(utc(parser, "31/01/2026 14:05"), "2026-01-31T14:05:00Z");
    EXPECT_EQ(utc(parser, "1/7/2026 9:05"), "2026-07-01T08:05:00Z");
    EXPECT_EQ(utc(parser, "01/07/2026  09:05"), "2026-07-01T08:05:00Z"); // two spaces
    EXPECT_EQ(utc(parser, "01/07/2026"), "2026-06-30T23:00:00Z");
    EXPECT_EQ(utc(parser, "2026-07-01T09:05"), "2026-07-01T08:05:00Z"); // ISO still accepted
}

TEST(DateTimeParser, MonthNamesInAnyCase) {
    const DateTimeParser parser(nullptr, {"%d-%b-%Y %H:%M", "%d %b %y"});
    EXPECT_EQ(utc(parser, "02-Mar-2026 10:00"), "2026-03-02T10:00:00Z");
    EXPECT_EQ(utc(parser, "02-MAR-2026 10:00"), "2026-03-02T10:00:00Z");
    EXPECT_EQ(utc(parser, "02-march-2026 10:00"), "2026-03-02T10:00:00Z");
    EXPECT_EQ(utc(parser, "2-Sept-2026 10:00"), "2026-09-02T10:00:00Z");
    EXPECT_EQ(utc(parser, "31 Dec 68"), "2068-12-31T00:00:00Z");
    EXPECT_EQ(utc(parser, "1 jan 69"), "1969-01-01T00:00:00Z");
    EXPECT_THROW(parser.parse("02-Mars-2026 10:00"), InputError);
}

TEST(DateTimeParser, TwelveHourClockSecondsAndPercent) {
    const DateTimeParser parser(nullptr, {"%m/%d/%Y %I:%M:%S %p", "%Y%%%m%%%d"});
    EXPECT_EQ(utc(parser, "07/01/2026 12:00:01 AM"), "2026-07-01T00:00:01Z");
    EXPECT_EQ(utc(parser, "07/01/2026 12:00:01 pm"), "2026-07-01T12:00:01Z");
    EXPECT_EQ(utc(parser, "07/01/2026 9:15:00 PM"), "2026-07-01T21:15:00Z");
    EXPECT_EQ(utc(parser, "2026%07%01"), "2026-07-01T00:00:00Z");
    EXPECT_THROW(parser.parse("07/01/2026 13:00:00 PM"), InputError);
}

TEST(DateTimeParser, InvalidDateTimesAreErrors) {
    const DateTimeParser parser(london(), {"%d/%m/%Y %H:%M", "%d/%m/%Y"});
    EXPECT_EQ(message_of<InputError>([&] { parser.parse("31/02/2026"); }),
              "invalid date-time '31/02/2026' (expected ISO 8601 or one of: %d/%m/%Y %H:%M, "
              "%d/%m/%Y)");
    const DateTimeParser iso(london());
    EXPECT_EQ(message_of<InputError>([&] { iso.parse("2026-02-30T10:00"); }),
              "invalid date-time '2026-02-30T10:00' (expected ISO 8601)");
    for (const char* text :
         {"2026-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "2026-03-01T24:00",
          "2026-03-01T23:60", "2026-03-01T23:59:60", "2026-03-01T10:00x", "2026-03-01T10",
          "2026-03-01T10:00:", "2026-03-01T10:00:00.", "2026-03-01T10:00+25:00",
          "2026-03-01T10:00+01:", "2026-03-01T10:00Z+01", "2026-3-01", "26-03-01", "",
          "2026-03-01X10:00", "2026-03-01T1000"}) {
        EXPECT_THROW(iso.parse(text), InputError) << text;
    }
    EXPECT_EQ(utc(iso, "2028-02-29"), "2028-02-29T00:00:00Z");
    EXPECT_THROW(parser.parse("31/01/2026 24:00"), InputError);
    EXPECT_THROW(parser.parse("31/01/2026 10:00 extra"), InputError);
    EXPECT_THROW(parser.parse("31/01/2026 10:"), InputError);
    EXPECT_THROW(parser.parse("123/01/2026"), InputError);
}

TEST(DateTimeParser, ParseDateTakesTheDateAsWritten) {
    const DateTimeParser parser(london(), {"%d/%m/%Y %H:%M"});
    EXPECT_EQ(date_of(parser, "2010-03-14"), "2010-03-14");
    EXPECT_EQ(date_of(parser, "2010-03-14T23:30:00-05:00"), "2010-03-14"); // no conversion
    EXPECT_EQ(date_of(parser, "14/03/2010 23:30"), "2010-03-14");
    EXPECT_EQ(date_of(parser, "14/03/2010"), "2010-03-14"); // the format's date part
    EXPECT_EQ(date_of(parser, ""), "(none)");
    EXPECT_EQ(date_of(parser, "  "), "(none)");
    EXPECT_EQ(message_of<InputError>([&] { parser.parse_date("30/02/2010"); }),
              "invalid date '30/02/2010' (expected ISO 8601 or one of: %d/%m/%Y %H:%M)");
    EXPECT_THROW(parser.parse_date("14/03/2010 25:00"), InputError);
}

TEST(DateTimeParser, ADatePartNeedsTheWholeDateFirst) {
    const DateTimeParser parser(nullptr, {"%d/%m %H:%M %Y"});
    EXPECT_EQ(date_of(parser, "14/03 10:00 2010"), "2010-03-14");
    EXPECT_THROW(parser.parse_date("14/03"), InputError);
}

TEST(DateTimeFormat, ProblemsAreNamed) {
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %H:%M"), "");
    EXPECT_EQ(check_datetime_format("%d-%b-%y %I:%M:%S %p"), "");
    EXPECT_EQ(check_datetime_format(""), "a format must not be empty");
    EXPECT_EQ(check_datetime_format("%d/%m/%Q"),
              "unknown directive %Q (known: %Y %y %m %b %d %H %I %M %S %p %%)");
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %"),
              "a lone % at the end (write %% for a literal %)");
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %y"), "more than one year (%Y, %y)");
    EXPECT_EQ(check_datetime_format("%d/%m/%b/%Y"), "more than one month (%m, %b)");
    EXPECT_EQ(check_datetime_format("%m/%Y"),
              "a format needs a day (%d), a month (%m or %b) and a year (%Y or %y)");
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %M"), "minutes (%M) need an hour (%H or %I)");
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %H"), "an hour needs minutes (%M)");
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %H:%S"), "an hour needs minutes (%M)");
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %I:%M"), "a 12-hour %I needs %p (AM/PM)");
    EXPECT_EQ(check_datetime_format("%d/%m/%Y %H:%M %p"),
              "%p needs a 12-hour %I (use %H without %p)");
    EXPECT_EQ(message_of<InputError>([] {
                  DateTimeParser(nullptr, {"%d/%m/%Y", "%D"});
              }),
              "invalid date-time format '%D': unknown directive %D (known: %Y %y %m %b %d %H %I "
              "%M %S %p %%)");
}

} // namespace
} // namespace waymark::importers
