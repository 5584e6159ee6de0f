#pragma once

// Date-times and dates (DATA-MODEL.md, "Conventions"): stored as UTC. Reading
// local times and offsets is the importers' job; these functions only write and
// read the canonical UTC form that Waymark itself produces.

#include <chrono>
#include <string>
#include <string_view>

namespace waymark::model {

/// A point in time, UTC, to the second.
using Timestamp = std::chrono::sys_seconds;

/// A calendar date (a date of birth, a CPI information date).
using Date = std::chrono::sys_days;

/// The current time, to the second.
inline Timestamp now_utc() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

/// "2026-03-02T10:00:00Z". Years 0000 to 9999 round-trip through parse_timestamp_utc.
std::string format_timestamp(Timestamp time);

/// Exactly YYYY-MM-DDTHH:MM:SSZ with a real calendar date, hour 00-23, minute
/// and second 00-59. Anything else throws waymark::InputError:
///   invalid UTC timestamp '2026-02-30T10:00:00Z' (expected YYYY-MM-DDTHH:MM:SSZ)
Timestamp parse_timestamp_utc(std::string_view text);

/// "2026-03-02". Years 0000 to 9999 round-trip through parse_date.
std::string format_date(Date date);

/// Exactly YYYY-MM-DD with a real calendar date. Anything else throws
/// waymark::InputError: invalid date '2026-13-01' (expected YYYY-MM-DD)
Date parse_date(std::string_view text);

} // namespace waymark::model
