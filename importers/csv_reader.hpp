#pragma once

// A streaming RFC 4180 CSV reader (DATA-MODEL.md): the first stage of every
// CSV import. It reads through a fixed-size buffer, so memory does not grow
// with the file, and hands out fields as views into that buffer.
//
// What it accepts:
// - an optional UTF-8 byte order mark at the start of the file (stripped; with
//   Encoding::utf8 only);
// - records ended by LF or CRLF. A lone CR (not followed by LF) is not a line
//   ending: it is ordinary data, like any other byte. A CR right before the LF
//   (or before the end of the file) is part of the line ending and is dropped;
//   a CR inside a quoted field is kept;
// - quoted fields ("...") holding delimiters, quotes written twice and line
//   breaks; a quote opens a quoted field only as the field's first byte;
// - a last record without a final line ending.
//
// Blank lines (nothing, or only a CR, between two line endings) are skipped
// and counted in blank_lines(); they are not records. Every other physical line
// is counted exactly, inside quoted fields too, so CsvRecord::line is the line
// an editor shows.
//
// A bad record never throws: it comes back with CsvRecord::error set and the
// reader carries on with the next one. Only a failure of the stream itself
// throws (IoError).

#include "importers/read_problem.hpp"
#include "importers/text.hpp"

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::importers {

struct CsvOptions {
    char delimiter = ',';
    Encoding encoding = Encoding::utf8;
    /// A record longer than this (in bytes as read, without its line ending)
    /// is reported and skipped without being held in memory.
    std::size_t max_record_bytes = 1 << 20;
    /// The size of each read from the stream (tests and fuzzers make it tiny
    /// to exercise records that straddle reads). Memory stays below about
    /// max_record_bytes + read_bytes.
    std::size_t read_bytes = 1 << 20;
};

struct CsvRecord {
    /// The physical 1-based line where the record starts.
    std::int64_t line = 0;
    /// The fields, always UTF-8; valid until the next call of next(). When
    /// `error` is set they are a best-effort split for diagnostics only: empty
    /// when the record is over-long or is not valid text, and never to be
    /// imported.
    std::vector<std::string_view> fields;
    /// The record's raw bytes as read (not decoded, no line ending, no BOM),
    /// cut to the first max_raw_bytes bytes: for quarantine. Valid until the
    /// next call of next().
    std::string_view raw;
    /// Empty, or why this record is malformed (the first problem found).
    std::string error;
    /// What kind of problem `error` describes; none when it is empty.
    ReadProblem problem = ReadProblem::none;
};

class CsvReader {
public:
    static constexpr std::size_t max_raw_bytes = 2000;

    /// `source` names the input in IoError messages (usually the file path).
    /// Throws InputError if the delimiter is a quote, CR or LF.
    CsvReader(std::istream& in, std::string source, CsvOptions options = {});
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;
    ~CsvReader();

    /// Reads the next record into `record`; false at the end of the input.
    /// Throws IoError if the stream fails.
    bool next(CsvRecord& record);

    const std::string& source() const { return m_source; }
    const CsvOptions& options() const { return m_options; }
    /// Blank lines skipped so far.
    std::int64_t blank_lines() const { return m_blank_lines; }

private:
    struct Scan {
        std::size_t pos = 0; ///< where scanning resumes, from the record start
        bool quoted = false; ///< inside a quoted field
        bool field_start = true;
        std::int64_t newlines = 0; ///< LFs inside quoted fields so far
    };

    bool scan(std::size_t start, Scan& scan, std::size_t& newline) const;
    bool fill(std::size_t keep_from);
    void skip_long_record(std::size_t start, Scan& scan, CsvRecord& record);
    void split(const char* begin, const char* end, CsvRecord& record);
    void split_quoted(const char* begin, const char* end, CsvRecord& record);
    void add_field(const char* begin, const char* end, bool doubled_quotes, CsvRecord& record);
    void append(const char* begin, const char* end);
    std::size_t field_of(std::size_t offset) const;

    std::istream& m_in;
    std::string m_source;
    CsvOptions m_options;
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_capacity = 0;
    std::size_t m_pos = 0; ///< start of unread data
    std::size_t m_end = 0; ///< end of data in the buffer
    bool m_eof = false;
    bool m_started = false;
    std::int64_t m_line = 1;
    std::int64_t m_blank_lines = 0;
    std::string m_scratch;             ///< fields that had to be unquoted or decoded
    std::string m_raw;                 ///< the kept start of a skipped long record
    std::vector<std::size_t> m_starts; ///< each field's raw start, from the record start
    bool m_convert = false;            ///< this record needs Windows-1252 decoding
    bool m_unmapped = false;           ///< ... and holds a byte it does not define
};

} // namespace waymark::importers
