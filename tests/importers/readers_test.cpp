// The streaming readers of importers/: CSV (RFC 4180) and JSON Lines, the
// text encodings, and every reader-level defect the dirty generator plants.

#include "base/error.hpp"
#include "data/synth/dirty.hpp"
#include "data/synth/world.hpp"
#include "importers/csv_reader.hpp"
#include "importers/line_reader.hpp"
#include "importers/text.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

namespace waymark::importers {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;

struct Rec {
    std::int64_t line = 0;
    std::vector<std::string> fields;
    std::string error;
    std::string raw;
    bool operator==(const Rec&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Rec& rec) {
    out << "{line " << rec.line << ", error '" << rec.error << "', fields";
    for (const auto& field : rec.fields) {
        out << " [" << field << "]";
    }
    return out << "}";
}

CsvOptions small_options() {
    CsvOptions options;
    options.max_record_bytes = 1024;
    return options;
}

std::vector<Rec> read_with(const std::string& text, const CsvOptions& options,
                           std::int64_t* blank_lines = nullptr) {
    std::istringstream in(text);
    CsvReader reader(in, "test.csv", options);
    std::vector<Rec> records;
    CsvRecord record;
    while (reader.next(record)) {
        records.push_back({record.line,
                           std::vector<std::string>(record.fields.begin(), record.fields.end()),
                           record.error, std::string(record.raw)});
    }
    if (blank_lines != nullptr) {
        *blank_lines = reader.blank_lines();
    }
    return records;
}

/// Reads `text` with the given options, and again one byte per read from the
/// stream: records must not depend on where reads end.
std::vector<Rec> read_csv(const std::string& text, CsvOptions options = small_options(),
                          std::int64_t* blank_lines = nullptr) {
    auto records = read_with(text, options, blank_lines);
    options.read_bytes = 1;
    EXPECT_EQ(read_with(text, options), records) << "read one byte at a time";
    return records;
}

using Fields = std::vector<std::string>;

Fields only_fields(const std::string& text) {
    const auto records = read_csv(text);
    EXPECT_EQ(records.size(), 1u) << text;
    if (records.size() != 1) {
        return {};
    }
    EXPECT_EQ(records[0].error, "") << text;
    return records[0].fields;
}

// ---------------------------------------------------------------- encodings

TEST(Encoding, ParsesItsNamesInAnyCase) {
    EXPECT_EQ(parse_encoding("utf-8"), Encoding::utf8);
    EXPECT_EQ(parse_encoding("UTF8"), Encoding::utf8);
    EXPECT_EQ(parse_encoding("Windows-1252"), Encoding::windows_1252);
    EXPECT_EQ(parse_encoding("CP1252"), Encoding::windows_1252);
    EXPECT_EQ(message_of<InputError>([] { parse_encoding("latin1"); }),
              "unknown encoding 'latin1': expected utf-8, utf8, windows-1252 or cp1252");
    EXPECT_EQ(to_string(Encoding::windows_1252), "windows-1252");
}

TEST(Encoding, MapsWindows1252ToUtf8) {
    std::string out;
    EXPECT_TRUE(append_windows_1252_as_utf8(out, "\x80"));
    EXPECT_EQ(out, "\u20AC");
    out.clear();
    EXPECT_TRUE(append_windows_1252_as_utf8(out, "caf\xE9 \x93q\x94 \x9F\xFF"));
    EXPECT_EQ(out, "caf\u00E9 \u201Cq\u201D \u0178\u00FF");
    out.clear();
    EXPECT_FALSE(append_windows_1252_as_utf8(out, "a\x9D"
                                                  "b"));
    EXPECT_EQ(out, "a\uFFFDb");
}

TEST(Encoding, EveryWindows1252ByteGivesUtf8OrFailsForTheFiveUndefined) {
    int undefined = 0;
    for (int byte = 0; byte < 256; ++byte) {
        std::string out;
        const bool ok = append_windows_1252_as_utf8(out, std::string(1, static_cast<char>(byte)));
        EXPECT_FALSE(first_invalid_utf8(out).has_value()) << byte;
        if (!ok) {
            ++undefined;
            EXPECT_TRUE(byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 ||
                        byte == 0x9D)
                << byte;
        } else if (byte >= 0xA0) {
            // Latin-1: the byte is the code point.
            EXPECT_EQ(out.size(), 2u);
            EXPECT_EQ(((out[0] & 0x1F) << 6) | (out[1] & 0x3F), byte);
        } else if (byte < 0x80) {
            EXPECT_EQ(out, std::string(1, static_cast<char>(byte)));
        }
    }
    EXPECT_EQ(undefined, 5);
}

TEST(Encoding, ValidatesUtf8) {
    const std::vector<std::pair<std::string, std::optional<std::size_t>>> table = {
        {"", std::nullopt},
        {"plain ascii, long enough for the fast path", std::nullopt},
        {"caf\xC3\xA9", std::nullopt},             // U+00E9
        {"\xE2\x82\xAC", std::nullopt},            // U+20AC
        {"\xED\x9F\xBF", std::nullopt},            // U+D7FF, just below the surrogates
        {"\xEE\x80\x80", std::nullopt},            // U+E000, just above them
        {"\xF0\x9D\x84\x9E", std::nullopt},        // U+1D11E
        {"\xF4\x8F\xBF\xBF", std::nullopt},        // U+10FFFF
        {"\x80", 0},                               // a lone continuation byte
        {"ab\xBF", 2},                             // another
        {"a\xC0\xAF", 1},                          // overlong '/'
        {"\xC1\xBF", 0},                           // overlong
        {"\xE0\x80\xAF", 0},                       // overlong, three bytes
        {"\xF0\x80\x80\xAF", 0},                   // overlong, four bytes
        {"\xED\xA0\x80", 0},                       // U+D800, a surrogate
        {"x\xED\xBF\xBF", 1},                      // U+DFFF
        {"\xF4\x90\x80\x80", 0},                   // U+110000
        {"\xF5\x80\x80\x80", 0},                   // beyond any plane
        {"\xFF\xFE", 0},                           // never in UTF-8
        {"ab\xE2\x82", 2},                         // cut short at the end
        {"\xC3", 0},                               // cut short
        {"\xE2\x28\xA1", 0},                       // second byte not a continuation
        {"\xF0\x9D\x84z", 0},                      // fourth byte not a continuation
        {"12345678\xC3\xA9\xC3", 10},              // after the fast path
        {std::string("nul\0ok", 6), std::nullopt}, // NUL is valid UTF-8
        {"Ren\xE9"
         "e",
         3}, // Windows-1252 é read as UTF-8
    };
    for (const auto& [text, expected] : table) {
        EXPECT_EQ(first_invalid_utf8(text), expected) << text;
    }
    EXPECT_TRUE(is_ascii("hello, world"));
    EXPECT_FALSE(is_ascii("hello, w\xC3\xB6rld"));
}

// ------------------------------------------------------------ CSV splitting

TEST(CsvReader, SplitsFields) {
    EXPECT_EQ(only_fields("a,b,c\n"), (Fields{"a", "b", "c"}));
    EXPECT_EQ(only_fields("\"a,b\",c\n"), (Fields{"a,b", "c"}));
    EXPECT_EQ(only_fields("\"say \"\"hi\"\"\",x\n"), (Fields{"say \"hi\"", "x"}));
    EXPECT_EQ(only_fields("\"\"\"\"\n"), (Fields{"\""}));
    EXPECT_EQ(only_fields("\"\",x,\"\"\n"), (Fields{"", "x", ""}));
    EXPECT_EQ(only_fields(",,\n"), (Fields{"", "", ""}));
    EXPECT_EQ(only_fields("a,b,\n"), (Fields{"a", "b", ""}));
    EXPECT_EQ(only_fields("a,b"), (Fields{"a", "b"}));
    EXPECT_EQ(only_fields("a,\"b\""), (Fields{"a", "b"}));
    EXPECT_EQ(only_fields("a,b\r\n"), (Fields{"a", "b"}));
    EXPECT_EQ(only_fields("a,b\r"), (Fields{"a", "b"}));
    EXPECT_EQ(only_fields("a,\"b\"\r\n"), (Fields{"a", "b"}));
    EXPECT_EQ(only_fields("\"line 1\nline 2\",x\n"), (Fields{"line 1\nline 2", "x"}));
    EXPECT_EQ(only_fields("\"line 1\r\nline 2\",x\r\n"), (Fields{"line 1\r\nline 2", "x"}));
    EXPECT_EQ(only_fields("\"a\"\"\n\"\"b\"\n"), (Fields{"a\"\n\"b"}));
    EXPECT_EQ(only_fields(" a , b \n"), (Fields{" a ", " b "}));
    // A lone CR is data, not a line ending.
    EXPECT_EQ(only_fields("a\rb,c\n"), (Fields{"a\rb", "c"}));
    EXPECT_EQ(only_fields("\xEF\xBB\xBFid,name\n"), (Fields{"id", "name"}));
    EXPECT_EQ(only_fields("\xEF\xBB\xBF\"id\",name\n"), (Fields{"id", "name"}));
    EXPECT_EQ(only_fields("caf\xC3\xA9,\"\xE2\x82\xAC 5\"\n"), (Fields{"caf\u00E9", "\u20AC 5"}));
}

TEST(CsvReader, ReadsCrlfFilesAndFilesWithoutAFinalNewline) {
    const auto crlf = read_csv("id,x\r\n1,\"a\r\nb\"\r\n2,c\r\n");
    ASSERT_EQ(crlf.size(), 3u);
    EXPECT_EQ(crlf[1].fields, (Fields{"1", "a\r\nb"}));
    EXPECT_EQ(crlf[2].fields, (Fields{"2", "c"}));
    EXPECT_EQ(crlf[2].line, 4);
    EXPECT_EQ(crlf[2].raw, "2,c");

    const auto last = read_csv("id,x\n1,a");
    ASSERT_EQ(last.size(), 2u);
    EXPECT_EQ(last[1].fields, (Fields{"1", "a"}));

    EXPECT_TRUE(read_csv("").empty());
    EXPECT_TRUE(read_csv("\xEF\xBB\xBF").empty());
    EXPECT_EQ(read_csv("id\n").size(), 1u);
}

TEST(CsvReader, SkipsAndCountsBlankLines) {
    std::int64_t blanks = 0;
    const auto records = read_csv("id,x\n\n1,a\r\n\r\n\n2,b\n\n", small_options(), &blanks);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].line, 3);
    EXPECT_EQ(records[2].line, 6);
    EXPECT_EQ(blanks, 4);
}

