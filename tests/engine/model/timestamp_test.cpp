#include "base/error.hpp"
#include "engine/model/timestamp.hpp"
#include "tests/support/errors.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace waymark::model {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

std::string timestamp_error(std::string_view text) {
    return testing::message_of<InputError>([text] { parse_timestamp_utc(text); });
}

std::string date_error(std::string_view text) {
    return testing::message_of<InputError>([text] { parse_date(text); });
}

TEST(Timestamp, FormatsUtc) {
    const Timestamp t = sys_days{2026y / March / 2} + 10h;
    EXPECT_EQ(format_timestamp(t), "2026-03-02T10:00:00Z");
    EXPECT_EQ(format_timestamp(Timestamp{}), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_timestamp(sys_days{1969y / December / 31} + 23h + 59min + 59s),
              "1969-12-31T23:59:59Z");
}

TEST(Timestamp, ParsesUtc) {
    EXPECT_EQ(parse_timestamp_utc("2026-03-02T10:00:00Z"), sys_days{2026y / March / 2} + 10h);
    EXPECT_EQ(parse_timestamp_utc("2024-02-29T23:59:59Z"),
              sys_days{2024y / February / 29} + 23h + 59min + 59s);
    EXPECT_EQ(parse_timestamp_utc("1970-01-01T00:00:00Z"), Timestamp{});
}

TEST(Timestamp, RoundTrips) {
    for (const std::string_view text :
         {"2026-03-02T10:00:00Z", "2000-02-29T12:34:56Z", "1999-12-31T23:59:59Z",
          "1960-07-15T05:06:07Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
        EXPECT_EQ(format_timestamp(parse_timestamp_utc(text)), text);
    }
    const Timestamp t = sys_days{2031y / October / 9} + 7h + 8min + 9s;
    EXPECT_EQ(parse_timestamp_utc(format_timestamp(t)), t);
}

TEST(Timestamp, MalformedMessage) {
    EXPECT_THROW(parse_timestamp_utc("2026-03-02 10:00:00Z"), InputError);
    EXPECT_EQ(timestamp_error("2026-03-02 10:00:00Z"),
              "invalid UTC timestamp '2026-03-02 10:00:00Z' (expected YYYY-MM-DDTHH:MM:SSZ)");
}

TEST(Timestamp, RejectsMalformedAndImpossible) {
    for (const std::string_view text : {
             "",
             "2026-03-02T10:00:00",       // missing Z
             "2026-03-02T10:00:00z",      // lower-case z
             "2026-03-02T10:00:00+00:00", // offset instead of Z
             "2026-03-02T10:00:00Zx",     // trailing garbage
             "2026-03-02T10:00:00Z ",     // trailing space
             " 2026-03-02T10:00:00Z",     // leading space
             "2026-03-02T10:00Z",         // no seconds
             "2026-03-02T10:00:00.5Z",    // fractions
             "2026-3-02T10:00:00Z",       // one-digit month
             "2026-03-02t10:00:00Z",      // lower-case t
             "2026/03/02T10:00:00Z",      // wrong separators
             "2026-03-02T10-00-00Z",      // wrong separators
             "2026-02-30T10:00:00Z",      // no 30 February
             "2025-02-29T10:00:00Z",      // not a leap year
             "2026-13-01T10:00:00Z",      // month 13
             "2026-00-01T10:00:00Z",      // month 0
             "2026-01-00T10:00:00Z",      // day 0
             "2026-04-31T10:00:00Z",      // no 31 April
             "2026-03-02T24:00:01Z",      // hour 24
             "2026-03-02T25:00:00Z",      // hour 25
             "2026-03-02T24:00:00Z",      // end-of-day 24:00 is not accepted
             "2026-03-02T10:60:00Z",      // minute 60
             "2026-03-02T10:00:60Z",      // second 60 (no leap seconds)
             "2026-03-02T1a:00:00Z",      // not a digit
             "+026-03-02T10:00:00Z",      // sign in the year
             "2026-03-02",                // a date only
         }) {
        EXPECT_EQ(timestamp_error(text), "invalid UTC timestamp '" + std::string(text) +
                                             "' (expected YYYY-MM-DDTHH:MM:SSZ)");
    }
}

TEST(Timestamp, ImpossibleDateMessage) {
    EXPECT_EQ(timestamp_error("2026-02-30T10:00:00Z"),
              "invalid UTC timestamp '2026-02-30T10:00:00Z' (expected YYYY-MM-DDTHH:MM:SSZ)");
    EXPECT_EQ(timestamp_error("2026-03-02T24:00:01Z"),
              "invalid UTC timestamp '2026-03-02T24:00:01Z' (expected YYYY-MM-DDTHH:MM:SSZ)");
}

TEST(Date, Formats) {
    EXPECT_EQ(format_date(sys_days{2026y / March / 2}), "2026-03-02");
    EXPECT_EQ(format_date(Date{}), "1970-01-01");
    EXPECT_EQ(format_date(sys_days{2010y / December / 31}), "2010-12-31");
}

TEST(Date, Parses) {
    EXPECT_EQ(parse_date("2026-03-02"), sys_days{2026y / March / 2});
    EXPECT_EQ(parse_date("2024-02-29"), sys_days{2024y / February / 29});
    EXPECT_EQ(parse_date("1970-01-01"), Date{});
}

TEST(Date, RoundTrips) {
    for (const std::string_view text :
         {"2026-03-02", "2000-02-29", "1999-12-31", "1955-06-01", "0001-01-01", "9999-12-31"}) {
        EXPECT_EQ(format_date(parse_date(text)), text);
    }
    const Date d = sys_days{2012y / August / 7};
    EXPECT_EQ(parse_date(format_date(d)), d);
}

TEST(Date, MalformedMessage) {
    EXPECT_THROW(parse_date("02/03/2026"), InputError);
    EXPECT_EQ(date_error("02/03/2026"), "invalid date '02/03/2026' (expected YYYY-MM-DD)");
}

TEST(Date, RejectsMalformedAndImpossible) {
    for (const std::string_view text : {
             "",
             "2026-02-30",           // no 30 February
             "2023-02-29",           // not a leap year
             "1900-02-29",           // century, not a leap year
             "2026-13-01",           // month 13
             "2026-00-10",           // month 0
             "2026-01-32",           // day 32
             "2026-06-31",           // no 31 June
             "2026-03-02x",          // trailing garbage
             "2026-03-02T00:00:00Z", // a timestamp
             "2026-03-2",            // one-digit day
             "26-03-02",             // two-digit year
             "2026_03_02",           // wrong separators
             "2026-0a-02",           // not a digit
             " 2026-03-02",          // leading space
         }) {
        EXPECT_EQ(date_error(text),
                  "invalid date '" + std::string(text) + "' (expected YYYY-MM-DD)");
    }
}

TEST(Date, ImpossibleDateMessages) {
    EXPECT_EQ(date_error("2026-02-30"), "invalid date '2026-02-30' (expected YYYY-MM-DD)");
    EXPECT_EQ(date_error("2026-13-01"), "invalid date '2026-13-01' (expected YYYY-MM-DD)");
}

} // namespace
} // namespace waymark::model
