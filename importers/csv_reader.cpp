#include "importers/csv_reader.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <utility>

namespace waymark::importers {

namespace {

const char* find_byte(const char* begin, const char* end, char byte) {
    return static_cast<const char*>(
        std::memchr(begin, byte, static_cast<std::size_t>(end - begin)));
}

} // namespace

CsvReader::CsvReader(std::istream& in, std::string source, CsvOptions options)
    : m_in(in), m_source(std::move(source)), m_options(options) {
    const char delimiter = m_options.delimiter;
    if (delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
        throw InputError("reading " + m_source +
                         ": the CSV delimiter cannot be a quote, a CR or a LF");
    }
    m_options.read_bytes = std::max<std::size_t>(m_options.read_bytes, 1);
}

CsvReader::~CsvReader() = default;

bool CsvReader::fill(std::size_t keep_from) {
    // Keep [keep_from, m_end), moved to the front of the buffer.
    const std::size_t kept = m_end - keep_from;
    const std::size_t chunk = m_options.read_bytes;
    if (m_capacity - kept < chunk) {
        // Grow geometrically, but never past what one record may take.
        const std::size_t capacity =
            std::max({kept + chunk, 2 * chunk,
                      std::min(2 * m_capacity, m_options.max_record_bytes + 2 + chunk)});
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
        return IoError("cannot read " + m_source + " near line " + std::to_string(m_line) + ": " +
                       why);
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

// Finds the LF that ends the record starting at `start`, resuming at
// scan.pos. Quotes matter only where they open a field, inside a quoted field
// and right after one: the same grammar split() applies.
bool CsvReader::scan(std::size_t start, Scan& state, std::size_t& newline) const {
    const char* base = m_buffer.get() + start;
    const char* end = m_buffer.get() + m_end;
    const char* p = base + state.pos;
    const char delimiter = m_options.delimiter;
    const char* lf = nullptr; // the next LF at or after p, once looked for
    bool lf_known = false;
    for (;;) {
        if (!state.quoted) {
            if (!lf_known || (lf != nullptr && lf < p)) {
                lf = find_byte(p, end, '\n');
                lf_known = true;
            }
            const char* limit = lf != nullptr ? lf : end;
            const char* quote = find_byte(p, limit, '"');
            while (quote != nullptr && !(quote == p ? state.field_start : quote[-1] == delimiter)) {
                quote = find_byte(quote + 1, limit, '"'); // a stray quote: data
            }
            if (quote != nullptr) {
                state.quoted = true;
                p = quote + 1;
                continue;
            }
            if (lf != nullptr) {
                newline = static_cast<std::size_t>(lf - m_buffer.get());
                return true;
            }
            if (end > p) {
                state.field_start = end[-1] == delimiter;
            }
            state.pos = static_cast<std::size_t>(end - base);
            return false;
        }
        const char* quote = find_byte(p, end, '"');
        const char* stop = quote != nullptr ? quote : end;
        state.newlines += std::count(p, stop, '\n');
        if (quote == nullptr || quote + 1 == end) {
            // Out of data (a quote at the very end may be closing or doubled).
            state.pos = static_cast<std::size_t>(stop - base);
            return false;
        }
        if (quote[1] == '"') {
            p = quote + 2;
            continue;
        }
        state.quoted = false;
        state.field_start = false;
        p = quote + 1;
    }
}

bool CsvReader::next(CsvRecord& record) {
    record.fields.clear();
    record.error.clear();
    record.problem = ReadProblem::none;
    record.raw = {};
    if (!m_started) {
        m_started = true;
        if (m_in.fail() && !m_in.eof()) {
            throw IoError("cannot read " + m_source + ": the stream is not readable");
        }
        while (m_end - m_pos < 3 && fill(m_pos)) {
        }
        if (m_options.encoding == Encoding::utf8 && m_end - m_pos >= 3 &&
            std::memcmp(m_buffer.get() + m_pos, "\xEF\xBB\xBF", 3) == 0) {
            m_pos += 3;
        }
    }
    for (;;) {
        std::size_t start = m_pos;
        Scan state;
        std::size_t newline = 0;
        bool found = false;
        for (;;) {
            if (m_buffer != nullptr && (found = scan(start, state, newline))) {
                break;
            }
            if (m_end - start > m_options.max_record_bytes + 1) {
                skip_long_record(start, state, record);
                return true;
            }
            const bool more = fill(start);
            start = 0;
            if (!more) {
                break;
            }
        }
        const char* base = m_buffer.get();
        const char* begin = base + start;
        const char* end = nullptr;
        const std::int64_t line = m_line;
        if (found) {
            end = base + newline;
            m_pos = newline + 1;
            m_line += state.newlines + 1;
        } else {
            if (start == m_end) {
                m_pos = m_end;
                return false;
            }
            end = base + m_end;
            m_pos = m_end;
            m_line += state.newlines;
        }
        if (!state.quoted && end > begin && end[-1] == '\r') {
            --end;
        }
        if (begin == end) {
            ++m_blank_lines;
            continue;
        }
        const auto size = static_cast<std::size_t>(end - begin);
        record.line = line;
        record.raw = std::string_view(begin, std::min(size, max_raw_bytes));
        if (size > m_options.max_record_bytes) {
            record.error =
                "record is longer than " + std::to_string(m_options.max_record_bytes) + " bytes";
            record.problem = ReadProblem::too_long;
            return true;
        }
        split(begin, end, record);
        return true;
    }
}

void CsvReader::skip_long_record(std::size_t start, Scan& state, CsvRecord& record) {
    record.line = m_line;
    record.error = "record is longer than " + std::to_string(m_options.max_record_bytes) + " bytes";
    record.problem = ReadProblem::too_long;
    // Keep the record's first max_raw_bytes bytes (what a record read whole
    // would show), drop the rest as it is scanned: memory stays one buffer.
    m_raw.clear();
    std::size_t total = 0;
    const auto keep = [&](const char* begin, std::size_t size) {
        total += size;
        if (m_raw.size() < max_raw_bytes) {
            m_raw.append(begin, std::min(size, max_raw_bytes - m_raw.size()));
        }
    };
    for (;;) {
        keep(m_buffer.get() + start, state.pos);
        const bool more = fill(start + state.pos);
        start = 0;
        state.pos = 0;
        std::size_t newline = 0;
        if (scan(0, state, newline)) {
            keep(m_buffer.get(), newline);
            m_pos = newline + 1;
            m_line += state.newlines + 1;
            break;
        }
        if (!more) {
            keep(m_buffer.get(), m_end);
            m_pos = m_end;
            m_line += state.newlines;
            break;
        }
    }
    if (!state.quoted && total <= max_raw_bytes && !m_raw.empty() && m_raw.back() == '\r') {
        m_raw.pop_back();
    }
    record.raw = m_raw;
}

void CsvReader::append(const char* begin, const char* end) {
    if (m_convert) {
        if (!append_windows_1252_as_utf8(m_scratch,
                                         {begin, static_cast<std::size_t>(end - begin)})) {
            m_unmapped = true;
        }
    } else {
        m_scratch.append(begin, end);
    }
}

void CsvReader::add_field(const char* begin, const char* end, bool doubled_quotes,
                          CsvRecord& record) {
    if (!doubled_quotes && !m_convert) {
        record.fields.emplace_back(begin, static_cast<std::size_t>(end - begin));
        return;
    }
    // m_scratch was reserved for the whole record: its data never moves here.
    const std::size_t at = m_scratch.size();
    if (!doubled_quotes) {
        append(begin, end);
    } else {
        for (const char* p = begin; p < end;) {
            const char* quote = find_byte(p, end, '"');
            if (quote == nullptr) {
                append(p, end);
                break;
            }
            append(p, quote + 1); // one quote of the pair
            p = quote + 2;
        }
    }
    record.fields.emplace_back(m_scratch.data() + at, m_scratch.size() - at);
}

std::size_t CsvReader::field_of(std::size_t offset) const {
    const auto it = std::upper_bound(m_starts.begin(), m_starts.end(), offset);
    return static_cast<std::size_t>(it - m_starts.begin()); // 1-based
}

void CsvReader::split(const char* begin, const char* end, CsvRecord& record) {
    const std::string_view text(begin, static_cast<std::size_t>(end - begin));
    const bool ascii = is_ascii(text);
    const bool quoted = find_byte(begin, end, '"') != nullptr;
    m_convert = !ascii && m_options.encoding == Encoding::windows_1252;
    m_unmapped = false;
    m_starts.clear();
    if (quoted || m_convert) {
        m_scratch.clear();
        m_scratch.reserve(3 * text.size());
    }
    if (quoted) {
        split_quoted(begin, end, record);
    } else {
        const char delimiter = m_options.delimiter;
        for (const char* p = begin;;) {
            const char* q = p;
            while (q < end && *q != delimiter) {
                ++q;
            }
            m_starts.push_back(static_cast<std::size_t>(p - begin));
            if (m_convert) {
                add_field(p, q, false, record);
            } else {
                record.fields.emplace_back(p, static_cast<std::size_t>(q - p));
            }
            if (q == end) {
                break;
            }
            p = q + 1;
        }
    }
    if (ascii) {
        return;
    }
    if (m_options.encoding == Encoding::utf8) {
        if (const auto bad = first_invalid_utf8(text)) {
            if (record.error.empty()) {
                record.error = "invalid UTF-8 in field " + std::to_string(field_of(*bad)) +
                               " at byte " + std::to_string(*bad) + " of the record";
                record.problem = ReadProblem::encoding;
            }
            record.fields.clear();
        }
    } else if (m_unmapped) {
        const std::size_t bad = first_undefined_in_windows_1252(text).value_or(0);
        if (record.error.empty()) {
            record.error = "byte " + hex_byte(static_cast<unsigned char>(text[bad])) +
                           " in field " + std::to_string(field_of(bad)) + " at byte " +
                           std::to_string(bad) + " of the record is not defined in windows-1252";
            record.problem = ReadProblem::encoding;
        }
        record.fields.clear();
    }
}

void CsvReader::split_quoted(const char* begin, const char* end, CsvRecord& record) {
    const char delimiter = m_options.delimiter;
    const auto fail = [&record](std::string why) {
        if (record.error.empty()) {
            record.error = std::move(why);
            record.problem = ReadProblem::malformed;
        }
    };
    for (const char* p = begin;;) {
        m_starts.push_back(static_cast<std::size_t>(p - begin));
        const auto field = [this] { return std::to_string(m_starts.size()); };
        if (p < end && *p == '"') {
            const char* close = nullptr;
            bool doubled = false;
            for (const char* c = p + 1;;) {
                const char* quote = find_byte(c, end, '"');
                if (quote == nullptr) {
                    break;
                }
                if (quote + 1 < end && quote[1] == '"') {
                    doubled = true;
                    c = quote + 2;
                    continue;
                }
                close = quote;
                break;
            }
            if (close == nullptr) {
                fail("unterminated quoted field starting at line " +
                     std::to_string(record.line + std::count(begin, p, '\n')));
                add_field(p + 1, end, doubled, record);
                return;
            }
            const char* after = close + 1;
            if (after == end || *after == delimiter) {
                add_field(p + 1, close, doubled, record);
                if (after == end) {
                    return;
                }
                p = after + 1;
                continue;
            }
            fail("text after the closing quote of field " + field());
            const char* next = find_byte(after, end, delimiter);
            const char* stop = next != nullptr ? next : end;
            add_field(p, stop, false, record); // as written, quotes and all
            if (next == nullptr) {
                return;
            }
            p = next + 1;
            continue;
        }
        const char* stop = p;
        bool stray_quote = false;
        while (stop < end && *stop != delimiter) {
            stray_quote |= *stop == '"';
            ++stop;
        }
        if (stray_quote) {
            fail("a quote inside unquoted field " + field());
        }
        add_field(p, stop, false, record);
        if (stop == end) {
            return;
        }
        p = stop + 1;
    }
}

} // namespace waymark::importers