TEST(CsvReader, CountsPhysicalLinesAfterMultiLineRecords) {
    const auto records = read_csv("id,label\n"
                                  "1,\"Flat 2\nabove the shop,\nrear door\"\n"
                                  "2,\"\"\"x\"\"\r\ny\"\r\n"
                                  "\n"
                                  "3,last\n");
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0].line, 1);
    EXPECT_EQ(records[1].line, 2);
    EXPECT_EQ(records[1].fields, (Fields{"1", "Flat 2\nabove the shop,\nrear door"}));
    EXPECT_EQ(records[2].line, 5);
    EXPECT_EQ(records[2].fields, (Fields{"2", "\"x\"\r\ny"}));
    EXPECT_EQ(records[3].line, 8);
    EXPECT_EQ(records[3].fields, (Fields{"3", "last"}));
}

TEST(CsvReader, TakesOtherDelimiters) {
    CsvOptions options = small_options();
    options.delimiter = ';';
    const auto records = read_csv("a;\"b;c\";d,e\n", options);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].fields, (Fields{"a", "b;c", "d,e"}));
    options.delimiter = '\t';
    EXPECT_EQ(read_csv("a\tb\t\n", options)[0].fields, (Fields{"a", "b", ""}));

    std::istringstream in("");
    options.delimiter = '"';
    EXPECT_EQ(message_of<InputError>([&] { CsvReader reader(in, "x.csv", options); }),
              "reading x.csv: the CSV delimiter cannot be a quote, a CR or a LF");
}

