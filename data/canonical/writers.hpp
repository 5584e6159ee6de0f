#pragma once

// Writers that put model records into the canonical formats of
// design/DATA-MODEL.md: episodes.csv, persons.csv, gazetteer.csv (CSV per
// RFC 4180, LF line endings) and rhi.jsonl, cpi.jsonl (one JSON object per
// line). Used by the synthetic world generator and by exports.
//
// Streaming: each write() formats one record into a reusable buffer and
// writes it to the stream; nothing else is kept. A stream that fails throws
// waymark::IoError naming the file kind and the record number.
//
// Conventions of the output:
// - Timestamps (UTC in the model) are written as ISO 8601 local time without
//   offset in the writer's time zone: YYYY-MM-DDTHH:MM when the seconds are
//   zero, else YYYY-MM-DDTHH:MM:SS. With a null zone they are UTC with a
//   trailing Z (YYYY-MM-DDTHH:MMZ, YYYY-MM-DDTHH:MM:SSZ). Note that in the hour
//   after clocks go back two instants give the same local text, as in any
//   export without offsets. Dates are YYYY-MM-DD.
// - Booleans are Y/N in CSV and true/false in JSON; unknown is empty / null.
// - Projected coordinates have at most 2 decimals, latitude/longitude (and x/y
//   in a geographic CRS: EPSG 4326, 4258, 4277) at most 6, trailing zeros
//   trimmed (700123.5, 700123), written locale-free with std::to_chars. A
//   non-finite coordinate is written as unknown.
// - A location's crs is written only when it is not 27700 (British National
//   Grid, the default of every reader), except that CSV writes it next to
//   coordinates. The resolved point (set by location resolution) is not an
//   input field and is never written.
// - Unknown columns and fields (`extra` of every record) are NOT written: the
//   canonical files hold the canonical fields only.
// - Codes are written with model::to_code.
// - The writers write what they are given: privacy profiles (PRIVACY.md;
//   e.g. the source-restricted CPI `submitter` and `source` blocks) are applied
//   before a writer is called.

#include "engine/model/codes.hpp"
#include "engine/model/cpi_report.hpp"
#include "engine/model/episode.hpp"
#include "engine/model/gazetteer.hpp"
#include "engine/model/person.hpp"
#include "engine/model/return_interview.hpp"
#include "engine/model/timestamp.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
} // namespace date

namespace waymark::canonical {

/// The text as one RFC 4180 field: quoted (with quotes doubled) when it holds a
/// comma, a double quote, CR or LF; unchanged otherwise.
std::string csv_field(std::string_view text);

/// Appends csv_field(text) to out.
void append_csv_field(std::string& out, std::string_view text);

/// Appends text to out as a JSON string, quotes included: `"` and `\` are
/// escaped, control characters as \b \f \n \r \t or \u00XX; valid UTF-8 passes
/// through unchanged and each byte of an invalid UTF-8 sequence becomes U+FFFD,
/// so that the output is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

/// Appends value with at most max_decimals decimals (0 to 9), trailing zeros
/// and a trailing point trimmed, no exponent, "-0" written as "0":
/// append_decimal(out, 700123.50, 2) appends "700123.5". Locale-free.
/// value must be finite.
void append_decimal(std::string& out, double value, int max_decimals);

/// Appends a CSV boolean as the canonical formats write it: Y or N, nothing
/// when unknown.
inline void csv_bool(std::string& out, const std::optional<bool>& value) {
    if (value) {
        out += *value ? 'Y' : 'N';
    }
}

/// Appends a code's canonical text, nothing when not given.
template <model::CodeEnum E>
void csv_code(std::string& out, const std::optional<E>& value) {
    if (value) {
        out += model::to_code(*value);
    }
}

/// Converts UTC timestamps to the local text of the formats, remembering the
/// last time-zone period so that nearby timestamps need no time-zone lookup.
class LocalTimeFormatter {
public:
    /// zone == nullptr: write UTC with a trailing Z.
    explicit LocalTimeFormatter(const date::time_zone* zone) noexcept : m_zone(zone) {}

    /// Appends "2026-07-01T21:30" (or "...T21:30:05", or "...Z" without a zone).
    /// A local time that happens twice (the hour repeated when the clocks go
    /// back) is followed by its offset, "2026-10-25T01:30+01:00" for the first
    /// and "...+00:00" for the second, so that it names one instant.
    void append(std::string& out, model::Timestamp utc);

    /// The appended text as a string.
    std::string format(model::Timestamp utc);

private:
    const date::time_zone* m_zone;
    std::int64_t m_begin = 1; ///< cached period [m_begin, m_end) in UTC seconds; empty at first
    std::int64_t m_end = 0;
    std::int64_t m_offset = 0; ///< seconds to add to UTC in that period
};

/// Appends "YYYY-MM-DD".
void append_date(std::string& out, model::Date date);

/// episodes.csv. Episode::extra (unknown columns) is not written.
class EpisodesCsvWriter {
public:
    /// zone: the time zone of the local times written (nullptr: UTC with Z).
    EpisodesCsvWriter(std::ostream& out, const date::time_zone* zone);

    /// Writes the header line.
    void header();
    /// Writes one row.
    void write(const model::Episode& episode);

private:
    std::ostream& m_out;
    LocalTimeFormatter m_time;
    std::string m_buffer;
    std::uint64_t m_records = 0;
};

/// persons.csv. Person::extra (unknown columns) is not written.
class PersonsCsvWriter {
public:
    explicit PersonsCsvWriter(std::ostream& out);

    void header();
    void write(const model::Person& person);

private:
    std::ostream& m_out;
    std::string m_buffer;
    std::uint64_t m_records = 0;
};

/// gazetteer.csv. GazetteerEntry::extra (unknown columns) is not written; crs
/// is always written.
class GazetteerCsvWriter {
public:
    explicit GazetteerCsvWriter(std::ostream& out);

    void header();
    void write(const model::GazetteerEntry& entry);

private:
    std::ostream& m_out;
    std::string m_buffer;
    std::uint64_t m_records = 0;
};

/// rhi.jsonl: every line has the same top-level keys, in the order of
/// DATA-MODEL.md; unknown scalars (and empty text) are null, lists are [] and
/// high_risk / notes are {} when empty. Person and location objects omit their
/// empty and unknown members. ReturnInterview::extra is not written.
class RhiJsonlWriter {
public:
    RhiJsonlWriter(std::ostream& out, const date::time_zone* zone);

    void write(const model::ReturnInterview& interview);

private:
    std::ostream& m_out;
    LocalTimeFormatter m_time;
    std::string m_buffer;
    std::uint64_t m_records = 0;
};

/// cpi.jsonl: every line has the same top-level keys; unknown scalars (and
/// empty text, and an absent location) are null. submitter and source are
/// always objects that omit their empty members; grading always has its three
/// keys, null when not graded. CpiReport::extra is not written.
class CpiJsonlWriter {
public:
    CpiJsonlWriter(std::ostream& out, const date::time_zone* zone);

    void write(const model::CpiReport& report);

private:
    std::ostream& m_out;
    LocalTimeFormatter m_time;
    std::string m_buffer;
    std::uint64_t m_records = 0;
};

} // namespace waymark::canonical
