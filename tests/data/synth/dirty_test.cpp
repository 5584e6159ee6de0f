// The --dirty set: every planted defect is listed at a true physical line,
// every code is planted at least twice, the legal oddities are where they say,
// and the same world gives the same bytes.

#include "data/synth/dirty.hpp"
#include "data/synth/world.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace waymark::synth {
namespace {

namespace fs = std::filesystem;
using waymark::testing::TempDir;

const World& world() {
    static const World w = build_world({.scale = Scale::small, .seed = 7});
    return w;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The physical lines of a file, split at LF (a CR before it stays).
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        if (end == std::string::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

const std::vector<std::string> file_names = {
    "dirty/episodes.csv", "dirty/episodes_extra_column.csv",
    "dirty/rhi.jsonl",    "dirty/cpi.jsonl",
    "dirty/persons.csv",  "dirty/gazetteer.csv",
};

/// The codes each file must carry at least twice (once for unknown_column and
/// legal_bom, which are properties of line 1).
const std::map<std::string, std::vector<std::string>> expected_codes = {
    {"dirty/episodes.csv",
     {"bad_date", "return_before_report", "unknown_code", "bad_boolean", "malformed_row",
      "missing_required", "swapped_lat_lon", "off_grid", "duplicate_id", "unresolvable_postcode",
      "over_long_field", "encoding_error", "negative_age", "age_out_of_range", "legal_crlf",
      "legal_quoted_newline", "legal_quoted_comma"}},
    {"dirty/rhi.jsonl",
     {"malformed_json", "unknown_code", "bad_date", "unknown_episode", "conducted_before_return",
      "duplicate_id", "encoding_error", "over_long_field", "wrong_type", "legal_blank_line"}},
    {"dirty/cpi.jsonl",
     {"malformed_json", "unknown_code", "bad_date", "duplicate_id", "swapped_lat_lon", "off_grid",
      "over_long_field", "encoding_error"}},
    {"dirty/persons.csv",
     {"unknown_code", "bad_date", "duplicate_id", "malformed_row", "encoding_error"}},
    {"dirty/gazetteer.csv",
     {"unknown_code", "off_grid", "bad_number", "duplicate_id", "swapped_lat_lon",
      "malformed_row"}},
};

class DirtyFiles : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new TempDir();
        s_defects =
            new std::vector<DirtyDefect>(write_dirty_files(world(), s_dir->path() / "dirty"));
    }
    static void TearDownTestSuite() {
        delete s_defects;
        delete s_dir;
        s_defects = nullptr;
        s_dir = nullptr;
    }

    static std::string text(const std::string& name) { return read_file(s_dir->path() / name); }
    static const std::vector<DirtyDefect>& defects() { return *s_defects; }

    static TempDir* s_dir;
    static std::vector<DirtyDefect>* s_defects;
};

TempDir* DirtyFiles::s_dir = nullptr;
std::vector<DirtyDefect>* DirtyFiles::s_defects = nullptr;

TEST_F(DirtyFiles, EveryFileExistsAndIsNotEmpty) {
    for (const auto& name : file_names) {
        const fs::path path = s_dir->path() / name;
        ASSERT_TRUE(fs::exists(path)) << name;
        EXPECT_GT(fs::file_size(path), 100U) << name;
    }
}

TEST_F(DirtyFiles, FilesAreModestCopies) {
    EXPECT_LT(lines_of(text("dirty/episodes.csv")).size(), 400U);
    EXPECT_LT(lines_of(text("dirty/cpi.jsonl")).size(), 100U);
    EXPECT_GT(lines_of(text("dirty/rhi.jsonl")).size(), 100U);
    EXPECT_GT(lines_of(text("dirty/gazetteer.csv")).size(), 20U);
    EXPECT_GT(lines_of(text("dirty/persons.csv")).size(), 20U);
}

TEST_F(DirtyFiles, EveryDefectIsAtATruePhysicalLine) {
    std::map<std::string, std::vector<std::string>> lines;
    for (const auto& name : file_names) {
        lines[name] = lines_of(text(name));
    }
    for (const DirtyDefect& d : defects()) {
        SCOPED_TRACE(d.file + ":" + std::to_string(d.line) + " " + d.defect + " " + d.record);
        ASSERT_TRUE(lines.contains(d.file));
        const auto& file = lines[d.file];
        ASSERT_GE(d.line, 1);
        ASSERT_LE(static_cast<std::size_t>(d.line), file.size());
        const std::string& line = file[static_cast<std::size_t>(d.line - 1)];
        EXPECT_FALSE(d.detail.empty());
        if (d.defect == "legal_bom") {
            EXPECT_EQ(d.line, 1);
            EXPECT_TRUE(line.starts_with("\xEF\xBB\xBF"
                                         "episode_id,"));
        } else if (d.defect == "legal_blank_line") {
            EXPECT_TRUE(line.empty());
        } else if (d.defect == "unknown_column") {
            EXPECT_EQ(d.line, 1);
            EXPECT_NE(line.find(",beat,"), std::string::npos);
        } else {
            ASSERT_FALSE(d.record.empty());
            // The record's id is the line's first field or member.
            if (d.file.ends_with(".csv")) {
                EXPECT_TRUE(line.starts_with(d.record + ",")) << line.substr(0, 80);
            } else {
                EXPECT_NE(line.find("\"" + d.record + "\""), std::string::npos)
                    << line.substr(0, 80);
            }
        }
    }
}

TEST_F(DirtyFiles, TheOffendingValuesAreOnTheirLines) {
    std::map<std::string, std::vector<std::string>> lines;
    for (const auto& name : file_names) {
        lines[name] = lines_of(text(name));
    }
    const auto line_of = [&](const DirtyDefect& d) -> const std::string& {
        return lines[d.file][static_cast<std::size_t>(d.line - 1)];
    };
    const auto has = [](const std::string& line, std::string_view value) {
        return line.find(value) != std::string::npos;
    };
    for (const DirtyDefect& d : defects()) {
        SCOPED_TRACE(d.file + ":" + std::to_string(d.line) + " " + d.defect);
        const std::string& line = line_of(d);
        if (d.defect == "encoding_error") {
            EXPECT_TRUE(has(line, "\xFF\xFE") || has(line, "\xE9"));
        } else if (d.defect == "over_long_field") {
            EXPECT_GT(line.size(), 5000U);
        } else if (d.defect == "legal_crlf") {
            EXPECT_TRUE(line.ends_with("\r"));
        } else if (d.defect == "legal_quoted_newline") {
            // The quoted field opens on this line and closes on the next.
            EXPECT_EQ(std::count(line.begin(), line.end(), '"') % 2, 1);
        } else if (d.defect == "legal_quoted_comma") {
            EXPECT_TRUE(has(line, "\"\""));
        } else if (d.file == "dirty/episodes.csv" && d.defect == "unknown_code") {
            EXPECT_TRUE(has(line, ",fostr_care,") || has(line, ",severe,") || has(line, ",Q,"));
        } else if (d.file == "dirty/episodes.csv" && d.defect == "bad_boolean") {
            EXPECT_TRUE(has(line, ",yes,") || has(line, ",maybe,"));
        } else if (d.file == "dirty/episodes.csv" && d.defect == "unresolvable_postcode") {
            EXPECT_TRUE(has(line, ",ZZ0 0ZZ,") || has(line, ",1ZZ ZZ9,"));
        } else if (d.defect == "negative_age") {
            EXPECT_TRUE(has(line, ",-1,") || has(line, ",-3,"));
        } else if (d.defect == "age_out_of_range") {
            EXPECT_TRUE(has(line, ",42,") || has(line, ",99,"));
        } else if (d.file == "dirty/rhi.jsonl" && d.defect == "unknown_code") {
            EXPECT_TRUE(has(line, "\"done\"") || has(line, "\"boredom\"") ||
                        has(line, "\"stayed\""));
        } else if (d.file == "dirty/rhi.jsonl" && d.defect == "wrong_type") {
            EXPECT_TRUE(has(line, "\"consent_to_share\":\"yes\"") || has(line, "\"places\":{"));
        } else if (d.file == "dirty/cpi.jsonl" && d.defect == "unknown_code") {
            EXPECT_TRUE(has(line, "\"source\":\"4\"") || has(line, "\"intelligence\":\"F\"") ||
                        has(line, "\"handling\":\"X\"") || has(line, "\"role\":\"boss\""));
        } else if (d.file == "dirty/gazetteer.csv" && d.defect == "unknown_code") {
            EXPECT_TRUE(has(line, ",street,") || has(line, ",building,"));
        } else if (d.file == "dirty/gazetteer.csv" && d.defect == "bad_number") {
            EXPECT_TRUE(has(line, ",abc,") || has(line, "O"));
        } else if (d.defect == "swapped_lat_lon" || d.defect == "off_grid") {
            EXPECT_TRUE(has(line, "2000000") || has(line, ",52.") || has(line, ":52.") ||
                        has(line, "4326") || has(line, ",1.9") || has(line, ":1.9"))
                << line;
        } else if (d.defect == "malformed_json") {
            EXPECT_TRUE(!line.ends_with("}") || line.ends_with(",}"));
        }
    }
}

TEST_F(DirtyFiles, EveryCodeIsPlantedAtLeastTwice) {
    std::map<std::pair<std::string, std::string>, int> count;
    for (const DirtyDefect& d : defects()) {
        ++count[{d.file, d.defect}];
    }
    for (const auto& [file, codes] : expected_codes) {
        for (const auto& code : codes) {
            EXPECT_GE((count[{file, code}]), 2) << file << " " << code;
        }
    }
    EXPECT_EQ((count[{"dirty/episodes.csv", "legal_bom"}]), 1);
    EXPECT_EQ((count[{"dirty/episodes_extra_column.csv", "unknown_column"}]), 1);
    // No code outside the contract.
    for (const auto& [key, n] : count) {
        const auto& [file, code] = key;
        if (code == "legal_bom" || code == "unknown_column") {
            continue;
        }
        ASSERT_TRUE(expected_codes.contains(file)) << file;
        const auto& codes = expected_codes.at(file);
        EXPECT_NE(std::find(codes.begin(), codes.end(), code), codes.end()) << file << " " << code;
    }
}

TEST_F(DirtyFiles, DefectsAreSpreadThroughEachFile) {
    std::map<std::string, std::vector<std::int64_t>> by_file;
    for (const DirtyDefect& d : defects()) {
        by_file[d.file].push_back(d.line);
    }
    for (const auto& [file, lines_at] : by_file) {
        if (file == "dirty/episodes_extra_column.csv") {
            continue;
        }
        const auto total = static_cast<std::int64_t>(lines_of(text(file)).size());
        const auto [low, high] = std::minmax_element(lines_at.begin(), lines_at.end());
        EXPECT_LT(*low, total / 4) << file;
        EXPECT_GT(*high, total * 3 / 4) << file;
    }
}

TEST_F(DirtyFiles, DefectsAreSortedByFileThenLine) {
    EXPECT_TRUE(std::is_sorted(defects().begin(), defects().end(),
                               [](const DirtyDefect& a, const DirtyDefect& b) {
                                   return std::tie(a.file, a.line) < std::tie(b.file, b.line);
                               }));
    // One defect per line.
    std::set<std::pair<std::string, std::int64_t>> seen;
    for (const DirtyDefect& d : defects()) {
        EXPECT_TRUE(seen.insert({d.file, d.line}).second) << d.file << ":" << d.line;
    }
}

TEST_F(DirtyFiles, TheUnterminatedQuoteIsTheLastRecordWithAQuote) {
    const auto lines = lines_of(text("dirty/episodes.csv"));
    const auto it = std::find_if(defects().begin(), defects().end(), [](const DirtyDefect& d) {
        return d.file == "dirty/episodes.csv" && d.detail.find("never closed") != std::string::npos;
    });
    ASSERT_NE(it, defects().end());
    EXPECT_EQ(it->defect, "malformed_row");
    const auto at = static_cast<std::size_t>(it->line);
    EXPECT_EQ(std::count(lines[at - 1].begin(), lines[at - 1].end(), '"'), 1);
    EXPECT_GT(lines.size(), at); // something follows to be swallowed
    for (std::size_t i = at; i < lines.size(); ++i) {
        EXPECT_EQ(lines[i].find('"'), std::string::npos) << "line " << i + 1;
    }
    // No defect comes after it.
    for (const DirtyDefect& d : defects()) {
        if (d.file == "dirty/episodes.csv") {
            EXPECT_LE(d.line, it->line);
        }
    }
}

TEST_F(DirtyFiles, CleanEpisodeRowsHaveTheHeadersFieldCount) {
    // Outside the planted lines, every episode row is one physical line of
    // the header's field count (apart from the quoted-newline rows).
    const auto lines = lines_of(text("dirty/episodes.csv"));
    std::set<std::size_t> planted;
    for (const DirtyDefect& d : defects()) {
        if (d.file == "dirty/episodes.csv") {
            planted.insert(static_cast<std::size_t>(d.line));
            if (d.defect == "legal_quoted_newline") {
                planted.insert(static_cast<std::size_t>(d.line) + 1);
            }
        }
    }
    const auto header_fields = std::count(lines[0].begin(), lines[0].end(), ',');
    const std::size_t last_planted = *planted.rbegin();
    for (std::size_t n = 2; n < last_planted; ++n) {
        if (planted.contains(n)) {
            continue;
        }
        const std::string& line = lines[n - 1];
        if (line.find('"') != std::string::npos) {
            continue; // a label with a comma, quoted
        }
        EXPECT_EQ(std::count(line.begin(), line.end(), ','), header_fields) << "line " << n;
        EXPECT_FALSE(line.ends_with("\r")) << "line " << n;
    }
}

TEST_F(DirtyFiles, TheExtraColumnFileKeepsItsRowsWhole) {
    const auto lines = lines_of(text("dirty/episodes_extra_column.csv"));
    ASSERT_GE(lines.size(), 3U);
    const auto header_fields = std::count(lines[0].begin(), lines[0].end(), ',');
    for (std::size_t n = 1; n < lines.size(); ++n) {
        if (lines[n].find('"') == std::string::npos) {
            EXPECT_EQ(std::count(lines[n].begin(), lines[n].end(), ','), header_fields);
        }
    }
}

TEST_F(DirtyFiles, TwoRunsGiveTheSameBytes) {
    TempDir other;
    const auto again = write_dirty_files(world(), other.path() / "dirty");
    ASSERT_EQ(again.size(), defects().size());
    for (std::size_t i = 0; i < again.size(); ++i) {
        EXPECT_EQ(std::tie(again[i].file, again[i].line, again[i].record, again[i].defect,
                           again[i].detail),
                  std::tie(defects()[i].file, defects()[i].line, defects()[i].record,
                           defects()[i].defect, defects()[i].detail));
    }
    for (const auto& name : file_names) {
        EXPECT_EQ(read_file(other.path() / name), text(name)) << name;
    }
}

TEST_F(DirtyFiles, AnotherSeedGivesOtherFiles) {
    TempDir other;
    const World seven_more = build_world({.scale = Scale::small, .seed = 14});
    write_dirty_files(seven_more, other.path() / "dirty");
    EXPECT_NE(read_file(other.path() / "dirty/episodes.csv"), text("dirty/episodes.csv"));
}

} // namespace
} // namespace waymark::synth