// ---------------------------------------------------------------- CSV errors

/// One bad record at line 2 between two good ones: the error, and the next
/// record still read correctly.
void expect_bad_second_record(const std::string& bad, const std::string& error,
                              std::int64_t next_line = 3, CsvOptions options = small_options()) {
    const auto records = read_csv("id,x\n" + bad + "\nok,1\n", options);
    ASSERT_EQ(records.size(), 3u) << bad;
    EXPECT_EQ(records[0].error, "");
    EXPECT_EQ(records[1].line, 2);
    EXPECT_EQ(records[1].error, error) << bad;
    EXPECT_EQ(records[2].line, next_line);
    EXPECT_EQ(records[2].error, "");
    EXPECT_EQ(records[2].fields, (Fields{"ok", "1"}));
}

TEST(CsvReader, ReportsAQuoteInsideAnUnquotedField) {
    expect_bad_second_record("ab\"c,d", "a quote inside unquoted field 1");
    expect_bad_second_record("a,b\"", "a quote inside unquoted field 2");
    expect_bad_second_record("a,\"b\",c\"d\"", "a quote inside unquoted field 3");
    // Best-effort fields, as written.
    EXPECT_EQ(read_csv("ab\"c,d\n")[0].fields, (Fields{"ab\"c", "d"}));
}

