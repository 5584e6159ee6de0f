#include "importers/line_reader.hpp"

#include "base/error.hpp"
#include "importers/text.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <utility>

namespace waymark::importers {

LineReader::LineReader(std::istream& in, std::string source, std::size_t max_line_bytes,
                       std::size_t read_bytes, Encoding encoding)
    : m_in(in), m_source(std::move(source)), m_max_line_bytes(max_line_bytes),
      m_read_bytes(std::max<std::size_t>(read_bytes, 1)), m_encoding(encoding) {}

LineReader::~LineReader() = default;

bool LineReader::fill(std::size_t keep_from) {
    const std::size_t kept = m_end - keep_from;
    if (m_capacity - kept < m_read_bytes) {
        // Grow geometrically, but never past what one line may take.
        const std::size_t capacity =
            std::max({kept + m_read_bytes, 2 * m_read_bytes,
                      std::min(2 * m_capacity, m_max_line_bytes + 2 + m_read_bytes)});
        auto fresh = std::make_unique_for_overwrite<char[]>(capacity);
        if (kept > 0) {
            std::memcpy(fresh.get(), m_buffer.get() + keep_from, kept);
        }
        m_buffer = std::move(fresh);
        m_capacity = capacity;
    } else if (kept > 0 && keep_from > 0) {
        std::memmove(m_buffer.get(), m_buffer.get() + keep_from, kept);
    }
    m_pos = 0;
    m_end = kept;
    if (m_eof) {
        return false;
    }
    const auto failed = [this](const std::string& why) {
        return IoError("cannot read " + m_source + " near line " +
                       std::to_string(std::max<std::int64_t>(m_number, 1)) + ": " + why);
    };
    std::streamsize got = 0;
    try {
        m_in.read(m_buffer.get() + m_end, static_cast<std::streamsize>(m_capacity - m_end));
        got = m_in.gcount();
    } catch (const std::exception& error) {
        if (m_in.bad() || !m_in.eof()) {
            throw failed(error.what());
        }
        got = m_in.gcount();
    }
    if (m_in.bad()) {
        throw failed("the stream reported an error");
    }
    if (got <= 0 || m_in.eof()) {
        m_eof = true;
    }
    m_end += static_cast<std::size_t>(std::max<std::streamsize>(got, 0));
    return got > 0;
}

bool LineReader::next(Line& line) {
    line.text = {};
    line.error.clear();
    line.problem = ReadProblem::none;
    if (!m_started) {
        m_started = true;
        if (m_in.fail() && !m_in.eof()) {
            throw IoError("cannot read " + m_source + ": the stream is not readable");
        }
        while (m_end - m_pos < 3 && fill(m_pos)) {
        }
        if (m_encoding == Encoding::utf8 && m_end - m_pos >= 3 &&
            std::memcmp(m_buffer.get() + m_pos, "\xEF\xBB\xBF", 3) == 0) {
            m_pos += 3;
        }
    }
    std::size_t start = m_pos;
    std::size_t scanned = 0; // bytes after start known to hold no LF
    const char* lf = nullptr;
    for (;;) {
        if (m_buffer != nullptr) {
            const char* from = m_buffer.get() + start + scanned;
            lf = static_cast<const char*>(std::memchr(from, '\n', m_end - start - scanned));
            if (lf != nullptr) {
                break;
            }
        }
        scanned = m_end - start;
        if (scanned > m_max_line_bytes + 1) {
            // Too long: keep its start, then drop everything up to the next LF.
            ++m_number;
            line.number = m_number;
            line.error = "line is longer than " + std::to_string(m_max_line_bytes) + " bytes";
            line.problem = ReadProblem::too_long;
            m_raw.clear();
            std::size_t total = 0;
            const auto keep = [&](const char* begin, std::size_t size) {
                total += size;
                if (m_raw.size() < max_raw_bytes) {
                    m_raw.append(begin, std::min(size, max_raw_bytes - m_raw.size()));
                }
            };
            keep(m_buffer.get() + start, scanned);
            for (;;) {
                const bool more = fill(m_end);
                lf = m_end > 0 ? static_cast<const char*>(std::memchr(m_buffer.get(), '\n', m_end))
                               : nullptr;
                if (lf != nullptr) {
                    keep(m_buffer.get(), static_cast<std::size_t>(lf - m_buffer.get()));
                    m_pos = static_cast<std::size_t>(lf - m_buffer.get()) + 1;
                    break;
                }
                keep(m_buffer.get(), m_end);
                if (!more) {
                    m_pos = m_end;
                    break;
                }
            }
            if (total <= max_raw_bytes && !m_raw.empty() && m_raw.back() == '\r') {
                m_raw.pop_back();
            }
            line.text = m_raw;
            return true;
        }
        const bool more = fill(start);
        start = 0;
        if (!more) {
            break;
        }
    }
    const char* begin = m_buffer.get() + start;
    const char* end = nullptr;
    if (lf != nullptr) {
        end = lf;
        m_pos = static_cast<std::size_t>(lf - m_buffer.get()) + 1;
    } else {
        if (start == m_end) {
            m_pos = m_end;
            return false;
        }
        end = m_buffer.get() + m_end;
        m_pos = m_end;
    }
    if (end > begin && end[-1] == '\r') {
        --end;
    }
    ++m_number;
    line.number = m_number;
    const std::string_view text(begin, static_cast<std::size_t>(end - begin));
    if (text.size() > m_max_line_bytes) {
        line.error = "line is longer than " + std::to_string(m_max_line_bytes) + " bytes";
        line.problem = ReadProblem::too_long;
        line.text = text.substr(0, max_raw_bytes);
        return true;
    }
    if (is_ascii(text)) {
        line.text = text;
        return true;
    }
    if (m_encoding == Encoding::windows_1252) {
        m_decoded.clear();
        if (!append_windows_1252_as_utf8(m_decoded, text)) {
            const std::size_t bad = first_undefined_in_windows_1252(text).value_or(0);
            line.error = "byte " + hex_byte(static_cast<unsigned char>(text[bad])) + " at byte " +
                         std::to_string(bad) + " is not defined in windows-1252";
            line.problem = ReadProblem::encoding;
            line.text = text.substr(0, max_raw_bytes);
            return true;
        }
        line.text = m_decoded;
        return true;
    }
    if (const auto bad = first_invalid_utf8(text)) {
        line.error = "invalid UTF-8 at byte " + std::to_string(*bad);
        line.problem = ReadProblem::encoding;
        line.text = text.substr(0, max_raw_bytes);
        return true;
    }
    line.text = text;
    return true;
}

} // namespace waymark::importers
