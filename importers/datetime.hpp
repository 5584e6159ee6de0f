#pragma once

// Reading the date-times of a source file (DATA-MODEL.md, "Conventions" and
// "Import specification"; docs/import-specs.md).
//
// Accepted, in this order:
//   1. ISO 8601: YYYY-MM-DD, or YYYY-MM-DD then `T` or one space then HH:MM,
//      HH:MM:SS or HH:MM:SS.fff (the fraction is dropped), then optionally `Z`,
//      ±HH:MM, ±HHMM or ±HH. With an offset the time is exact; without one it is
//      local time in the area's zone. A bare date is local midnight.
//   2. The spec's `datetime_formats`, tried in the order given (strftime-like
//      directives, see check_datetime_format).
// Spaces and tabs around the text are ignored.
//
// Clock changes of the local zone:
//   - an ambiguous local time (the hour repeated when the clocks go back) is
//     read as the earlier of the two instants, with a warning;
//   - a nonexistent local time (the hour skipped when the clocks go forward) is
//     moved forward by the length of the gap (01:30 in the London spring gap
//     is read as 02:30 BST, i.e. 01:30Z), with a warning. It is not an error:
//     such times are clock times typed by people whose clock had not changed,
//     and quarantining the row would lose an episode over one hour.
//
// Everything else that does not match throws waymark::InputError:
//   invalid date-time '31/02/2026' (expected ISO 8601 or one of: %d/%m/%Y %H:%M, %d/%m/%Y)
//
// A parser is immutable after construction, so one may be shared by threads.

#include "engine/model/timestamp.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
} // namespace date

namespace waymark::importers {

/// The problem with a spec's date-time format, or "" if it can be used.
/// Directives: %Y (4-digit year), %y (2-digit year: 69-99 → 1969-1999,
/// 00-68 → 2000-2068), %m (month 1-12, one or two digits), %b (Jan…Dec or
/// January…December, any case), %d (day, one or two digits), %H (hour 0-23),
/// %I (hour 1-12, needs %p), %M (minute), %S (second), %p (AM/PM, any case),
/// %% (a literal %). A space matches one or more spaces. A format needs a day,
/// a month and a year, each once; %M needs an hour, %S needs %M.
std::string check_datetime_format(std::string_view format);

struct ParsedTime {
    model::Timestamp utc;
    /// Empty, or why the value was read the way it was (an ambiguous or
    /// nonexistent local time), for the import report.
    std::string warning;
};

class DateTimeParser {
public:
    /// `zone` is the area's time zone (nullptr: UTC); it must outlive the
    /// parser (zones from date::locate_zone live as long as the program).
    /// Throws InputError "invalid date-time format '%Q': <problem>" for a
    /// format check_datetime_format rejects.
    explicit DateTimeParser(const date::time_zone* zone, std::vector<std::string> formats = {});

    /// A date-time as UTC. Throws InputError when it matches nothing.
    ParsedTime parse(std::string_view text) const;

    /// A calendar date: YYYY-MM-DD, or anything parse() accepts, of which the
    /// date is taken as written (no conversion between zones). Empty text (or
    /// only spaces) is an unknown date: std::nullopt. Throws InputError
    /// "invalid date '…' (expected ISO 8601 or one of: …)" when it matches nothing.
    std::optional<model::Date> parse_date(std::string_view text) const;

    /// The zone local times are read in (nullptr: UTC).
    const date::time_zone* zone() const { return m_zone; }

private:
    /// A date and time as written, before any zone is applied.
    struct Fields {
        int year = 0;
        int month = 0;
        int day = 0;
        int hour = 0;
        int minute = 0;
        int second = 0;
        bool has_offset = false;
        int offset_minutes = 0; ///< east of UTC
    };

    /// One step of a compiled format: a directive letter, or a literal byte.
    struct Step {
        char directive = 0; ///< 'Y', 'y', 'm', 'b', 'd', 'H', 'I', 'M', 'S', 'p'; 0: literal
        char literal = 0;
    };
    struct Format {
        std::vector<Step> steps;
    };

    bool match_any(std::string_view text, Fields& fields) const;
    static bool match_format(const Format& format, std::string_view text, Fields& fields);
    std::string expected() const;

    const date::time_zone* m_zone;
    std::vector<std::string> m_texts;
    std::vector<Format> m_formats;
};

} // namespace waymark::importers