TEST(CsvReader, ReportsTextAfterAClosingQuote) {
    expect_bad_second_record("\"ab\"c,d", "text after the closing quote of field 1");
    expect_bad_second_record("a,\"b\" ", "text after the closing quote of field 2");
    expect_bad_second_record("a,\"b\nc\"d,e", "text after the closing quote of field 2", 4);
    EXPECT_EQ(read_csv("\"ab\"c,d\n")[0].fields, (Fields{"\"ab\"c", "d"}));
}

TEST(CsvReader, ReportsAnUnterminatedQuoteWhichSwallowsTheRest) {
    const auto records = read_csv("id,x\nok,1\n2,\"Flat 3, The Annexe,home\n3,a\n4,b\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[2].line, 3);
    EXPECT_EQ(records[2].error, "unterminated quoted field starting at line 3");
    EXPECT_EQ(records[2].raw, "2,\"Flat 3, The Annexe,home\n3,a\n4,b\n");

    const auto later = read_csv("a,\"b\nc\",\"d\ne");
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].error, "unterminated quoted field starting at line 2");
}

TEST(CsvReader, ReportsInvalidUtf8AndDropsTheFields) {
    expect_bad_second_record("E1,Ren\xE9"
                             "e",
                             "invalid UTF-8 in field 2 at byte 6 of the record");
    expect_bad_second_record("\"a\xFF\xFE\",b", "invalid UTF-8 in field 1 at byte 2 of the record");
    EXPECT_TRUE(read_csv("E1,Ren\xE9"
                         "e\n")[0]
                    .fields.empty());
    // A quote error comes first, but the fields still go.
    const auto both = read_csv("a\"\xFF\n");
    EXPECT_EQ(both[0].error, "a quote inside unquoted field 1");
    EXPECT_TRUE(both[0].fields.empty());
}

TEST(CsvReader, DecodesWindows1252) {
    CsvOptions options = small_options();
    options.encoding = Encoding::windows_1252;
    const auto records = read_csv("caf\xE9,\"\x80 \"\"5\"\"\",plain\n", options);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].error, "");
    EXPECT_EQ(records[0].fields, (Fields{"caf\u00E9", "\u20AC \"5\"", "plain"}));
    EXPECT_EQ(records[0].raw, "caf\xE9,\"\x80 \"\"5\"\"\",plain");
    expect_bad_second_record("a,b\x9D",
                             "byte 0x9D in field 2 at byte 3 of the record is not "
                             "defined in windows-1252",
                             3, options);
    // No BOM is stripped: it is three Windows-1252 characters.
    EXPECT_EQ(read_csv("\xEF\xBB\xBFid\n", options)[0].fields, (Fields{"\u00EF\u00BB\u00BFid"}));
}

