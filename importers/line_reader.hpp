#pragma once

// A streaming line reader for JSON Lines (DATA-MODEL.md): one physical line
// at a time through a fixed-size buffer, so memory does not grow with the
// file. Lines end at LF or CRLF (a lone CR is data); with Encoding::utf8 a
// UTF-8 byte order mark at the start of line 1 is dropped, and with
// Encoding::windows_1252 each line is decoded to UTF-8 (as CsvReader does).
// Blank lines are returned (text empty) so the caller can count and skip them.
//
// A bad line never throws: it comes back with Line::error set and the reader
// carries on. Only a failure of the stream itself throws (IoError).

#include "importers/read_problem.hpp"
#include "importers/text.hpp"

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace waymark::importers {

struct Line {
    /// The physical 1-based line number.
    std::int64_t number = 0;
    /// The line without its line ending (and without the BOM on line 1),
    /// decoded to UTF-8; valid until the next call of next(). Valid UTF-8 when
    /// `error` is empty; otherwise the raw bytes cut to
    /// LineReader::max_raw_bytes, for quarantine only.
    std::string_view text;
    /// Empty, or why the line cannot be used: "line is longer than N bytes",
    /// "invalid UTF-8 at byte N", "byte 0x81 at byte N is not defined in
    /// windows-1252" (N the 0-based offset in the line as read).
    std::string error;
    /// What kind of problem `error` describes; none when it is empty.
    ReadProblem problem = ReadProblem::none;
};

class LineReader {
public:
    static constexpr std::size_t max_raw_bytes = 2000;

    /// `source` names the input in IoError messages (usually the file path).
    /// A line longer than `max_line_bytes` (without its line ending) is
    /// reported and skipped without being held in memory. `read_bytes` is the
    /// size of each read from the stream (tests make it tiny). `encoding` is
    /// the file's.
    LineReader(std::istream& in, std::string source, std::size_t max_line_bytes = 16 << 20,
               std::size_t read_bytes = 1 << 20, Encoding encoding = Encoding::utf8);
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;
    ~LineReader();

    /// Reads the next line into `line`; false at the end of the input.
    /// Throws IoError if the stream fails.
    bool next(Line& line);

    const std::string& source() const { return m_source; }

private:
    bool fill(std::size_t keep_from);

    std::istream& m_in;
    std::string m_source;
    std::size_t m_max_line_bytes;
    std::size_t m_read_bytes;
    Encoding m_encoding;
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_capacity = 0;
    std::size_t m_pos = 0; ///< start of unread data
    std::size_t m_end = 0; ///< end of data in the buffer
    bool m_eof = false;
    bool m_started = false;
    std::int64_t m_number = 0;
    std::string m_raw;     ///< the kept start of a skipped long line
    std::string m_decoded; ///< a Windows-1252 line as UTF-8
};

} // namespace waymark::importers
