#include "tests/fuzz/seeds.hpp"

#include "data/synth/dirty.hpp"
#include "data/synth/world.hpp"

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string_view>

namespace waymark::fuzz {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// Small inputs from a CSV file: the header with a few physical lines each
// (a quoted field over several lines may be cut: a seed need not be valid).
std::vector<std::string> csv_pieces(const std::string& text, std::size_t rows_per_piece) {
    const std::vector<std::string> lines = lines_of(text);
    std::vector<std::string> pieces;
    for (std::size_t first = 1; first < lines.size(); first += rows_per_piece) {
        std::string piece = lines.front() + "\n";
        for (std::size_t i = first; i < lines.size() && i < first + rows_per_piece; ++i) {
            piece += lines[i] + "\n";
        }
        pieces.push_back(std::move(piece));
    }
    return pieces;
}

// Small inputs from a JSON Lines file: a few lines each.
std::vector<std::string> jsonl_pieces(const std::string& text, std::size_t lines_per_piece) {
    const std::vector<std::string> lines = lines_of(text);
    std::vector<std::string> pieces;
    for (std::size_t first = 0; first < lines.size(); first += lines_per_piece) {
        std::string piece;
        for (std::size_t i = first; i < lines.size() && i < first + lines_per_piece; ++i) {
            piece += lines[i] + "\n";
        }
        pieces.push_back(std::move(piece));
    }
    return pieces;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

std::string nested(std::size_t depth, std::string_view open, std::string_view close) {
    std::string text;
    for (std::size_t i = 0; i < depth; ++i) {
        text += open;
    }
    for (std::size_t i = 0; i < depth; ++i) {
        text += close;
    }
    return text;
}

} // namespace

const std::vector<std::string>& targets() {
    static const std::vector<std::string> names = {
        "csv_reader", "line_reader", "episodes",    "persons",       "gazetteer",
        "rhi",        "cpi",         "import_spec", "area_settings", "viewer_query"};
    return names;
}

std::vector<std::string> nasty_inputs() {
    std::vector<std::string> inputs = {
        "",
        "\n",
        "\r",
        "\r\n\r\n",
        "\"",
        "\"\"",
        "\"\"\"",
        "\"\n",
        "\"a\"\"",
        "\"a\"b\"c\"\n\"",
        "a\"b\"c,\"d",
        ",,,,,,,,,,",
        ";;;\"\";\"\"\"\";",
        "\xEF\xBB\xBF",
        "\xEF\xBB",
        "\xEF\xBB\xBF\xEF\xBB\xBF\n",
        "\xFF\xFE\x00\x00",
        "\x81\x8D\x8F\x90\x9D,\x80\n",
        "\xC0\xAF,\xED\xA0\x80,\xF4\x90\x80\x80,\xE2\x82\n",
        "a\rb\rc\r",
        "\"a\r\"\r\n\"b\r\n",
        std::string("nul\0,field\0\n", 13),
        "{\"a\": [1, 2, 3]}\n{\"b\": \"\\u00e9\"}\n\n{",
        "{}",
        "[]",
        "null",
        "{\"a\":1,\"a\":2}",
        "{\"\\ud800\":\"\\udfff\"}",
        "1e999999",
        "-0",
        nested(40, "[", "]"),
        nested(40, "{\"a\":", "}"),
        nested(5000, "[", "]"),
        "{\"x\":" + nested(5000, "[", "]") + "}",
    };
    // Records and lines around the limits (64 and 8 bytes in the reader
    // entry points), quoted and not, with and without CR.
    for (const std::size_t size : {7, 8, 9, 62, 63, 64, 65, 66, 2100}) {
        const std::string run(size, 'x');
        inputs.push_back(run + "\nafter\n");
        inputs.push_back(run + "\r\nafter\r\n");
        inputs.push_back("\"" + run + "\"\r\nafter");
        inputs.push_back("\"" + run + "\n" + run + "\",\"\n");
        inputs.push_back(run + "\r");
    }
    return inputs;
}

std::vector<std::string> nasty_inputs(const std::string& target) {
    std::vector<std::string> inputs;
    if (target == "viewer_query") {
        inputs = {"since=2024-01-01&until=2023-01-01",
                  "since=2024-02-30",
                  "setting=,,,&risk=%2C",
                  "role=from,found&role=visited",
                  "looked_after=%00",
                  "%",
                  "%%%",
                  "%G0=1",
                  "=&=&",
                  "indicator=cse,cce,cse",
                  "setting=" + std::string(1025, 'a'),
                  "since=9999-12-31&until=0000-01-01"};
    } else if (target == "import_spec") {
        inputs = {"{\"kind\":\"episodes\",\"delimiter\":\"\"}",
                  "{\"kind\":\"episodes\",\"datetime_formats\":[\"%\"]}",
                  "{\"kind\":\"episodes\",\"datetime_formats\":[\"%d/%m/%Y %H:%M\"]}",
                  "{\"kind\":\"rhi\",\"values\":{\"risk_grade\":{\"\":\"\"}}}",
                  "{\"kind\":\"episodes\",\"columns\":{\"episode_id\":\"id\",\"child_id\":\"id\"}}",
                  "{\"kind\":\"episodes\",\"encoding\":\"WINDOWS-1252\"}"};
    } else if (target == "area_settings") {
        inputs = {"{\"working_crs\":4326}",
                  "{\"working_crs\":1e308}",
                  "{\"time_zone\":\"\"}",
                  "{\"time_zone\":\"../../etc/passwd\"}",
                  "{\"extent\":[1,2,3]}",
                  "{\"extent\":[1e308,-1e308,1e308,1e308]}",
                  "{\"triggers\":{\"repeat_episodes\":-1}}",
                  "{\"triggers\":{\"triggers\":{}}}"};
    } else if (target == "rhi" || target == "cpi") {
        inputs = {"{\"rhi_id\":\"r\",\"notes\":{\"a\":" + nested(5000, "[", "]") + "}}",
                  "{\"cpi_id\":\"c\",\"with\":[" + nested(3000, "{\"a\":", "}") + "]}",
                  "{\"rhi_id\":1e400}",
                  "{\"cpi_id\":\"c\",\"reported_at\":\"2024-03-31T01:30:00\"}"};
    }
    return inputs;
}

std::map<std::string, std::vector<std::string>> seed_inputs(const fs::path& source_dir,
                                                            const fs::path& scratch) {
    const auto world = synth::build_world({.scale = synth::Scale::small, .seed = 3});
    synth::write_dirty_files(world, scratch);
    std::map<std::string, std::vector<std::string>> seeds;
    for (const auto& entry : fs::directory_iterator(scratch)) {
        const std::string text = read_file(entry.path());
        const std::string name = entry.path().stem().string();
        const bool csv = entry.path().extension() == ".csv";
        const std::vector<std::string> pieces = csv ? csv_pieces(text, 4) : jsonl_pieces(text, 3);
        append(seeds[csv ? "csv_reader" : "line_reader"], pieces);
        if (name.starts_with("episodes")) {
            append(seeds["episodes"], pieces);
        } else if (name == "persons" || name == "gazetteer" || name == "rhi" || name == "cpi") {
            append(seeds[name], pieces);
        }
    }
    for (const auto& entry : fs::directory_iterator(source_dir / "data" / "specs")) {
        seeds["import_spec"].push_back(read_file(entry.path()));
    }
    for (const auto& entry : fs::directory_iterator(source_dir / "data" / "areas")) {
        seeds["area_settings"].push_back(read_file(entry.path()));
    }
    seeds["viewer_query"] = {"", "since=2024-01-01&until=2024-12-31",
                             "setting=home,street&risk=high,medium&role=found",
                             "looked_after=yes&indicator=cse", "count=children&role=all&focus=c1"};
    for (const std::string& target : targets()) {
        append(seeds[target], nasty_inputs());
        append(seeds[target], nasty_inputs(target));
    }
    return seeds;
}

} // namespace waymark::fuzz