TEST(CsvReader, NamesTheKindOfEachProblemWithACode) {
    const auto problem_of = [](const std::string& text, Encoding encoding) {
        CsvOptions options = small_options();
        options.encoding = encoding;
        std::istringstream in(text);
        CsvReader reader(in, "test.csv", options);
        CsvRecord record;
        EXPECT_TRUE(reader.next(record));
        return record.problem;
    };
    EXPECT_EQ(problem_of("a,b\n", Encoding::utf8), ReadProblem::none);
    EXPECT_EQ(problem_of("a\"b\n", Encoding::utf8), ReadProblem::malformed);
    EXPECT_EQ(problem_of("\"a\n", Encoding::utf8), ReadProblem::malformed);
    EXPECT_EQ(problem_of("Ren\xE9"
                         "e\n",
                         Encoding::utf8),
              ReadProblem::encoding);
    for (const char byte : {'\x81', '\x8D', '\x8F', '\x90', '\x9D'}) {
        EXPECT_EQ(problem_of(std::string("a,") + byte + "\n", Encoding::windows_1252),
                  ReadProblem::encoding);
    }
    EXPECT_EQ(problem_of(std::string(2000, 'x') + "\n", Encoding::utf8), ReadProblem::too_long);
    EXPECT_EQ(problem_of("a\"\xFF\n", Encoding::utf8), ReadProblem::malformed) << "the first found";
}

TEST(CsvReader, SkipsARecordOverTheLimit) {
    const std::string long_field(2000, 'x');
    expect_bad_second_record("a," + long_field, "record is longer than 1024 bytes");
    // A long quoted field over several lines is one record: the lines still count.
    std::string multi = "a,\"";
    for (int i = 0; i < 40; ++i) {
        multi += std::string(50, 'y') + "\n";
    }
    multi += "\"";
    expect_bad_second_record(multi, "record is longer than 1024 bytes", 43);
    // The raw text is the start of the record, the same however it was read.
    const auto records = read_csv("a," + long_field + "\r\n");
    EXPECT_EQ(records[0].raw, ("a," + long_field).substr(0, 2000));
    EXPECT_TRUE(records[0].fields.empty());
    // At the limit is fine.
    EXPECT_EQ(read_csv(std::string(1024, 'z') + "\r\n")[0].error, "");
}

/// A stream of `size` bytes of 'x' between a header and a last record, made
/// on the fly: the test holds none of it.
class LongRecordBuffer : public std::streambuf {
public:
    explicit LongRecordBuffer(std::size_t size)
        : m_head("id,x\n"), m_tail("\nok,1\n"), m_size(size), m_chunk(64 * 1024, 'x') {}

    std::size_t produced() const { return m_produced; }

protected:
    int_type underflow() override {
        if (m_stage == 0) {
            m_stage = 1;
            set(m_head);
        } else if (m_stage == 1 && m_left > 0) {
            const std::size_t n = std::min(m_left, m_chunk.size());
            m_left -= n;
            char* data = m_chunk.data();
            setg(data, data, data + n);
            m_produced += n;
        } else if (m_stage == 1) {
            m_stage = 2;
            set(m_tail);
        } else {
            return traits_type::eof();
        }
        return traits_type::to_int_type(*gptr());
    }

private:
    void set(std::string& text) { setg(text.data(), text.data(), text.data() + text.size()); }

    std::string m_head, m_tail;
    std::size_t m_size;
    std::size_t m_left = m_size;
    std::string m_chunk;
    int m_stage = 0;
    std::size_t m_produced = 0;
};

TEST(CsvReader, Skips30MegabytesWithoutHoldingThem) {
    const std::size_t size = 30u << 20;
    LongRecordBuffer buffer(size);
    std::istream in(&buffer);
    CsvOptions options;
    options.max_record_bytes = 1024;
    options.read_bytes = 64 * 1024;
    CsvReader reader(in, "long.csv", options);
    CsvRecord record;
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.fields, (std::vector<std::string_view>{"id", "x"}));
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.line, 2);
    EXPECT_EQ(record.error, "record is longer than 1024 bytes");
    EXPECT_EQ(record.raw, std::string(2000, 'x'));
    ASSERT_TRUE(reader.next(record));
    EXPECT_EQ(record.line, 3);
    EXPECT_EQ(record.error, "");
    EXPECT_EQ(record.fields, (std::vector<std::string_view>{"ok", "1"}));
    EXPECT_FALSE(reader.next(record));
    EXPECT_EQ(buffer.produced(), size);
}

