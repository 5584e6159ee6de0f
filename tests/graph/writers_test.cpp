#include "base/error.hpp"
#include "graph/writers.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

// Each format is written to a temporary directory and read back by an
// independent reader: NetworkX for GEXF and GraphML, xml.etree and a checker
// of i2's chart structure for ANX, Python's csv module for CSV
// (tests/graph/reference/writers_*.py). The scripts report what they read as
// JSON, compared here with the document.

namespace waymark::graph {
namespace {

using nlohmann::json;
using waymark::testing::message_of;
using waymark::testing::read_file;
using waymark::testing::TempDir;

constexpr const char* python = "/usr/bin/python3";

#define FFFD "\xEF\xBF\xBD" // U+FFFD in UTF-8

// ---- running the reference scripts ------------------------------------------

struct ScriptRun {
    int status = 0;     ///< 0: the script succeeded
    std::string errors; ///< its stderr
};

ScriptRun run_script(const std::string& script, const std::string& arguments, const TempDir& dir) {
    if (!std::filesystem::exists(python)) {
        return {1,
                std::string(python) + " is missing: `make test` installs it with python3-networkx"};
    }
    const std::string errors = dir.file(script + ".stderr");
    const std::string command = std::string(python) + " '" + WAYMARK_SOURCE_DIR +
                                "/tests/graph/reference/" + script + "' " + arguments + " 2>'" +
                                errors + "'";
    const int status = std::system(command.c_str());
    return {status, read_file(errors)};
}

/// Runs a script that must succeed and returns the JSON it wrote to `out`;
/// fails the test (with the script's stderr) otherwise.
json reference(const std::string& script, const std::string& arguments, const TempDir& dir) {
    const std::string out = dir.file(script + ".json");
    const ScriptRun run = run_script(script, arguments + " --out '" + out + "'", dir);
    if (run.status != 0) {
        ADD_FAILURE() << script << " failed (`make test` installs python3-networkx for " << python
                      << "):\n"
                      << run.errors;
        return json();
    }
    return json::parse(read_file(out));
}

using Writer = void (*)(const GraphDocument&, std::ostream&);

std::string write_file(const TempDir& dir, const std::string& name, Writer writer,
                       const GraphDocument& document) {
    const std::string path = dir.file(name);
    std::ofstream out(path, std::ios::binary);
    writer(document, out);
    return path;
}

// ---- the documents ----------------------------------------------------------

// Strings a writer must survive, with what must come back: control characters
// XML 1.0 forbids and invalid UTF-8 become U+FFFD (one per maximal ill-formed
// subsequence, as Python's errors="replace" counts), everything else is kept.
const std::string control_raw = "ctrl\x01\x02\x7F tab\there\nnewline\r\ncrlf\x1F";
const std::string control_clean = "ctrl" FFFD FFFD "\x7F tab\there\nnewline\r\ncrlf" FFFD;
const std::string utf8_raw = "bad utf8 \xC3\x28 \xE2\x82 \xF0\x9F\x92 end \xFF\xFE "
                             "\xED\xA0\x80 \xEF\xBF\xBE";
const std::string utf8_clean =
    "bad utf8 " FFFD "( " FFFD " " FFFD " end " FFFD FFFD " " FFFD FFFD FFFD " " FFFD;
const std::string overlong_raw = "\xE0\x80\xAF|\xF4\x90\x80\x80|\xC0\xAF|ok";
const std::string overlong_clean = FFFD FFFD FFFD "|" FFFD FFFD FFFD FFFD "|" FFFD FFFD "|ok";

/// What a string reads back as.
std::string cleaned(const std::string& raw) {
    static const std::map<std::string, std::string> table = {
        {control_raw, control_clean},
        {utf8_raw, utf8_clean},
        {overlong_raw, overlong_clean},
    };
    const auto it = table.find(raw);
    return it == table.end() ? raw : it->second;
}

AttributeDef def(std::string key, std::string title, AttributeDef::Type type) {
    AttributeDef d;
    d.key = std::move(key);
    d.title = std::move(title);
    d.type = type;
    return d;
}

using T = AttributeDef::Type;
using Values = std::vector<std::optional<Value>>;

Card card(std::string summary, std::string date, std::string reference, std::string type,
          std::string source, std::string intelligence, std::string handling) {
    Card c;
    c.summary = std::move(summary);
    c.date = std::move(date);
    c.source_reference = std::move(reference);
    c.source_type = std::move(type);
    c.grade_source = std::move(source);
    c.grade_intelligence = std::move(intelligence);
    c.grade_handling = std::move(handling);
    return c;
}

DocNode node(std::string id, std::string label, std::string type, std::string icon, Colour colour,
             double size, Values values) {
    DocNode n;
    n.id = std::move(id);
    n.label = std::move(label);
    n.type = std::move(type);
    n.icon = std::move(icon);
    n.colour = colour;
    n.size = size;
    n.values = std::move(values);
    return n;
}

DocEdge edge(std::string id, std::string source, std::string target, std::string type,
             std::string label, double weight, std::string strength, Colour colour, Values values,
             std::vector<Card> cards) {
    DocEdge e;
    e.id = std::move(id);
    e.source = std::move(source);
    e.target = std::move(target);
    e.type = std::move(type);
    e.label = std::move(label);
    e.weight = weight;
    e.strength = std::move(strength);
    e.colour = colour;
    e.values = std::move(values);
    e.cards = std::move(cards);
    return e;
}

Value text(const char* value) {
    return Value(std::string(value));
}
Value text(const std::string& value) {
    return Value(value);
}
Value integer(std::int64_t value) {
    return Value(value);
}
Value real(double value) {
    return Value(value);
}
Value flag(bool value) {
    return Value(value);
}

/// Every kind of value, nasty text everywhere, parallel edges (a
/// multigraph for NetworkX), a card of every shape.
GraphDocument nasty_document() {
    GraphDocument d;
    d.title = "Peer network <test> & \"quotes\"";
    d.description = "line1\r\nline2 <b>&amp;</b>\tend";
    d.creator = "Waymark 0.1.0";
    d.generated_at = "2026-03-02T10:00:00Z";
    d.metadata = {{"profile", "analyst"}, {"since", "2025-01-01"}};
    d.node_attributes = {def("degree", "Degree", T::integer),
                         def("betweenness", "Betweenness", T::real), def("note", "Note", T::text),
                         def("flagged", "Flagged", T::boolean), def("community", "", T::integer)};
    d.edge_attributes = {def("first_date", "First date", T::text),
                         def("count", "Count", T::integer), def("weak", "Weak", T::boolean),
                         def("score", "Score", T::real), def("note_e", "Note", T::text),
                         // Same title as a node attribute of another type.
                         def("flag_text", "Flagged", T::text)};
    d.nodes = {
        node("C-1", "<script>alert('x')</script>", "child", "", {255, 0, 0}, 2.5,
             {integer(3), real(0.1 + 0.2), text("a & b \"quoted\" 'single' <tag> ]]>"), flag(true),
              std::nullopt}),
        node("A-7", "=HYPERLINK(\"http://evil.example\",\"x\")", "adult", "Woman", {0, 0, 0}, 1,
             {integer(-1), real(-1.5), text("-1.5"), flag(false), integer(2)}),
        node("U-3", control_raw, "unidentified", "", {10, 20, 30}, 0,
             {integer(0), real(1e-7), text("emoji 🧒🏽 and ZWJ 👨‍👩‍👧"),
              std::nullopt, integer(0)}),
        node(
            "P-9", utf8_raw, "place", "", {1, 2, 3}, 12.75,
            {integer(1234567890123), real(12345.678), text("@SUM(A1:A2)"), flag(true), integer(1)}),
        node("V-1", "+44 7700 900123", "vehicle", "", {200, 100, 50}, 1,
             {integer(std::numeric_limits<std::int64_t>::max()), real(1e20), text("\tTAB first"),
              flag(false), std::nullopt}),
        node("C-2", "  =1+1", "child", "Girl", {0, 255, 0}, 1,
             {std::nullopt, std::nullopt, text(""), std::nullopt, std::nullopt}),
        node("E-0", "", "place", "House", {0, 0, 255}, 1,
             {integer(std::numeric_limits<std::int64_t>::min()), real(-0.000123),
              text(overlong_raw), std::nullopt, std::nullopt}),
    };
    d.edges = {
        edge("e1", "C-1", "A-7", "went_missing_with", "went missing with", 2, "confirmed",
             {0, 128, 255},
             {text("2025-01-05"), integer(2), flag(false), real(0.5), text("x<y>z"), text("-dash")},
             {card("Police record: missing with <A-7>", "2025-01-05", "E-12", "Police record", "",
                   "", ""),
              card("CPI form & \"notes\"", "2025-02-01T14:30:00Z", "I-4", "CPI form", "2", "B",
                   "P")}),
        // Parallel to e1, of another type.
        edge("e2", "A-7", "C-1", "cpi_mention", "", 1, "tentative", {255, 0, 255},
             {std::nullopt, integer(1), std::nullopt, std::nullopt, std::nullopt, std::nullopt},
             {card("", "2025-02-03T09:05:07.123456Z", "I-5", "CPI form", "3", "E", "C"),
              card(control_raw, "2025-02-04T23:59Z", "I-6", "CPI form", "1", "", "C")}),
        edge("e3", "U-3", "P-9", "found_at", "found at \"the\" place", 0.75, "unconfirmed",
             {1, 1, 1},
             {text("2024-12-31"), std::nullopt, flag(true), std::nullopt,
              text("=cmd|' /C calc'!A0"), std::nullopt},
             {card("RHI <with> & without", "", "R-1", "Return Home Interview", "1", "A", "")}),
        edge("e4", "P-9", "V-1", "associated_vehicle", utf8_raw, 1e-5, "confirmed", {0, 0, 0},
             {std::nullopt, std::nullopt, std::nullopt, real(-2.25), std::nullopt, std::nullopt},
             {}),
        edge("e5", "C-2", "C-1", "co_missing", "co-missing", 3, "confirmed", {9, 9, 9},
             {text(""), integer(-7), flag(true), real(1e300), text(control_raw), text("@x")},
             {card("Overlapping episodes", "2024-02-29", "E-1", "Police record", "", "D", "")}),
        edge("e6", "E-0", "U-3", "stayed_at", "", 1, "unconfirmed", {0, 0, 0},
             {std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
             {}),
    };
    return d;
}

/// No parallel edges: NetworkX reads it as a plain Graph.
GraphDocument simple_document() {
    GraphDocument d;
    d.title = "simple";
    d.node_attributes = {def("degree", "Degree", T::integer), def("score", "Score", T::real)};
    d.edge_attributes = {def("count", "Count", T::integer)};
    d.nodes = {node("a", "Alpha", "child", "", {1, 2, 3}, 1, {integer(1), real(0.25)}),
               node("b", "Beta", "adult", "", {4, 5, 6}, 2, {integer(2), std::nullopt}),
               node("c", "Gamma", "place", "", {7, 8, 9}, 3, {std::nullopt, real(3)})};
    d.edges = {edge("e1", "a", "b", "co_missing", "one", 1, "confirmed", {}, {integer(4)}, {}),
               edge("e2", "b", "c", "found_at", "two", 2.5, "tentative", {}, {std::nullopt}, {})};
    return d;
}

const std::string& title_of(const AttributeDef& d) {
    return d.title.empty() ? d.key : d.title;
}

// ---- comparing what NetworkX read -------------------------------------------

/// `actual` is what a reader produced for `expected`; text comes back
/// cleaned. NetworkX's GraphML reader drops data elements with empty text,
/// so an empty string is expected to be absent there (`empty_is_absent`).
void expect_value(const json& object, const std::string& name, const std::optional<Value>& value,
                  const std::string& where, bool empty_is_absent = false) {
    SCOPED_TRACE(where + ", " + name);
    const bool absent =
        !value || (empty_is_absent && value->index() == 0 && std::get<std::string>(*value).empty());
    if (absent) {
        EXPECT_FALSE(object.contains(name));
        return;
    }
    ASSERT_TRUE(object.contains(name));
    const json& actual = object.at(name);
    switch (value->index()) {
    case 0:
        ASSERT_TRUE(actual.is_string());
        EXPECT_EQ(actual.get<std::string>(), cleaned(std::get<std::string>(*value)));
        break;
    case 1:
        ASSERT_TRUE(actual.is_number_integer());
        EXPECT_EQ(actual.get<std::int64_t>(), std::get<std::int64_t>(*value));
        break;
    case 2:
        ASSERT_TRUE(actual.is_number_float());
        // Exact: the writers use round-trip precision.
        EXPECT_EQ(actual.get<double>(), std::get<double>(*value));
        break;
    default:
        ASSERT_TRUE(actual.is_boolean());
        EXPECT_EQ(actual.get<bool>(), std::get<bool>(*value));
    }
}

std::map<std::string, json> edges_by_id(const json& graph) {
    std::map<std::string, json> edges;
    for (const json& e : graph.at("edges")) {
        edges[e.at("id").get<std::string>()] = e;
    }
    return edges;
}

std::vector<std::string> ends(const DocEdge& e) {
    std::vector<std::string> out = {e.source, e.target};
    std::sort(out.begin(), out.end());
    return out;
}

void expect_gexf(const json& graph, const GraphDocument& d, bool multigraph) {
    EXPECT_FALSE(graph.at("directed").get<bool>());
    EXPECT_EQ(graph.at("multigraph").get<bool>(), multigraph);
    ASSERT_EQ(graph.at("nodes").size(), d.nodes.size());
    for (const DocNode& n : d.nodes) {
        SCOPED_TRACE("GEXF node " + n.id);
        ASSERT_TRUE(graph.at("nodes").contains(n.id));
        const json& data = graph.at("nodes").at(n.id);
        expect_value(data, "label", Value(n.label), "label");
        expect_value(data, "type", Value(n.type), "type");
        for (std::size_t i = 0; i < d.node_attributes.size(); ++i) {
            expect_value(data, title_of(d.node_attributes[i]), n.values[i], "attribute");
        }
        const json& viz = data.at("viz");
        EXPECT_EQ(viz.at("color").at("r").get<int>(), n.colour.r);
        EXPECT_EQ(viz.at("color").at("g").get<int>(), n.colour.g);
        EXPECT_EQ(viz.at("color").at("b").get<int>(), n.colour.b);
        EXPECT_EQ(viz.at("size").get<double>(), n.size);
    }
    const auto edges = edges_by_id(graph);
    ASSERT_EQ(graph.at("edges").size(), d.edges.size());
    for (const DocEdge& e : d.edges) {
        SCOPED_TRACE("GEXF edge " + e.id);
        ASSERT_EQ(edges.count(e.id), 1U);
        const json& edge = edges.at(e.id);
        EXPECT_EQ(edge.at("ends").get<std::vector<std::string>>(), ends(e));
        const json& data = edge.at("data");
        expect_value(data, "weight", Value(e.weight), "weight");
        expect_value(data, "label", Value(e.label), "label");
        expect_value(data, "link_type", Value(e.type), "link_type");
        expect_value(data, "strength", Value(e.strength), "strength");
        for (std::size_t i = 0; i < d.edge_attributes.size(); ++i) {
            expect_value(data, title_of(d.edge_attributes[i]), e.values[i], "attribute");
        }
    }
}

void expect_graphml(const json& graph, const GraphDocument& d, bool multigraph) {
    EXPECT_FALSE(graph.at("directed").get<bool>());
    EXPECT_EQ(graph.at("multigraph").get<bool>(), multigraph);
    const json& header = graph.at("graph");
    expect_value(header, "title", Value(d.title), "graph", true);
    expect_value(header, "description", Value(d.description), "graph", true);
    expect_value(header, "creator", Value(d.creator), "graph", true);
    expect_value(header, "generated_at", Value(d.generated_at), "graph", true);
    for (const auto& [name, value] : d.metadata) {
        expect_value(header, name, Value(value), "graph", true);
    }
    ASSERT_EQ(graph.at("nodes").size(), d.nodes.size());
    for (const DocNode& n : d.nodes) {
        SCOPED_TRACE("GraphML node " + n.id);
        ASSERT_TRUE(graph.at("nodes").contains(n.id));
        const json& data = graph.at("nodes").at(n.id);
        expect_value(data, "label", Value(n.label), "label", true);
        expect_value(data, "type", Value(n.type), "type", true);
        for (std::size_t i = 0; i < d.node_attributes.size(); ++i) {
            expect_value(data, d.node_attributes[i].key, n.values[i], "attribute", true);
        }
    }
    const auto edges = edges_by_id(graph);
    ASSERT_EQ(graph.at("edges").size(), d.edges.size());
    for (const DocEdge& e : d.edges) {
        SCOPED_TRACE("GraphML edge " + e.id);
        ASSERT_EQ(edges.count(e.id), 1U);
        const json& edge = edges.at(e.id);
        EXPECT_EQ(edge.at("ends").get<std::vector<std::string>>(), ends(e));
        const json& data = edge.at("data");
        expect_value(data, "weight", Value(e.weight), "weight", true);
        expect_value(data, "label", Value(e.label), "label", true);
        expect_value(data, "type", Value(e.type), "type", true);
        expect_value(data, "strength", Value(e.strength), "strength", true);
        for (std::size_t i = 0; i < d.edge_attributes.size(); ++i) {
            expect_value(data, d.edge_attributes[i].key, e.values[i], "attribute", true);
        }
    }
}

TEST(GraphWriters, GexfAndGraphmlReadBackWithNetworkx) {
    const TempDir dir;
    const GraphDocument d = nasty_document();
    const std::string gexf = write_file(dir, "nasty.gexf", write_gexf, d);
    const std::string graphml = write_file(dir, "nasty.graphml", write_graphml, d);
    const json read =
        reference("writers_networkx.py", "--gexf '" + gexf + "' --graphml '" + graphml + "'", dir);
    ASSERT_TRUE(read.is_object());
    {
        SCOPED_TRACE("GEXF");
        expect_gexf(read.at("gexf"), d, true);
    }
    {
        SCOPED_TRACE("GraphML");
        expect_graphml(read.at("graphml"), d, true);
    }
}

TEST(GraphWriters, SimpleDocumentReadsAsAGraph) {
    const TempDir dir;
    const GraphDocument d = simple_document();
    const std::string gexf = write_file(dir, "simple.gexf", write_gexf, d);
    const std::string graphml = write_file(dir, "simple.graphml", write_graphml, d);
    const json read =
        reference("writers_networkx.py", "--gexf '" + gexf + "' --graphml '" + graphml + "'", dir);
    ASSERT_TRUE(read.is_object());
    expect_gexf(read.at("gexf"), d, false);
    expect_graphml(read.at("graphml"), d, false);
}

TEST(GraphWriters, EmptyDocumentIsWellFormedEverywhere) {
    const TempDir dir;
    GraphDocument d;
    const std::string gexf = write_file(dir, "empty.gexf", write_gexf, d);
    const std::string graphml = write_file(dir, "empty.graphml", write_graphml, d);
    const json read =
        reference("writers_networkx.py", "--gexf '" + gexf + "' --graphml '" + graphml + "'", dir);
    ASSERT_TRUE(read.is_object());
    EXPECT_TRUE(read.at("gexf").at("nodes").empty());
    EXPECT_TRUE(read.at("graphml").at("edges").empty());
    const std::string anx = write_file(dir, "empty.anx", write_anx, d);
    const json chart = reference("writers_anx_check.py", "'" + anx + "'", dir);
    ASSERT_TRUE(chart.is_object());
    EXPECT_TRUE(chart.at("entities").empty());
}

/// Doubles of every magnitude (random bit patterns) and int64s survive
/// GEXF, GraphML and CSV exactly. The file is large enough (> 64 KiB) to be
/// written in several blocks.
TEST(GraphWriters, NumbersRoundTripExactly) {
    std::mt19937_64 random(20260302);
    GraphDocument d;
    d.node_attributes = {def("x", "X", T::real), def("n", "N", T::integer)};
    std::vector<double> specials = {0.0,
                                    -0.0,
                                    0.1,
                                    1.0 / 3.0,
                                    5e-324,
                                    2.2250738585072014e-308,
                                    1.7976931348623157e308,
                                    -1.7976931348623157e308,
                                    9007199254740993.0,
                                    1e15,
                                    999999999999999.9,
                                    1e-4,
                                    9.999999999999999e-5,
                                    123456789.123456789};
    for (int i = 0; i < 3000; ++i) {
        double x = 0;
        if (static_cast<std::size_t>(i) < specials.size()) {
            x = specials[static_cast<std::size_t>(i)];
        } else {
            do {
                const std::uint64_t bits = random();
                std::memcpy(&x, &bits, sizeof x);
            } while (!std::isfinite(x));
        }
        const auto n = static_cast<std::int64_t>(random());
        d.nodes.push_back(
            node("n" + std::to_string(i), "", "child", "", {}, 1, {real(x), integer(n)}));
    }
    const TempDir dir;
    const std::string gexf = write_file(dir, "numbers.gexf", write_gexf, d);
    const std::string graphml = write_file(dir, "numbers.graphml", write_graphml, d);
    const std::string csv = write_file(dir, "numbers.csv", write_csv_nodes, d);
    EXPECT_GT(std::filesystem::file_size(gexf), 1U << 17);
    const json read =
        reference("writers_networkx.py", "--gexf '" + gexf + "' --graphml '" + graphml + "'", dir);
    ASSERT_TRUE(read.is_object());
    const json cells = reference("writers_csv.py", "'" + csv + "'", dir);
    ASSERT_TRUE(cells.is_object());
    const json& rows = cells.at(csv);
    ASSERT_EQ(rows.size(), d.nodes.size() + 1);
    for (std::size_t i = 0; i < d.nodes.size(); ++i) {
        const DocNode& n = d.nodes[i];
        const double x = std::get<double>(*n.values[0]);
        const std::int64_t k = std::get<std::int64_t>(*n.values[1]);
        EXPECT_EQ(read.at("gexf").at("nodes").at(n.id).at("X").get<double>(), x) << n.id;
        EXPECT_EQ(read.at("graphml").at("nodes").at(n.id).at("x").get<double>(), x) << n.id;
        EXPECT_EQ(read.at("graphml").at("nodes").at(n.id).at("n").get<std::int64_t>(), k) << n.id;
        const std::string cell = rows.at(i + 1).at(3).get<std::string>();
        double parsed = 0;
        const auto result = std::from_chars(cell.data(), cell.data() + cell.size(), parsed);
        EXPECT_TRUE(result.ec == std::errc() && result.ptr == cell.data() + cell.size()) << cell;
        EXPECT_EQ(parsed, x) << cell;
        EXPECT_EQ(rows.at(i + 1).at(4).get<std::string>(), std::to_string(k));
        // Numbers are never defused: a spreadsheet must see them as numbers.
        EXPECT_NE(cell.front(), '\'') << cell;
    }
    // The everyday range is written in plain decimals.
    EXPECT_EQ(rows.at(1).at(3), "0");
    EXPECT_EQ(rows.at(3).at(3), "0.1");
    EXPECT_EQ(rows.at(10).at(3), "1e+15");
    EXPECT_EQ(rows.at(11).at(3), "999999999999999.9");
    EXPECT_EQ(rows.at(12).at(3), "0.0001");
    EXPECT_EQ(rows.at(13).at(3), "9.999999999999999e-05");
}

// ---- ANX --------------------------------------------------------------------

/// The UK 3×5×2 code a grade string stands for: its first character; ""
/// for "-", ungraded.
std::string code_of(const json& grade) {
    if (grade.is_null()) {
        return "<no index>";
    }
    const std::string text = grade.get<std::string>();
    return text == "-" ? "" : text.substr(0, 1);
}

std::string colorref(const Colour& c) {
    return std::to_string(c.r + 256 * c.g + 65536 * c.b);
}

std::string value_string(const Value& value) {
    switch (value.index()) {
    case 0:
        return cleaned(std::get<std::string>(value));
    case 1:
        return std::to_string(std::get<std::int64_t>(value));
    case 2: {
        std::ostringstream out;
        out.precision(17);
        out << std::get<double>(value);
        return out.str();
    }
    default:
        return std::get<bool>(value) ? "true" : "false";
    }
}

/// What the checker found in `attributes` must be the document's values,
/// under the class names given.
void expect_anx_attributes(const json& attributes, const std::vector<AttributeDef>& defs,
                           const Values& values, const std::vector<std::string>& names) {
    std::size_t present = 0;
    for (std::size_t i = 0; i < defs.size(); ++i) {
        SCOPED_TRACE(names[i]);
        if (!values[i]) {
            EXPECT_FALSE(attributes.contains(names[i]));
            continue;
        }
        ++present;
        ASSERT_TRUE(attributes.contains(names[i]));
        const std::string actual = attributes.at(names[i]).get<std::string>();
        if (values[i]->index() == 2) {
            EXPECT_EQ(std::stod(actual), std::get<double>(*values[i])) << actual;
        } else {
            EXPECT_EQ(actual, value_string(*values[i]));
        }
    }
    EXPECT_GE(attributes.size(), present);
}

TEST(GraphWriters, AnxHasTheStructureOfAnI2Chart) {
    const TempDir dir;
    const GraphDocument d = nasty_document();
    const std::string anx = write_file(dir, "nasty.anx", write_anx, d);
    const json chart = reference("writers_anx_check.py", "'" + anx + "'", dir);
    ASSERT_TRUE(chart.is_object());

    EXPECT_EQ(chart.at("chart_children").get<std::vector<std::string>>(),
              (std::vector<std::string>{"GradeOne", "GradeTwo", "GradeThree", "SourceHints",
                                        "StrengthCollection", "AttributeClassCollection",
                                        "EntityTypeCollection", "LinkTypeCollection", "Summary",
                                        "ChartItemCollection", "PaletteCollection"}));
    std::vector<std::string> codes;
    for (const char* grade : {"GradeOne", "GradeTwo", "GradeThree"}) {
        for (const json& text : chart.at("grades").at(grade)) {
            codes.push_back(code_of(text));
        }
    }
    EXPECT_EQ(codes, (std::vector<std::string>{"", "1", "2", "3", "", "A", "B", "C", "D", "E", "",
                                               "P", "C"}));
    EXPECT_EQ(chart.at("strengths").get<std::vector<std::string>>(),
              (std::vector<std::string>{"Confirmed", "Unconfirmed", "Tentative"}));
    EXPECT_EQ(chart.at("source_hints").get<std::vector<std::string>>(),
              (std::vector<std::string>{"Police record", "CPI form", "Return Home Interview"}));
    using Names = std::map<std::string, std::string>;
    const Names icons = {{"child", "Child"},
                         {"adult", "Person"},
                         {"unidentified", "Person (Faceless)"},
                         {"place", "Place"},
                         {"vehicle", "Car"}};
    EXPECT_EQ(chart.at("entity_types").get<Names>(), icons);
    EXPECT_EQ(chart.at("link_types").at("went_missing_with"), colorref({0, 128, 255}));
    EXPECT_EQ(chart.at("summary").at("fields").at("SummaryFieldTitle"), d.title);
    EXPECT_EQ(chart.at("summary").at("fields").at("SummaryFieldComments"), d.description);
    EXPECT_EQ(chart.at("summary").at("fields").at("SummaryFieldAuthor"), d.creator);
    EXPECT_EQ(chart.at("summary").at("properties").at("Generated at"), d.generated_at);
    EXPECT_EQ(chart.at("summary").at("properties").at("profile"), "analyst");

    // Class names: node titles; the edge "Note" shares the node class (same
    // title, same type); the edge "Flagged" is text where the node one is a
    // flag, so it is told apart by its key.
    Names classes;
    for (const json& c : chart.at("attribute_classes")) {
        classes[c.at("name").get<std::string>()] = c.at("type").get<std::string>();
    }
    const Names expected_classes = {{"Degree", "AttNumber"},    {"Betweenness", "AttNumber"},
                                    {"Note", "AttText"},        {"Flagged", "AttFlag"},
                                    {"community", "AttNumber"}, {"First date", "AttText"},
                                    {"Count", "AttNumber"},     {"Weak", "AttFlag"},
                                    {"Score", "AttNumber"},     {"Flagged (flag_text)", "AttText"},
                                    {"Weight", "AttNumber"}};
    EXPECT_EQ(classes, expected_classes);
    const std::vector<std::string> node_names = {"Degree", "Betweenness", "Note", "Flagged",
                                                 "community"};
    const std::vector<std::string> edge_names = {"First date", "Count", "Weak",
                                                 "Score",      "Note",  "Flagged (flag_text)"};

    ASSERT_EQ(chart.at("entities").size(), d.nodes.size());
    for (std::size_t i = 0; i < d.nodes.size(); ++i) {
        const DocNode& n = d.nodes[i];
        const json& entity = chart.at("entities").at(i);
        SCOPED_TRACE("entity " + n.id);
        EXPECT_EQ(entity.at("identity"), n.id);
        EXPECT_EQ(entity.at("label"), n.label.empty() ? n.id : cleaned(n.label));
        EXPECT_EQ(entity.at("label_is_identity"), n.label.empty() ? "true" : "false");
        EXPECT_EQ(entity.at("type"), n.type);
        // Only icons other than the type's own are overrides.
        if (n.icon.empty()) {
            EXPECT_TRUE(entity.at("icon").is_null());
        } else {
            EXPECT_EQ(entity.at("icon"), n.icon);
        }
        expect_anx_attributes(entity.at("attributes"), d.node_attributes, n.values, node_names);
    }

    ASSERT_EQ(chart.at("links").size(), d.edges.size());
    const std::map<std::string, std::string> strength = {
        {"confirmed", "Confirmed"}, {"unconfirmed", "Unconfirmed"}, {"tentative", "Tentative"}};
    for (std::size_t i = 0; i < d.edges.size(); ++i) {
        const DocEdge& e = d.edges[i];
        const json& link = chart.at("links").at(i);
        SCOPED_TRACE("link " + e.id);
        EXPECT_EQ(link.at("end1"), e.source);
        EXPECT_EQ(link.at("end2"), e.target);
        EXPECT_EQ(link.at("label"), cleaned(e.label));
        EXPECT_EQ(link.at("type"), e.type);
        EXPECT_EQ(link.at("strength"), strength.at(e.strength));
        EXPECT_EQ(link.at("line_colour"), colorref(e.colour));
        expect_anx_attributes(link.at("attributes"), d.edge_attributes, e.values, edge_names);
        EXPECT_EQ(std::stod(link.at("attributes").at("Weight").get<std::string>()), e.weight);
        ASSERT_EQ(link.at("cards").size(), e.cards.size());
        for (std::size_t c = 0; c < e.cards.size(); ++c) {
            const Card& expected = e.cards[c];
            const json& actual = link.at("cards").at(c);
            SCOPED_TRACE("card " + std::to_string(c + 1));
            if (expected.summary.empty()) {
                EXPECT_TRUE(actual.at("summary").is_null());
            } else {
                EXPECT_EQ(actual.at("summary"), cleaned(expected.summary));
            }
            EXPECT_EQ(actual.at("source_reference"), expected.source_reference);
            EXPECT_EQ(actual.at("source_type"), expected.source_type);
            EXPECT_EQ(code_of(actual.at("grades").at(0)), expected.grade_source);
            EXPECT_EQ(code_of(actual.at("grades").at(1)), expected.grade_intelligence);
            EXPECT_EQ(code_of(actual.at("grades").at(2)), expected.grade_handling);
            EXPECT_EQ(actual.at("date_set").get<bool>(), !expected.date.empty());
            EXPECT_EQ(actual.at("time_set").get<bool>(), expected.date.size() > 10);
        }
    }
    // Dates become i2's xs:dateTime without zone, to the millisecond; a
    // card with a time says its zone is UTC (i2's time zone 1).
    const json& cards1 = chart.at("links").at(0).at("cards");
    EXPECT_EQ(cards1.at(0).at("date_time"), "2025-01-05T00:00:00.000");
    EXPECT_TRUE(cards1.at(0).at("time_zone").is_null());
    EXPECT_EQ(cards1.at(1).at("date_time"), "2025-02-01T14:30:00.000");
    EXPECT_EQ(cards1.at(1).at("time_zone"), "1");
    const json& cards2 = chart.at("links").at(1).at("cards");
    EXPECT_EQ(cards2.at(0).at("date_time"), "2025-02-03T09:05:07.123");
    EXPECT_EQ(cards2.at(1).at("date_time"), "2025-02-04T23:59:00.000");
    EXPECT_TRUE(chart.at("links").at(2).at("cards").at(0).at("date_time").is_null());
}

/// The checker must be able to fail: charts broken in the ways the issue
/// names are refused, each with its reason.
TEST(GraphWriters, AnxCheckerRefusesBrokenCharts) {
    const TempDir dir;
    const std::string good = [&] {
        std::ostringstream out;
        write_anx(nasty_document(), out);
        return out.str();
    }();
    const auto replace_first = [](std::string text, const std::string& from,
                                  const std::string& to) {
        const auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos) {
            text.replace(at, from.size(), to);
        }
        return text;
    };
    // LinkStyle before the CardCollection of the first link.
    std::string swapped = good;
    {
        const auto cards = swapped.find("        <CardCollection>");
        const auto cards_end = swapped.find("        </CardCollection>\n", cards);
        const auto style_end = swapped.find("\n", swapped.find("<LinkStyle", cards)) + 1;
        const std::size_t style = cards_end + std::strlen("        </CardCollection>\n");
        swapped = swapped.substr(0, cards) + swapped.substr(style, style_end - style) +
                  swapped.substr(cards, style - cards) + swapped.substr(style_end);
    }
    const std::vector<std::pair<std::string, std::string>> cases = {
        {swapped, "<CardCollection> comes after <LinkStyle>"},
        {replace_first(good, "GradeTwoIndex=\"2\"", "GradeTwoIndex=\"6\""),
         "GradeTwoIndex='6' does not index the 6 strings of GradeTwo"},
        {replace_first(good, "End1Id=\"1\"", "End1Id=\"99\""),
         "End1Id='99' names no Entity/@EntityId"},
        {replace_first(replace_first(good, "  <Summary>", "  <Summery>"), "</Summary>",
                       "</Summery>"),
         "Chart: unexpected element <Summery>"},
        {replace_first(good, "<ChartItemCollection>\n", "<ChartItemCollection>\n<End/>\n"),
         "<End> in ChartItemCollection"},
        {replace_first(good, "<Chart IdReferenceLinking=\"false\">\n",
                       "<Chart IdReferenceLinking=\"false\">\n  <Summary/>\n"),
         "<GradeOne> comes after <Summary>"},
        {replace_first(good, "Type=\"cpi_mention\" LinkTypeReference",
                       "Type=\"cpi_mentions\" LinkTypeReference"),
         "LinkStyle Type 'cpi_mentions' is not a LinkType"},
        {replace_first(good, "Strength=\"Tentative\" ArrowStyle", "Strength=\"Maybe\" ArrowStyle"),
         "LinkStyle Strength 'Maybe' is not in the StrengthCollection"},
        {replace_first(good, "Label=\"co-missing\"", "Label=\"co-missing\x01\""),
         "not well-formed"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& [text, reason] = cases[i];
        SCOPED_TRACE(reason);
        const std::string path = dir.file("broken" + std::to_string(i) + ".anx");
        std::ofstream(path, std::ios::binary) << text;
        const ScriptRun run =
            run_script("writers_anx_check.py", "'" + path + "' --out '" + path + ".json'", dir);
        EXPECT_NE(run.status, 0);
        EXPECT_NE(run.errors.find(reason), std::string::npos) << run.errors;
    }
}

// ---- CSV --------------------------------------------------------------------

using Rows = std::vector<std::vector<std::string>>;

TEST(GraphWriters, CsvReadsBackToTheSameCells) {
    const TempDir dir;
    const GraphDocument d = nasty_document();
    const std::string nodes = write_file(dir, "nodes.csv", write_csv_nodes, d);
    const std::string edges = write_file(dir, "edges.csv", write_csv_edges, d);
    const json cells = reference("writers_csv.py", "'" + nodes + "' '" + edges + "'", dir);
    ASSERT_TRUE(cells.is_object());

    // Text that a spreadsheet would run (=, +, -, @, tab or CR first, also
    // after spaces) gets a leading apostrophe; numbers written from numeric
    // attributes never do (-1, -1.5 and -7 below).
    const Rows expected_nodes = {
        {"id", "label", "type", "degree", "betweenness", "note", "flagged", "community"},
        {"C-1", "<script>alert('x')</script>", "child", "3", "0.30000000000000004",
         "a & b \"quoted\" 'single' <tag> ]]>", "true", ""},
        {"A-7", "'=HYPERLINK(\"http://evil.example\",\"x\")", "adult", "-1", "-1.5", "'-1.5",
         "false", "2"},
        {"U-3", control_clean, "unidentified", "0", "1e-07",
         "emoji 🧒🏽 and ZWJ 👨‍👩‍👧", "", "0"},
        {"P-9", utf8_clean, "place", "1234567890123", "12345.678", "'@SUM(A1:A2)", "true", "1"},
        {"V-1", "'+44 7700 900123", "vehicle", "9223372036854775807", "1e+20", "'\tTAB first",
         "false", ""},
        {"C-2", "'  =1+1", "child", "", "", "", "", ""},
        {"E-0", "", "place", "-9223372036854775808", "-0.000123", overlong_clean, "", ""},
    };
    const Rows expected_edges = {
        {"id", "source", "target", "type", "weight", "strength", "first_date", "count", "weak",
         "score", "note_e", "flag_text"},
        {"e1", "C-1", "A-7", "went_missing_with", "2", "confirmed", "2025-01-05", "2", "false",
         "0.5", "x<y>z", "'-dash"},
        {"e2", "A-7", "C-1", "cpi_mention", "1", "tentative", "", "1", "", "", "", ""},
        {"e3", "U-3", "P-9", "found_at", "0.75", "unconfirmed", "2024-12-31", "", "true", "",
         "'=cmd|' /C calc'!A0", ""},
        {"e4", "P-9", "V-1", "associated_vehicle", "1e-05", "confirmed", "", "", "", "-2.25", "",
         ""},
        {"e5", "C-2", "C-1", "co_missing", "3", "confirmed", "", "-7", "true", "1e+300",
         control_clean, "'@x"},
        {"e6", "E-0", "U-3", "stayed_at", "1", "unconfirmed", "", "", "", "", "", ""},
    };
    EXPECT_EQ(cells.at(nodes).get<Rows>(), expected_nodes);
    EXPECT_EQ(cells.at(edges).get<Rows>(), expected_edges);

    // RFC 4180: every record ends with CR LF; CR LF inside a cell is quoted.
    const std::string raw = read_file(nodes);
    EXPECT_EQ(raw.substr(0, 60), "id,label,type,degree,betweenness,note,flagged,community\r\nC-1");
    EXPECT_NE(raw.find("\"ctrl" FFFD FFFD "\x7F tab\there\nnewline\r\ncrlf" FFFD "\""),
              std::string::npos);
    EXPECT_EQ(raw.substr(raw.size() - 2), "\r\n");
}

// ---- errors
// --------------------------------------------------------------------------------------

TEST(GraphWriters, BadDocumentsAreRefusedWithExactMessages) {
    struct Case {
        std::function<void(GraphDocument&)> change;
        Writer writer;
        std::string message;
    };
    const std::vector<Case> cases = {
        {[](GraphDocument& d) { d.nodes.push_back(d.nodes[0]); }, write_gexf,
         "writing GEXF: duplicate node id 'a' (nodes 1 and 4)"},
        {[](GraphDocument& d) { d.edges[1].target = "ghost"; }, write_graphml,
         "writing GraphML: edge 'e2' refers to node 'ghost' (its target), which is not in the "
         "document"},
        {[](GraphDocument& d) { d.edges[0].source = "nobody"; }, write_anx,
         "writing ANX: edge 'e1' refers to node 'nobody' (its source), which is not in the "
         "document"},
        {[](GraphDocument& d) { d.edges.push_back(d.edges[0]); }, write_csv_edges,
         "writing CSV edges: duplicate edge id 'e1' (edges 1 and 3)"},
        {[](GraphDocument& d) { d.nodes[1].values.pop_back(); }, write_anx,
         "writing ANX: node 'b' has 1 attribute values for 2 node attributes"},
        {[](GraphDocument& d) { d.edges[0].values.push_back(integer(1)); }, write_gexf,
         "writing GEXF: edge 'e1' has 2 attribute values for 1 edge attributes"},
        {[](GraphDocument& d) { d.nodes[0].values[0] = text("7"); }, write_csv_nodes,
         "writing CSV nodes: node 'a', attribute 'degree' (integer): the value is text"},
        {[](GraphDocument& d) { d.nodes[2].values[1] = integer(3); }, write_gexf,
         "writing GEXF: node 'c', attribute 'score' (real): the value is integer"},
        {[](GraphDocument& d) { d.edges[0].values[0] = flag(true); }, write_graphml,
         "writing GraphML: edge 'e1', attribute 'count' (integer): the value is boolean"},
        {[](GraphDocument& d) { d.nodes[0].values[1] = real(std::nan("")); }, write_graphml,
         "writing GraphML: node 'a', attribute 'score' (real): the value is not finite"},
        {[](GraphDocument& d) { d.edges[1].weight = std::numeric_limits<double>::infinity(); },
         write_gexf, "writing GEXF: edge 'e2': weight is not finite"},
        {[](GraphDocument& d) { d.nodes[2].size = -1; }, write_gexf,
         "writing GEXF: node 'c': size must be finite and not negative"},
        {[](GraphDocument& d) { d.nodes[1].id = ""; }, write_gexf,
         "writing GEXF: node 2 has an empty id or one with control characters or invalid UTF-8"},
        {[](GraphDocument& d) { d.nodes[1].id = "b\n"; }, write_csv_nodes,
         "writing CSV nodes: node 2 has an empty id or one with control characters or invalid "
         "UTF-8"},
        {[](GraphDocument& d) { d.edges[0].id = "e\xFF"; }, write_anx,
         "writing ANX: edge 1 has an empty id or one with control characters or invalid UTF-8"},
        {[](GraphDocument& d) { d.nodes[0].type = ""; }, write_anx,
         "writing ANX: node 'a' has an empty type or one with control characters or invalid UTF-8"},
        {[](GraphDocument& d) { d.edges[0].target = "a"; }, write_gexf,
         "writing GEXF: edge 'e1' joins node 'a' to itself"},
        {[](GraphDocument& d) { d.edges[0].strength = "Confirmed"; }, write_anx,
         "writing ANX: edge 'e1' has strength 'Confirmed' (expected confirmed, unconfirmed or "
         "tentative)"},
        {[](GraphDocument& d) { d.edges[1].cards = {card("", "", "", "", "4", "", "")}; },
         write_anx, "writing ANX: edge 'e2', card 1: grade_source '4' is not 1, 2, 3 or empty"},
        {[](GraphDocument& d) {
             d.edges[1].cards = {card("", "", "", "", "", "", ""),
                                 card("", "", "", "", "", "a", "")};
         },
         write_anx,
         "writing ANX: edge 'e2', card 2: grade_intelligence 'a' is not A, B, C, D, E or empty"},
        {[](GraphDocument& d) { d.edges[0].cards = {card("", "", "", "", "", "", "PC")}; },
         write_csv_edges,
         "writing CSV edges: edge 'e1', card 1: grade_handling 'PC' is not P, C or empty"},
        {[](GraphDocument& d) { d.edges[0].cards = {card("", "2025-02-29", "", "", "", "", "")}; },
         write_anx,
         "writing ANX: edge 'e1', card 1: date '2025-02-29' is not an ISO 8601 UTC date or "
         "date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]]Z)"},
        {[](GraphDocument& d) {
             d.edges[0].cards = {card("", "2025-02-28T10:00:00+01:00", "", "", "", "", "")};
         },
         write_anx,
         "writing ANX: edge 'e1', card 1: date '2025-02-28T10:00:00+01:00' is not an ISO 8601 "
         "UTC date or date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]]Z)"},
        {[](GraphDocument& d) { d.generated_at = "yesterday"; }, write_gexf,
         "writing GEXF: generated_at 'yesterday' is not an ISO 8601 UTC date or date-time "
         "(YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]]Z)"},
        {[](GraphDocument& d) { d.node_attributes.push_back(def("Type", "", T::text)); },
         write_gexf,
         "writing GEXF: node attribute 'Type': the name 'Type' is reserved (the writers write id, "
         "label and type themselves)"},
        {[](GraphDocument& d) { d.edge_attributes[0].title = "Weight"; }, write_anx,
         "writing ANX: edge attribute 'count': the name 'Weight' is reserved (the writers write "
         "id, source, target, label, type, link_type, kind, weight and strength themselves)"},
        {[](GraphDocument& d) { d.node_attributes.push_back(def("degree", "D2", T::integer)); },
         write_graphml, "writing GraphML: duplicate node attribute key 'degree'"},
        {[](GraphDocument& d) { d.node_attributes[1].title = "degree"; }, write_gexf,
         "writing GEXF: node attributes 'degree' and 'score' are both named 'degree' (names "
         "compare without case)"},
        {[](GraphDocument& d) { d.node_attributes.push_back(def("", "x", T::text)); }, write_gexf,
         "writing GEXF: node attribute 3 has an empty key or one with control characters or "
         "invalid UTF-8"},
        {[](GraphDocument& d) {
             d.metadata = {{"profile", "a"}, {"Profile", "b"}};
         },
         write_gexf, "writing GEXF: duplicate metadata name 'Profile'"},
        {[](GraphDocument& d) {
             d.metadata = {{"title", "a"}};
         },
         write_graphml,
         "writing GraphML: metadata name 'title' is reserved (title, description, creator and "
         "generated_at are fields of the document)"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.message);
        GraphDocument d = simple_document();
        c.change(d);
        std::ostringstream out;
        EXPECT_EQ(message_of<InputError>([&] { c.writer(d, out); }), c.message);
        // Nothing is written from a document that cannot be written whole.
        EXPECT_TRUE(out.str().empty());
    }
}

TEST(GraphWriters, StreamFailuresAreIoErrors) {
    const GraphDocument d = nasty_document();
    for (const auto& [writer, name] :
         std::vector<std::pair<Writer, std::string>>{{write_gexf, "GEXF"},
                                                     {write_graphml, "GraphML"},
                                                     {write_anx, "ANX"},
                                                     {write_csv_nodes, "CSV nodes"},
                                                     {write_csv_edges, "CSV edges"}}) {
        const std::string message =
            "writing " + name +
            ": the output stream failed (disk full, file closed or not writable)";
        std::ostringstream bad;
        bad.setstate(std::ios::badbit);
        EXPECT_EQ(message_of<IoError>([&] { writer(d, bad); }), message);
        // /dev/full accepts the open and fails every write with ENOSPC.
        if (std::filesystem::exists("/dev/full")) {
            std::ofstream full("/dev/full", std::ios::binary);
            EXPECT_EQ(message_of<IoError>([&] { writer(d, full); }), message);
        }
    }
}

} // namespace
} // namespace waymark::graph