TEST(LineReader, Skips30MegabytesWithoutHoldingThem) {
    LongRecordBuffer buffer(30u << 20);
    std::istream in(&buffer);
    LineReader reader(in, "long.jsonl", 16 << 20, 64 * 1024);
    Line line;
    ASSERT_TRUE(reader.next(line));
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.number, 2);
    EXPECT_EQ(line.error, "line is longer than 16777216 bytes");
    EXPECT_EQ(line.text.size(), 2000u);
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.number, 3);
    EXPECT_EQ(line.text, "ok,1");
    EXPECT_FALSE(reader.next(line));
}

/// Gives `good` bytes, then fails.
class FailingBuffer : public std::streambuf {
public:
    explicit FailingBuffer(std::string good) : m_good(std::move(good)) {}

protected:
    int_type underflow() override {
        if (!m_given) {
            m_given = true;
            setg(m_good.data(), m_good.data(), m_good.data() + m_good.size());
            return traits_type::to_int_type(*gptr());
        }
        throw std::runtime_error("disk on fire");
    }

private:
    std::string m_good;
    bool m_given = false;
};

TEST(CsvReader, ThrowsOnlyWhenTheStreamFails) {
    FailingBuffer buffer("id,x\n1,a\n");
    std::istream in(&buffer);
    CsvReader reader(in, "bad.csv");
    CsvRecord record;
    EXPECT_EQ(message_of<IoError>([&] { reader.next(record); }),
              "cannot read bad.csv near line 1: the stream reported an error");

    std::ifstream missing("/nonexistent/waymark/episodes.csv");
    CsvReader closed(missing, "/nonexistent/waymark/episodes.csv");
    EXPECT_EQ(message_of<IoError>([&] { closed.next(record); }),
              "cannot read /nonexistent/waymark/episodes.csv: the stream is not readable");
}

// -------------------------------------------------------------- JSON Lines

struct L {
    std::int64_t number;
    std::string text;
    std::string error;
    bool operator==(const L&) const = default;
};

std::ostream& operator<<(std::ostream& out, const L& line) {
    return out << "{" << line.number << " '" << line.text << "' '" << line.error << "'}";
}

std::vector<L> read_lines_with(const std::string& text, std::size_t max, std::size_t read_bytes) {
    std::istringstream in(text);
    LineReader reader(in, "test.jsonl", max, read_bytes);
    std::vector<L> lines;
    Line line;
    while (reader.next(line)) {
        lines.push_back({line.number, std::string(line.text), line.error});
    }
    return lines;
}

std::vector<L> read_lines(const std::string& text, std::size_t max = 16) {
    auto lines = read_lines_with(text, max, 1 << 20);
    EXPECT_EQ(read_lines_with(text, max, 1), lines) << "read one byte at a time";
    return lines;
}

TEST(LineReader, ReadsLinesAndKeepsBlankOnes) {
    EXPECT_EQ(
        read_lines("\xEF\xBB\xBF{\"a\":1}\r\n\n{\"b\":2}\n\r\n{}"),
        (std::vector<L>{
            {1, "{\"a\":1}", ""}, {2, "", ""}, {3, "{\"b\":2}", ""}, {4, "", ""}, {5, "{}", ""}}));
    EXPECT_TRUE(read_lines("").empty());
    EXPECT_EQ(read_lines("\n"), (std::vector<L>{{1, "", ""}}));
    EXPECT_EQ(read_lines("a\rb\n"), (std::vector<L>{{1, "a\rb", ""}}));
}

TEST(LineReader, ReportsLongLinesAndInvalidUtf8ThenCarriesOn) {
    const auto lines = read_lines("ok\n" + std::string(40, 'x') +
                                  "\r\nR\xC3\xA9nee\nRen\xE9"
                                  "e\nlast");
    EXPECT_EQ(lines, (std::vector<L>{{1, "ok", ""},
                                     {2, std::string(40, 'x'), "line is longer than 16 bytes"},
                                     {3, "R\u00E9nee", ""},
                                     {4,
                                      "Ren\xE9"
                                      "e",
                                      "invalid UTF-8 at byte 3"},
                                     {5, "last", ""}}));
    EXPECT_EQ(read_lines(std::string(17, 'y'))[0].error, "line is longer than 16 bytes");
    EXPECT_EQ(read_lines(std::string(16, 'y') + "\r\n")[0].error, "");
}

TEST(LineReader, DecodesWindows1252AndNamesTheKindOfEachProblem) {
    std::istringstream in("{\"a\": \"caf\xE9 \x80\"}\r\n"
                          "{\"b\": \"x\x8Fy\"}\n" +
                          std::string(40, 'z') + "\n\xEF\xBB\xBF\n");
    LineReader reader(in, "test.jsonl", 16 << 10, 1, Encoding::windows_1252);
    Line line;
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.text, "{\"a\": \"caf\u00E9 \u20AC\"}");
    EXPECT_EQ(line.problem, ReadProblem::none);
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.error, "byte 0x8F at byte 8 is not defined in windows-1252");
    EXPECT_EQ(line.problem, ReadProblem::encoding);
    EXPECT_EQ(line.text, "{\"b\": \"x\x8Fy\"}") << "the raw bytes, for quarantine";
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.problem, ReadProblem::none);
    // Not a byte order mark here: three Windows-1252 characters.
    ASSERT_TRUE(reader.next(line));
    EXPECT_EQ(line.text, "\u00EF\u00BB\u00BF");

    std::istringstream utf8("Ren\xE9"
                            "e\n" +
                            std::string(40, 'z') + "\n");
    LineReader strict(utf8, "test.jsonl", 16);
    ASSERT_TRUE(strict.next(line));
    EXPECT_EQ(line.problem, ReadProblem::encoding);
    ASSERT_TRUE(strict.next(line));
    EXPECT_EQ(line.problem, ReadProblem::too_long);
}

TEST(LineReader, ThrowsOnlyWhenTheStreamFails) {
    FailingBuffer buffer("{}\n");
    std::istream in(&buffer);
    LineReader reader(in, "bad.jsonl");
    Line line;
    EXPECT_EQ(message_of<IoError>([&] { reader.next(line); }),
              "cannot read bad.jsonl near line 1: the stream reported an error");
}

// ------------------------------------------------- the generator's dirty set

class DirtyFiles : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new TempDir;
        const auto world = synth::build_world({.scale = synth::Scale::small, .seed = 7});
        s_defects = new std::vector<synth::DirtyDefect>(
            synth::write_dirty_files(world, s_dir->path() / "dirty"));
    }
    static void TearDownTestSuite() {
        delete s_defects;
        delete s_dir;
    }

    static std::vector<synth::DirtyDefect> defects_of(const std::string& file) {
        std::vector<synth::DirtyDefect> found;
        for (const auto& defect : *s_defects) {
            if (defect.file == file) {
                found.push_back(defect);
            }
        }
        return found;
    }

    static std::string path_of(const std::string& file) { return (s_dir->path() / file).string(); }

    static TempDir* s_dir;
    static std::vector<synth::DirtyDefect>* s_defects;
};

TempDir* DirtyFiles::s_dir = nullptr;
std::vector<synth::DirtyDefect>* DirtyFiles::s_defects = nullptr;

/// Reads a dirty CSV and checks it against the truth. A malformed_row with the
/// wrong number of fields is no reader error (the reader knows no header): it
/// must come out as one record with exactly that many fields.
void check_dirty_csv(const std::string& file, const std::string& path,
                     const std::vector<synth::DirtyDefect>& defects) {
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path;
    CsvReader reader(in, path);
    std::map<std::int64_t, Rec> by_line;
    CsvRecord record;
    while (reader.next(record)) {
        by_line[record.line] = {
            record.line, std::vector<std::string>(record.fields.begin(), record.fields.end()),
            record.error, std::string(record.raw)};
    }
    ASSERT_FALSE(by_line.empty());
    const std::size_t columns = by_line.begin()->second.fields.size();
    EXPECT_GT(by_line.size(), 10u) << file;

    std::map<std::int64_t, const synth::DirtyDefect*> bad_lines;
    int checked = 0;
    for (const auto& defect : defects) {
        SCOPED_TRACE(file + ":" + std::to_string(defect.line) + " " + defect.defect + ": " +
                     defect.detail);
        const auto it = by_line.find(defect.line);
        ASSERT_NE(it, by_line.end()) << "no record starts at the defect's line";
        const Rec& rec = it->second;
        if (defect.defect == "encoding_error") {
            EXPECT_TRUE(rec.error.starts_with("invalid UTF-8 in field ")) << rec.error;
            bad_lines[defect.line] = &defect;
            ++checked;
        } else if (defect.defect == "malformed_row") {
            const auto where = defect.detail.find(" fields where the header has ");
            if (where != std::string::npos) {
                EXPECT_EQ(rec.error, "");
                EXPECT_EQ(rec.fields.size(), std::stoul(defect.detail.substr(0, where)));
                EXPECT_NE(rec.fields.size(), columns);
            } else {
                EXPECT_EQ(rec.error, "unterminated quoted field starting at line " +
                                         std::to_string(defect.line));
                EXPECT_EQ(std::prev(by_line.end())->first, defect.line)
                    << "it swallows the rest of the file";
                bad_lines[defect.line] = &defect;
            }
            ++checked;
        } else if (defect.defect.starts_with("legal_")) {
            EXPECT_EQ(rec.error, "");
            EXPECT_EQ(rec.fields.size(), columns);
            ++checked;
        }
    }
    EXPECT_GT(checked, 0);
    for (const auto& [line, rec] : by_line) {
        if (!bad_lines.contains(line)) {
            EXPECT_EQ(rec.error, "") << file << ":" << line;
        } else {
            EXPECT_NE(rec.error, "") << file << ":" << line;
        }
    }
}

TEST_F(DirtyFiles, EveryReaderLevelDefectOfTheCsvFilesIsCaughtAtItsLine) {
    for (const std::string file :
         {"dirty/episodes.csv", "dirty/persons.csv", "dirty/gazetteer.csv"}) {
        check_dirty_csv(file, path_of(file), defects_of(file));
    }
    // The defects these files must hold for the test above to mean anything.
    const auto episodes = defects_of("dirty/episodes.csv");
    for (const std::string code :
         {"malformed_row", "encoding_error", "legal_bom", "legal_crlf", "legal_quoted_newline"}) {
        EXPECT_TRUE(std::any_of(episodes.begin(), episodes.end(), [&](const auto& defect) {
            return defect.defect == code;
        })) << code;
    }
}

TEST_F(DirtyFiles, EveryReaderLevelDefectOfTheJsonLinesFilesIsCaughtAtItsLine) {
    for (const std::string file : {"dirty/rhi.jsonl", "dirty/cpi.jsonl"}) {
        std::ifstream in(path_of(file), std::ios::binary);
        ASSERT_TRUE(in) << file;
        LineReader reader(in, file);
        std::map<std::int64_t, L> lines;
        Line line;
        while (reader.next(line)) {
            lines[line.number] = {line.number, std::string(line.text), line.error};
        }
        std::map<std::int64_t, std::string> expected_errors;
        for (const auto& defect : defects_of(file)) {
            SCOPED_TRACE(file + ":" + std::to_string(defect.line) + " " + defect.defect);
            ASSERT_TRUE(lines.contains(defect.line));
            if (defect.defect == "encoding_error") {
                expected_errors[defect.line] = "invalid UTF-8";
            } else if (defect.defect == "legal_blank_line") {
                EXPECT_EQ(lines[defect.line].text, "");
            }
        }
        for (const auto& [number, got] : lines) {
            if (expected_errors.contains(number)) {
                EXPECT_TRUE(got.error.starts_with("invalid UTF-8 at byte "))
                    << file << ":" << number;
            } else {
                EXPECT_EQ(got.error, "") << file << ":" << number;
            }
        }
    }
}

} // namespace
} // namespace waymark::importers
