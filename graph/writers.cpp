#include "graph/writers.hpp"

#include "base/error.hpp"
#include "base/xml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

// The format notes (element order, what each field means, where the i2
// structure comes from) are in docs/formats-network.md.

namespace waymark::graph {
namespace {

// ---- text -------------------------------------------------------------------
//
// Every string goes through xml::clean() before any format sees it (base/
// xml.hpp): one rule for all formats, so the same value reads back the same
// from GEXF, GraphML, ANX and CSV.

using xml::append_attribute;
using xml::append_text;
using xml::clean;
using xml::is_clean;

/// No control character at all (not even tab or newline) and valid UTF-8:
/// what ids, types and attribute keys must be, since they name things.
bool is_identifier_text(std::string_view text) {
    return is_clean(text) && std::none_of(text.begin(), text.end(), [](char c) {
               return static_cast<unsigned char>(c) < 0x20;
           });
}

/// ` name="value"`
void attribute(std::string& out, std::string_view name, std::string_view value) {
    out += ' ';
    out += name;
    out += "=\"";
    append_attribute(out, value);
    out += '"';
}

// ---- numbers ----------------------------------------------------------------

/// The shortest text that reads back as the same double (std::to_chars), in
/// plain decimals in the everyday range so that spreadsheets and i2 read it
/// as the number it is. Non-finite values never get here (validate()).
std::string number(double value) {
    std::array<char, 400> buffer{};
    const double magnitude = std::fabs(value);
    const auto format = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e15)
                            ? std::chars_format::fixed
                            : std::chars_format::general;
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, format);
    return std::string(buffer.data(), result.ptr);
}

std::string number(std::int64_t value) {
    std::array<char, 24> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::string value_text(const Value& value) {
    switch (value.index()) {
    case 0:
        return std::get<std::string>(value);
    case 1:
        return number(std::get<std::int64_t>(value));
    case 2:
        return number(std::get<double>(value));
    default:
        return std::get<bool>(value) ? "true" : "false";
    }
}

// ---- output -----------------------------------------------------------------

/// Collects the file in memory and hands it to the stream in large blocks;
/// any stream failure becomes an IoError naming the format.
class Sink {
public:
    Sink(std::ostream& out, std::string_view format) : m_out(out), m_format(format) {
        if (!m_out) {
            fail();
        }
        m_buffer.reserve(block * 2);
    }

    std::string& text() { return m_buffer; }

    /// Call between records: writes out what has piled up.
    void flush_if_full() {
        if (m_buffer.size() >= block) {
            write();
        }
    }

    void finish() {
        write();
        m_out.flush();
        if (!m_out) {
            fail();
        }
    }

private:
    static constexpr std::size_t block = 1 << 16;

    void write() {
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_buffer.clear();
        if (!m_out) {
            fail();
        }
    }

    [[noreturn]] void fail() const {
        throw IoError("writing " + std::string(m_format) +
                      ": the output stream failed (disk full, file closed or not writable)");
    }

    std::ostream& m_out;
    std::string_view m_format;
    std::string m_buffer;
};

// ---- validation -------------------------------------------------------------

const char* type_name(AttributeDef::Type type) {
    switch (type) {
    case AttributeDef::Type::text:
        return "text";
    case AttributeDef::Type::integer:
        return "integer";
    case AttributeDef::Type::real:
        return "real";
    default:
        return "boolean";
    }
}

std::size_t type_index(AttributeDef::Type type) {
    return static_cast<std::size_t>(type); // text, integer, real, boolean: Value's order
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

/// The name people see for an attribute: its title, or its key.
const std::string& title_of(const AttributeDef& def) {
    return def.title.empty() ? def.key : def.title;
}

/// Validation shared by every writer: a document that one format cannot
/// carry is not written in any.
class Validator {
public:
    Validator(const GraphDocument& document, std::string_view format)
        : m_document(document), m_prefix("writing " + std::string(format) + ": ") {}

    void run() {
        m_nodes.reserve(m_document.nodes.size());
        check_header();
        check_attributes(m_document.node_attributes, "node", {"id", "label", "type"},
                         "id, label and type");
        check_attributes(
            m_document.edge_attributes, "edge",
            {"id", "source", "target", "label", "type", "link_type", "kind", "weight", "strength"},
            "id, source, target, label, type, link_type, kind, weight and strength");
        check_nodes();
        check_edges();
    }

private:
    [[noreturn]] void fail(const std::string& problem) const {
        throw InputError(m_prefix + problem);
    }

    static std::string quoted(std::string_view text) { return "'" + clean(text) + "'"; }

    void check_header() const {
        if (!m_document.generated_at.empty() && !is_timestamp(m_document.generated_at)) {
            fail("generated_at " + quoted(m_document.generated_at) +
                 " is not an ISO 8601 UTC date or date-time (YYYY-MM-DD or "
                 "YYYY-MM-DDThh:mm[:ss[.sss]]Z)");
        }
        std::set<std::string> names;
        for (std::size_t i = 0; i < m_document.metadata.size(); ++i) {
            const std::string& name = m_document.metadata[i].first;
            if (name.empty() || !is_identifier_text(name)) {
                fail("metadata entry " + std::to_string(i + 1) +
                     " has an empty name or one with control characters or invalid UTF-8");
            }
            static const std::set<std::string> reserved = {"title", "description", "creator",
                                                           "generated_at"};
            if (reserved.count(lower(name)) != 0) {
                fail("metadata name " + quoted(name) +
                     " is reserved (title, description, creator and generated_at are fields of "
                     "the document)");
            }
            if (!names.insert(lower(name)).second) {
                fail("duplicate metadata name " + quoted(name));
            }
        }
    }

    void check_attributes(const std::vector<AttributeDef>& defs, const std::string& kind,
                          const std::set<std::string>& reserved, const std::string& list) const {
        std::map<std::string, std::string> seen; // lower-cased name → key of its attribute
        std::set<std::string> keys;
        for (std::size_t i = 0; i < defs.size(); ++i) {
            const AttributeDef& def = defs[i];
            if (def.key.empty() || !is_identifier_text(def.key)) {
                fail(kind + " attribute " + std::to_string(i + 1) +
                     " has an empty key or one with control characters or invalid UTF-8");
            }
            if (!keys.insert(def.key).second) {
                fail("duplicate " + kind + " attribute key " + quoted(def.key));
            }
            if (!is_identifier_text(def.title)) {
                fail(kind + " attribute " + quoted(def.key) +
                     " has a title with control characters or invalid UTF-8");
            }
            // Keys name CSV columns and GraphML keys, titles name GEXF columns
            // and i2 attribute classes; neither may shadow what the writers
            // write themselves, nor another attribute's key or title.
            for (const std::string* name : {&def.key, &title_of(def)}) {
                const std::string folded = lower(*name);
                if (reserved.count(folded) != 0) {
                    fail(kind + " attribute " + quoted(def.key) + ": the name " + quoted(*name) +
                         " is reserved (the writers write " + list + " themselves)");
                }
                const auto [it, inserted] = seen.emplace(folded, def.key);
                if (!inserted && it->second != def.key) {
                    fail(kind + " attributes " + quoted(it->second) + " and " + quoted(def.key) +
                         " are both named " + quoted(*name) + " (names compare without case)");
                }
            }
        }
    }

    // The `what`/`where` arguments and locals are functions: the message
    // text is built only when there is an error to word, since building it
    // for every value costs more than all the checks.
    template <typename What>
    void check_values(const std::vector<std::optional<Value>>& values,
                      const std::vector<AttributeDef>& defs, const What& what,
                      const std::string& kind) const {
        if (values.size() != defs.size()) {
            fail(what() + " has " + std::to_string(values.size()) + " attribute values for " +
                 std::to_string(defs.size()) + " " + kind + " attributes");
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (!values[i]) {
                continue;
            }
            const AttributeDef& def = defs[i];
            const auto where = [&] {
                return what() + ", attribute " + quoted(def.key) + " (" + type_name(def.type) + ")";
            };
            const std::size_t index = values[i]->index();
            if (index != type_index(def.type)) {
                fail(where() + ": the value is " +
                     type_name(static_cast<AttributeDef::Type>(index)));
            }
            if (index == 2 && !std::isfinite(std::get<double>(*values[i]))) {
                fail(where() + ": the value is not finite");
            }
        }
    }

    void check_nodes() {
        for (std::size_t i = 0; i < m_document.nodes.size(); ++i) {
            const DocNode& node = m_document.nodes[i];
            const auto position = [&] { return "node " + std::to_string(i + 1); };
            if (node.id.empty() || !is_identifier_text(node.id)) {
                fail(position() +
                     " has an empty id or one with control characters or invalid UTF-8");
            }
            const auto [it, inserted] = m_nodes.emplace(node.id, i);
            if (!inserted) {
                fail("duplicate node id " + quoted(node.id) + " (nodes " +
                     std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")");
            }
            const auto what = [&] { return "node " + quoted(node.id); };
            if (node.type.empty() || !is_identifier_text(node.type)) {
                fail(what() + " has an empty type or one with control characters or invalid UTF-8");
            }
            if (!is_identifier_text(node.icon)) {
                fail(what() + " has an icon name with control characters or invalid UTF-8");
            }
            if (!std::isfinite(node.size) || node.size < 0) {
                fail(what() + ": size must be finite and not negative");
            }
            check_values(node.values, m_document.node_attributes, what, "node");
        }
    }

    void check_edges() const {
        std::unordered_map<std::string_view, std::size_t> ids;
        ids.reserve(m_document.edges.size());
        for (std::size_t i = 0; i < m_document.edges.size(); ++i) {
            const DocEdge& edge = m_document.edges[i];
            const auto position = [&] { return "edge " + std::to_string(i + 1); };
            if (edge.id.empty() || !is_identifier_text(edge.id)) {
                fail(position() +
                     " has an empty id or one with control characters or invalid UTF-8");
            }
            const auto [it, inserted] = ids.emplace(edge.id, i);
            if (!inserted) {
                fail("duplicate edge id " + quoted(edge.id) + " (edges " +
                     std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")");
            }
            const auto what = [&] { return "edge " + quoted(edge.id); };
            for (const auto& [end, name] :
                 {std::pair{&edge.source, "source"}, std::pair{&edge.target, "target"}}) {
                if (m_nodes.find(*end) == m_nodes.end()) {
                    fail(what() + " refers to node " + quoted(*end) + " (its " + name +
                         "), which is not in the document");
                }
            }
            if (edge.source == edge.target) {
                fail(what() + " joins node " + quoted(edge.source) + " to itself");
            }
            if (edge.type.empty() || !is_identifier_text(edge.type)) {
                fail(what() + " has an empty type or one with control characters or invalid UTF-8");
            }
            if (!std::isfinite(edge.weight)) {
                fail(what() + ": weight is not finite");
            }
            if (edge.strength != "confirmed" && edge.strength != "unconfirmed" &&
                edge.strength != "tentative") {
                fail(what() + " has strength " + quoted(edge.strength) +
                     " (expected confirmed, unconfirmed or tentative)");
            }
            check_values(edge.values, m_document.edge_attributes, what, "edge");
            for (std::size_t c = 0; c < edge.cards.size(); ++c) {
                check_card(edge.cards[c],
                           [&] { return what() + ", card " + std::to_string(c + 1); });
            }
        }
    }

    template <typename Where>
    void check_card(const Card& card, const Where& where) const {
        if (!card.date.empty() && !is_timestamp(card.date)) {
            fail(where() + ": date " + quoted(card.date) +
                 " is not an ISO 8601 UTC date or date-time (YYYY-MM-DD or "
                 "YYYY-MM-DDThh:mm[:ss[.sss]]Z)");
        }
        const auto one_of = [&](const std::string& value, std::string_view allowed,
                                const char* field, const char* list) {
            if (!value.empty() &&
                (value.size() != 1 || allowed.find(value[0]) == std::string_view::npos)) {
                fail(where() + ": " + field + " " + quoted(value) + " is not " + list +
                     " or empty");
            }
        };
        one_of(card.grade_source, "123", "grade_source", "1, 2, 3");
        one_of(card.grade_intelligence, "ABCDE", "grade_intelligence", "A, B, C, D, E");
        one_of(card.grade_handling, "PC", "grade_handling", "P, C");
    }

public:
    /// YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.fraction]]Z with real dates and
    /// times (no leap seconds: i2 and Gephi have none).
    static bool is_timestamp(std::string_view text) {
        const auto digits = [&](std::size_t at, std::size_t count, int& value) {
            if (at + count > text.size()) {
                return false;
            }
            value = 0;
            for (std::size_t k = at; k < at + count; ++k) {
                if (text[k] < '0' || text[k] > '9') {
                    return false;
                }
                value = value * 10 + (text[k] - '0');
            }
            return true;
        };
        int year = 0;
        int month = 0;
        int day = 0;
        if (!digits(0, 4, year) || text.size() < 10 || text[4] != '-' || !digits(5, 2, month) ||
            text[7] != '-' || !digits(8, 2, day)) {
            return false;
        }
        static constexpr std::array<int, 12> month_days = {31, 28, 31, 30, 31, 30,
                                                           31, 31, 30, 31, 30, 31};
        if (month < 1 || month > 12) {
            return false;
        }
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        const int last = month_days[static_cast<std::size_t>(month - 1)] + (month == 2 && leap);
        if (day < 1 || day > last) {
            return false;
        }
        if (text.size() == 10) {
            return true;
        }
        int hour = 0;
        int minute = 0;
        if (text[10] != 'T' || !digits(11, 2, hour) || text.size() < 17 || text[13] != ':' ||
            !digits(14, 2, minute) || hour > 23 || minute > 59) {
            return false;
        }
        std::size_t at = 16;
        if (at < text.size() && text[at] == ':') {
            int second = 0;
            if (!digits(at + 1, 2, second) || second > 59) {
                return false;
            }
            at += 3;
            if (at < text.size() && text[at] == '.') {
                const std::size_t start = ++at;
                while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
                    ++at;
                }
                if (at == start) {
                    return false;
                }
            }
        }
        return at + 1 == text.size() && text[at] == 'Z';
    }

private:
    const GraphDocument& m_document;
    std::string m_prefix;
    std::unordered_map<std::string_view, std::size_t> m_nodes;
};

void validate(const GraphDocument& document, std::string_view format) {
    Validator(document, format).run();
}

// ---- shared helpers for the XML formats -------------------------------------

constexpr const char* xml_declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Title, description and the metadata pairs as one text, for formats with a
/// single description field (GEXF).
std::string description_text(const GraphDocument& document) {
    std::string text;
    const auto paragraph = [&](const std::string& part) {
        if (part.empty()) {
            return;
        }
        if (!text.empty()) {
            text += "\n\n";
        }
        text += part;
    };
    paragraph(document.title);
    paragraph(document.description);
    std::string pairs;
    for (const auto& [name, value] : document.metadata) {
        if (!pairs.empty()) {
            pairs += '\n';
        }
        pairs += name;
        pairs += ": ";
        pairs += value;
    }
    paragraph(pairs);
    return text;
}

// ---- GEXF -------------------------------------------------------------------

const char* gexf_type(AttributeDef::Type type) {
    switch (type) {
    case AttributeDef::Type::text:
        return "string";
    case AttributeDef::Type::integer:
        return "long";
    case AttributeDef::Type::real:
        return "double";
    default:
        return "boolean";
    }
}

void gexf_attributes(std::string& out, const char* kind,
                     const std::vector<std::pair<std::string, std::string>>& builtin,
                     const std::vector<AttributeDef>& defs) {
    out += "    <attributes class=\"";
    out += kind;
    out += "\">\n";
    for (const auto& [id, title] : builtin) {
        out += "      <attribute";
        attribute(out, "id", id);
        attribute(out, "title", title);
        out += " type=\"string\"/>\n";
    }
    for (const AttributeDef& def : defs) {
        out += "      <attribute";
        attribute(out, "id", def.key);
        attribute(out, "title", title_of(def));
        attribute(out, "type", gexf_type(def.type));
        out += "/>\n";
    }
    out += "    </attributes>\n";
}

void gexf_attvalue(std::string& out, std::string_view id, std::string_view value) {
    out += "          <attvalue";
    attribute(out, "for", id);
    attribute(out, "value", value);
    out += "/>\n";
}

void gexf_values(std::string& out, const std::vector<std::optional<Value>>& values,
                 const std::vector<AttributeDef>& defs) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i]) {
            gexf_attvalue(out, defs[i].key, value_text(*values[i]));
        }
    }
}

void gexf_colour(std::string& out, const Colour& colour) {
    out += "        <viz:color r=\"" + std::to_string(colour.r) + "\" g=\"" +
           std::to_string(colour.g) + "\" b=\"" + std::to_string(colour.b) + "\"/>\n";
}

// ---- GraphML ----------------------------------------------------------------

const char* graphml_type(AttributeDef::Type type) {
    switch (type) {
    case AttributeDef::Type::text:
        return "string";
    case AttributeDef::Type::integer:
        return "long";
    case AttributeDef::Type::real:
        return "double";
    default:
        return "boolean";
    }
}

void graphml_key(std::string& out, std::string_view id, const char* scope, std::string_view name,
                 const char* type, std::string_view description) {
    out += "  <key";
    attribute(out, "id", id);
    out += " for=\"";
    out += scope;
    out += '"';
    attribute(out, "attr.name", name);
    out += " attr.type=\"";
    out += type;
    out += '"';
    if (description.empty()) {
        out += "/>\n";
        return;
    }
    out += "><desc>";
    append_text(out, description);
    out += "</desc></key>\n";
}

void graphml_data(std::string& out, const char* indent, std::string_view key,
                  std::string_view value) {
    out += indent;
    out += "<data";
    attribute(out, "key", key);
    out += '>';
    append_text(out, value);
    out += "</data>\n";
}

// ---- ANX --------------------------------------------------------------------

/// i2's colours are Windows COLORREFs: red in the low byte.
std::string colorref(const Colour& colour) {
    return std::to_string(static_cast<std::uint32_t>(colour.r) |
                          (static_cast<std::uint32_t>(colour.g) << 8) |
                          (static_cast<std::uint32_t>(colour.b) << 16));
}

/// Icons of i2's standard library (Images 8.5 "Basic" set) for our entity
/// types when the document gives none.
std::string default_icon(const std::string& type) {
    static const std::map<std::string, std::string> icons = {
        {"child", "Child"}, {"adult", "Person"}, {"unidentified", "Person (Faceless)"},
        {"place", "Place"}, {"vehicle", "Car"},
    };
    const auto it = icons.find(type);
    return it == icons.end() ? "General" : it->second;
}

/// The UK 3×5×2 grading as the GradeOne/GradeTwo/GradeThree string
/// collections: a card's grade is the index of its code here. Index 0 is
/// "-", ungraded: i2's schema makes 0 the default of every Grade…Index, so
/// an item or card without a grade must not land on a real grade.
struct Grading {
    const char* element;
    std::vector<std::pair<char, const char*>> grades;
};

const std::array<Grading, 3>& gradings() {
    static const std::array<Grading, 3> all = {{
        {"GradeOne",
         {{'-', "-"}, {'1', "1 - Reliable"}, {'2', "2 - Untested"}, {'3', "3 - Not reliable"}}},
        {"GradeTwo",
         {{'-', "-"},
          {'A', "A - Known directly to the source"},
          {'B', "B - Known indirectly to the source but corroborated"},
          {'C', "C - Known indirectly to the source"},
          {'D', "D - Not known"},
          {'E', "E - Suspected to be false or malicious"}}},
        {"GradeThree",
         {{'-', "-"},
          {'P', "P - Lawful sharing permitted"},
          {'C', "C - Lawful sharing permitted subject to conditions"}}},
    }};
    return all;
}

/// Index of a validated grade code in its collection; 0 ("-") for none.
std::size_t grade_index(const Grading& grading, const std::string& code) {
    for (std::size_t i = 1; i < grading.grades.size(); ++i) {
        if (!code.empty() && grading.grades[i].first == code[0]) {
            return i;
        }
    }
    return 0;
}

/// "2025-03-01" or "2025-03-01T10:15:00Z" as i2's xs:dateTime without zone
/// ("2025-03-01T10:15:00.000"); i2 keeps date-times in UTC.
std::string anx_datetime(const std::string& date, bool& time_set) {
    time_set = date.size() > 10;
    if (!time_set) {
        return date + "T00:00:00.000";
    }
    std::string seconds = date.size() >= 19 && date[16] == ':' ? date.substr(17, 2) : "00";
    std::string fraction = "000";
    if (date.size() > 20 && date[19] == '.') {
        // Milliseconds are what i2 shows; finer digits are dropped, not rounded.
        const std::string digits = date.substr(20, date.size() - 21);
        fraction = (digits + "000").substr(0, 3);
    }
    return date.substr(0, 16) + ":" + seconds + "." + fraction;
}

const char* anx_type(AttributeDef::Type type) {
    switch (type) {
    case AttributeDef::Type::text:
        return "AttText";
    case AttributeDef::Type::integer:
    case AttributeDef::Type::real:
        return "AttNumber";
    default:
        return "AttFlag";
    }
}

/// i2 attribute classes are chart-wide and shared by entities and links. An
/// edge attribute with exactly the title and type of a node attribute shares
/// its class; any other clash of names (i2 is not known to tell case apart,
/// so names compare without case) gets the key appended, then a number.
class AttributeClasses {
public:
    struct Class {
        std::string id;
        std::string name;
        const char* type;
        bool shared = false;
    };

    explicit AttributeClasses(std::function<std::string()> new_id) : m_new_id(std::move(new_id)) {}

    std::size_t add(const std::string& title, const std::string& key, const char* type,
                    bool may_share) {
        const auto it = m_by_name.find(lower(title));
        if (may_share && it != m_by_name.end()) {
            Class& existing = m_classes[it->second];
            if (existing.name == title && std::string_view(existing.type) == type &&
                !existing.shared) {
                existing.shared = true;
                return it->second;
            }
        }
        std::string name = title;
        if (m_by_name.count(lower(name)) != 0) {
            name = title + " (" + key + ")";
        }
        for (int n = 2; m_by_name.count(lower(name)) != 0; ++n) {
            name = title + " (" + key + ") " + std::to_string(n);
        }
        m_by_name.emplace(lower(name), m_classes.size());
        m_classes.push_back({m_new_id(), name, type});
        return m_classes.size() - 1;
    }

    const std::vector<Class>& classes() const { return m_classes; }

private:
    std::function<std::string()> m_new_id;
    std::vector<Class> m_classes;
    std::unordered_map<std::string, std::size_t> m_by_name;
};

// ---- CSV --------------------------------------------------------------------

/// True for a cell a spreadsheet would run as a formula (OWASP's list: =, +,
/// -, @, tab and CR first), also after leading spaces, which some
/// spreadsheets trim before they look.
bool formula_like(std::string_view cell) {
    if (cell.empty()) {
        return false;
    }
    if (cell[0] == '\t' || cell[0] == '\r') {
        return true;
    }
    const auto first = cell.find_first_not_of(' ');
    if (first == std::string_view::npos) {
        return false;
    }
    const char c = cell[first];
    return c == '=' || c == '+' || c == '-' || c == '@';
}

void csv_field(std::string& out, std::string_view cell) {
    if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += cell;
        return;
    }
    out += '"';
    for (const char c : cell) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
}

/// A cell holding text: cleaned, defused with a leading apostrophe when it
/// looks like a formula, quoted when needed.
void csv_text(std::string& out, std::string_view raw) {
    std::string cell = clean(raw);
    if (formula_like(cell)) {
        cell.insert(cell.begin(), '\'');
    }
    csv_field(out, cell);
}

/// A cell holding a value: numbers and booleans as written by number() and
/// "true"/"false", which cannot be formulas (see the format notes), text as
/// csv_text().
void csv_value(std::string& out, const std::optional<Value>& value) {
    if (!value) {
        return;
    }
    if (value->index() == 0) {
        csv_text(out, std::get<std::string>(*value));
    } else {
        out += value_text(*value);
    }
}

} // namespace

// ---- GEXF -------------------------------------------------------------------

void write_gexf(const GraphDocument& document, std::ostream& stream) {
    validate(document, "GEXF");
    Sink sink(stream, "GEXF");
    std::string& out = sink.text();
    out += xml_declaration;
    out += "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" "
           "version=\"1.3\">\n";
    out += "  <meta";
    if (!document.generated_at.empty()) {
        attribute(out, "lastmodifieddate", document.generated_at.substr(0, 10));
    }
    out += ">\n";
    if (!document.creator.empty()) {
        out += "    <creator>";
        append_text(out, document.creator);
        out += "</creator>\n";
    }
    const std::string description = description_text(document);
    if (!description.empty()) {
        out += "    <description>";
        append_text(out, description);
        out += "</description>\n";
    }
    out += "  </meta>\n";
    out += "  <graph defaultedgetype=\"undirected\" mode=\"static\" idtype=\"string\">\n";
    gexf_attributes(out, "node", {{"type", "type"}}, document.node_attributes);
    // Gephi shows an edge's direction in its own Type column and reads `kind`
    // as the edge's type; the link type as a column is link_type.
    gexf_attributes(out, "edge", {{"link_type", "link_type"}, {"strength", "strength"}},
                    document.edge_attributes);

    out += "    <nodes count=\"" + std::to_string(document.nodes.size()) + "\">\n";
    for (const DocNode& node : document.nodes) {
        out += "      <node";
        attribute(out, "id", node.id);
        attribute(out, "label", node.label);
        out += ">\n        <attvalues>\n";
        gexf_attvalue(out, "type", node.type);
        gexf_values(out, node.values, document.node_attributes);
        out += "        </attvalues>\n";
        gexf_colour(out, node.colour);
        out += "        <viz:size value=\"" + number(node.size) + "\"/>\n";
        out += "      </node>\n";
        sink.flush_if_full();
    }
    out += "    </nodes>\n";

    out += "    <edges count=\"" + std::to_string(document.edges.size()) + "\">\n";
    for (const DocEdge& edge : document.edges) {
        out += "      <edge";
        attribute(out, "id", edge.id);
        attribute(out, "source", edge.source);
        attribute(out, "target", edge.target);
        out += " type=\"undirected\"";
        attribute(out, "kind", edge.type);
        attribute(out, "label", edge.label);
        out += " weight=\"" + number(edge.weight) + "\">\n";
        out += "        <attvalues>\n";
        gexf_attvalue(out, "link_type", edge.type);
        gexf_attvalue(out, "strength", edge.strength);
        gexf_values(out, edge.values, document.edge_attributes);
        out += "        </attvalues>\n";
        gexf_colour(out, edge.colour);
        out += "      </edge>\n";
        sink.flush_if_full();
    }
    out += "    </edges>\n  </graph>\n</gexf>\n";
    sink.finish();
}

// ---- GraphML ----------------------------------------------------------------

void write_graphml(const GraphDocument& document, std::ostream& stream) {
    validate(document, "GraphML");
    Sink sink(stream, "GraphML");
    std::string& out = sink.text();
    out += xml_declaration;
    out += "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
           "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n";

    // Key ids are generated (g0, n0, e0…) so that any attribute key is safe
    // as an id; attr.name carries the key itself.
    static const std::array<const char*, 4> header_names = {"title", "description", "creator",
                                                            "generated_at"};
    const std::array<const std::string*, 4> header_values = {
        &document.title, &document.description, &document.creator, &document.generated_at};
    for (std::size_t i = 0; i < header_names.size(); ++i) {
        graphml_key(out, std::string("graph_") + header_names[i], "graph", header_names[i],
                    "string", "");
    }
    for (std::size_t i = 0; i < document.metadata.size(); ++i) {
        graphml_key(out, "g" + std::to_string(i), "graph", document.metadata[i].first, "string",
                    "");
    }
    graphml_key(out, "node_label", "node", "label", "string", "");
    graphml_key(out, "node_type", "node", "type", "string", "");
    for (std::size_t i = 0; i < document.node_attributes.size(); ++i) {
        const AttributeDef& def = document.node_attributes[i];
        graphml_key(out, "n" + std::to_string(i), "node", def.key, graphml_type(def.type),
                    def.title);
    }
    graphml_key(out, "edge_label", "edge", "label", "string", "");
    graphml_key(out, "edge_type", "edge", "type", "string", "");
    graphml_key(out, "edge_weight", "edge", "weight", "double", "");
    graphml_key(out, "edge_strength", "edge", "strength", "string", "");
    for (std::size_t i = 0; i < document.edge_attributes.size(); ++i) {
        const AttributeDef& def = document.edge_attributes[i];
        graphml_key(out, "e" + std::to_string(i), "edge", def.key, graphml_type(def.type),
                    def.title);
    }

    out += "  <graph id=\"G\" edgedefault=\"undirected\">\n";
    for (std::size_t i = 0; i < header_names.size(); ++i) {
        if (!header_values[i]->empty()) {
            graphml_data(out, "    ", std::string("graph_") + header_names[i], *header_values[i]);
        }
    }
    for (std::size_t i = 0; i < document.metadata.size(); ++i) {
        graphml_data(out, "    ", "g" + std::to_string(i), document.metadata[i].second);
    }
    for (const DocNode& node : document.nodes) {
        out += "    <node";
        attribute(out, "id", node.id);
        out += ">\n";
        graphml_data(out, "      ", "node_label", node.label);
        graphml_data(out, "      ", "node_type", node.type);
        for (std::size_t i = 0; i < node.values.size(); ++i) {
            if (node.values[i]) {
                graphml_data(out, "      ", "n" + std::to_string(i), value_text(*node.values[i]));
            }
        }
        out += "    </node>\n";
        sink.flush_if_full();
    }
    for (const DocEdge& edge : document.edges) {
        out += "    <edge";
        attribute(out, "id", edge.id);
        attribute(out, "source", edge.source);
        attribute(out, "target", edge.target);
        out += ">\n";
        graphml_data(out, "      ", "edge_label", edge.label);
        graphml_data(out, "      ", "edge_type", edge.type);
        graphml_data(out, "      ", "edge_weight", number(edge.weight));
        graphml_data(out, "      ", "edge_strength", edge.strength);
        for (std::size_t i = 0; i < edge.values.size(); ++i) {
            if (edge.values[i]) {
                graphml_data(out, "      ", "e" + std::to_string(i), value_text(*edge.values[i]));
            }
        }
        out += "    </edge>\n";
        sink.flush_if_full();
    }
    out += "  </graph>\n</graphml>\n";
    sink.finish();
}

// ---- ANX --------------------------------------------------------------------

void write_anx(const GraphDocument& document, std::ostream& stream) {
    validate(document, "ANX");
    Sink sink(stream, "ANX");
    std::string& out = sink.text();

    // Every Id of the chart (strengths, grade strings, attribute classes,
    // types, chart items) is an xs:ID: one namespace, NCName values.
    std::size_t next_id = 0;
    const std::function<std::string()> new_id = [&] { return "ID" + std::to_string(++next_id); };

    out += xml_declaration;
    // IdReferenceLinking="false": links name their ends by Entity/@EntityId
    // (End1Id/End2Id), not by IDREFs to chart items.
    out += "<Chart IdReferenceLinking=\"false\">\n";

    // Chart children in the schema's order: GradeOne, GradeTwo, GradeThree,
    // SourceHints, StrengthCollection, AttributeClassCollection,
    // EntityTypeCollection, LinkTypeCollection, Summary, ChartItemCollection,
    // PaletteCollection.
    for (const Grading& grading : gradings()) {
        out += "  <";
        out += grading.element;
        out += ">\n    <StringCollection>\n";
        for (const auto& [code, text] : grading.grades) {
            out += "      <String Id=\"" + new_id() + "\"";
            attribute(out, "Text", text);
            out += "/>\n";
        }
        out += "    </StringCollection>\n  </";
        out += grading.element;
        out += ">\n";
    }

    std::vector<std::string> source_types;
    {
        std::set<std::string> seen;
        for (const DocEdge& edge : document.edges) {
            for (const Card& card : edge.cards) {
                if (!card.source_type.empty() && seen.insert(card.source_type).second) {
                    source_types.push_back(card.source_type);
                }
            }
        }
    }
    if (!source_types.empty()) {
        out += "  <SourceHints>\n    <StringCollection>\n";
        for (const std::string& type : source_types) {
            out += "      <String Id=\"" + new_id() + "\"";
            attribute(out, "Text", type);
            out += "/>\n";
        }
        out += "    </StringCollection>\n  </SourceHints>\n";
    }

    static const std::array<std::array<const char*, 3>, 3> strengths = {{
        {"confirmed", "Confirmed", "DotStyleSolid"},
        {"unconfirmed", "Unconfirmed", "DotStyleDashed"},
        {"tentative", "Tentative", "DotStyleDotted"},
    }};
    std::map<std::string, const char*> strength_name;
    out += "  <StrengthCollection>\n";
    for (const auto& [key, name, dots] : strengths) {
        strength_name[key] = name;
        out += "    <Strength Id=\"" + new_id() + "\" Name=\"" + name + "\" DotStyle=\"" + dots +
               "\"/>\n";
    }
    out += "  </StrengthCollection>\n";

    AttributeClasses classes(new_id);
    std::vector<std::size_t> node_class;
    for (const AttributeDef& def : document.node_attributes) {
        node_class.push_back(classes.add(title_of(def), def.key, anx_type(def.type), false));
    }
    std::vector<std::size_t> edge_class;
    for (const AttributeDef& def : document.edge_attributes) {
        edge_class.push_back(classes.add(title_of(def), def.key, anx_type(def.type), true));
    }
    // A link's weight is its own class: a node attribute titled "Weight"
    // means something else, and add() gives this one a free name then.
    const std::size_t weight_class = classes.add("Weight", "weight", "AttNumber", false);
    out += "  <AttributeClassCollection>\n";
    for (const AttributeClasses::Class& c : classes.classes()) {
        out += "    <AttributeClass";
        attribute(out, "Id", c.id);
        attribute(out, "Name", c.name);
        out += " Type=\"";
        out += c.type;
        // Not Visible: a network carries a dozen measures per node, and the
        // chart opens readable; the analyst shows the ones wanted. ShowValue:
        // without it i2 shows a shown attribute without its value. Both are
        // written because the sources disagree on their defaults.
        out += "\" Visible=\"false\" ShowValue=\"true\" IsUser=\"true\" UserCanAdd=\"true\" "
               "UserCanRemove=\"true\"/>\n";
    }
    out += "  </AttributeClassCollection>\n";

    struct Type {
        std::string id;
        std::string icon;
        Colour colour;
    };
    std::vector<std::string> entity_order;
    std::map<std::string, Type> entity_types;
    for (const DocNode& node : document.nodes) {
        if (entity_types.find(node.type) == entity_types.end()) {
            entity_order.push_back(node.type);
            // The type's icon is our default for the type, not the first
            // node's: a node's own icon is an override of it (below).
            entity_types[node.type] = {new_id(), default_icon(node.type), node.colour};
        }
    }
    out += "  <EntityTypeCollection>\n";
    for (const std::string& name : entity_order) {
        const Type& type = entity_types[name];
        out += "    <EntityType";
        attribute(out, "Id", type.id);
        attribute(out, "Name", name);
        attribute(out, "IconFile", type.icon);
        out += " PreferredRepresentation=\"RepresentAsIcon\"/>\n";
    }
    out += "  </EntityTypeCollection>\n";

    std::vector<std::string> link_order;
    std::map<std::string, Type> link_types;
    for (const DocEdge& edge : document.edges) {
        if (link_types.find(edge.type) == link_types.end()) {
            link_order.push_back(edge.type);
            link_types[edge.type] = {new_id(), "", edge.colour};
        }
    }
    out += "  <LinkTypeCollection>\n";
    for (const std::string& name : link_order) {
        const Type& type = link_types[name];
        out += "    <LinkType";
        attribute(out, "Id", type.id);
        attribute(out, "Name", name);
        out += " Colour=\"" + colorref(type.colour) + "\"/>\n";
    }
    out += "  </LinkTypeCollection>\n";

    out += "  <Summary>\n    <FieldCollection>\n";
    const std::array<std::pair<const char*, const std::string*>, 3> fields = {{
        {"SummaryFieldTitle", &document.title},
        {"SummaryFieldComments", &document.description},
        {"SummaryFieldAuthor", &document.creator},
    }};
    for (const auto& [type, value] : fields) {
        if (!value->empty()) {
            out += "      <Field";
            attribute(out, "Field", *value);
            out += " Type=\"";
            out += type;
            out += "\"/>\n";
        }
    }
    out += "    </FieldCollection>\n    <CustomPropertyCollection>\n";
    std::vector<std::pair<std::string, std::string>> properties;
    if (!document.generated_at.empty()) {
        properties.emplace_back("Generated at", document.generated_at);
    }
    properties.insert(properties.end(), document.metadata.begin(), document.metadata.end());
    for (const auto& [name, value] : properties) {
        out += "      <CustomProperty";
        attribute(out, "Name", name);
        out += " Type=\"String\"";
        attribute(out, "Value", value);
        out += "/>\n";
    }
    out += "    </CustomPropertyCollection>\n  </Summary>\n";
    sink.flush_if_full();

    const auto attribute_element = [&](const AttributeClasses::Class& c, const std::string& value) {
        out += "        <Attribute";
        attribute(out, "AttributeClass", c.name);
        attribute(out, "AttributeClassReference", c.id);
        attribute(out, "Value", value);
        out += "/>\n";
    };

    out += "  <ChartItemCollection>\n";
    // Entities on a square grid in document order, so that nothing sits on
    // top of anything else; analysts re-arrange with i2's own layouts.
    const auto columns = static_cast<std::size_t>(
        std::ceil(std::sqrt(static_cast<double>(std::max<std::size_t>(document.nodes.size(), 1)))));
    constexpr int spacing = 150;
    std::unordered_map<std::string_view, std::size_t> entity_id;
    for (std::size_t i = 0; i < document.nodes.size(); ++i) {
        const DocNode& node = document.nodes[i];
        entity_id.emplace(node.id, i + 1);
        const Type& type = entity_types[node.type];
        const std::string x = std::to_string(static_cast<int>(i % columns) * spacing);
        const std::string y = std::to_string(static_cast<int>(i / columns) * spacing);
        const std::string& label = node.label.empty() ? node.id : node.label;
        out += "    <ChartItem Id=\"" + new_id() + "\"";
        attribute(out, "Label", label);
        out += " XPosition=\"" + x + "\">\n";
        out += "      <End X=\"" + x + "\" Y=\"" + y + "\" Z=\"0\">\n";
        out += "        <Entity EntityId=\"" + std::to_string(i + 1) + "\"";
        attribute(out, "Identity", node.id);
        out += label == node.id ? " LabelIsIdentity=\"true\">\n" : " LabelIsIdentity=\"false\">\n";
        out += "          <Icon>\n            <IconStyle";
        attribute(out, "Type", node.type);
        attribute(out, "EntityTypeReference", type.id);
        if (!node.icon.empty() && node.icon != type.icon) {
            out += " OverrideTypeIcon=\"true\"";
            attribute(out, "TypeIconName", node.icon);
        }
        out += "/>\n          </Icon>\n        </Entity>\n      </End>\n";
        bool any = false;
        for (std::size_t a = 0; a < node.values.size(); ++a) {
            if (!node.values[a]) {
                continue;
            }
            if (!any) {
                out += "      <AttributeCollection>\n";
                any = true;
            }
            attribute_element(classes.classes()[node_class[a]], value_text(*node.values[a]));
        }
        if (any) {
            out += "      </AttributeCollection>\n";
        }
        out += "    </ChartItem>\n";
        sink.flush_if_full();
    }

    for (const DocEdge& edge : document.edges) {
        const Type& type = link_types[edge.type];
        out += "    <ChartItem Id=\"" + new_id() + "\"";
        attribute(out, "Label", edge.label);
        out += ">\n";
        out += "      <Link End1Id=\"" + std::to_string(entity_id.at(edge.source)) +
               "\" End2Id=\"" + std::to_string(entity_id.at(edge.target)) + "\">\n";
        // The schema's Link content: CardCollection, then LinkStyle.
        if (!edge.cards.empty()) {
            out += "        <CardCollection>\n";
            for (const Card& card : edge.cards) {
                out += "          <Card";
                if (!card.summary.empty()) {
                    attribute(out, "Summary", card.summary);
                }
                bool time_set = false;
                if (!card.date.empty()) {
                    const std::string when = anx_datetime(card.date, time_set);
                    out += " DateSet=\"true\" TimeSet=\"";
                    out += time_set ? "true" : "false";
                    out += "\" DateTime=\"" + when + "\"";
                }
                const std::array<const std::string*, 3> codes = {
                    &card.grade_source, &card.grade_intelligence, &card.grade_handling};
                static const std::array<const char*, 3> index_names = {
                    "GradeOneIndex", "GradeTwoIndex", "GradeThreeIndex"};
                // Always written, "-" included: what an absent index means
                // is the one thing about grades the sources disagree on.
                for (std::size_t g = 0; g < codes.size(); ++g) {
                    out += ' ';
                    out += index_names[g];
                    out += "=\"" + std::to_string(grade_index(gradings()[g], *codes[g])) + "\"";
                }
                if (!card.source_reference.empty()) {
                    attribute(out, "SourceReference", card.source_reference);
                }
                if (!card.source_type.empty()) {
                    attribute(out, "SourceType", card.source_type);
                }
                if (time_set) {
                    // Our times are UTC; i2's time zone 1 is UTC.
                    out += ">\n            <TimeZone UniqueID=\"1\" Name=\"UTC\"/>\n"
                           "          </Card>\n";
                } else {
                    out += "/>\n";
                }
            }
            out += "        </CardCollection>\n";
        }
        out += "        <LinkStyle";
        attribute(out, "Type", edge.type);
        attribute(out, "LinkTypeReference", type.id);
        out += " Strength=\"";
        out += strength_name.at(edge.strength);
        out += "\" ArrowStyle=\"ArrowNone\" LineColour=\"" + colorref(edge.colour) + "\"/>\n";
        out += "      </Link>\n";
        out += "      <AttributeCollection>\n";
        attribute_element(classes.classes()[weight_class], number(edge.weight));
        for (std::size_t a = 0; a < edge.values.size(); ++a) {
            if (edge.values[a]) {
                attribute_element(classes.classes()[edge_class[a]], value_text(*edge.values[a]));
            }
        }
        out += "      </AttributeCollection>\n";
        out += "    </ChartItem>\n";
        sink.flush_if_full();
    }
    out += "  </ChartItemCollection>\n";

    // One palette with our types and classes, so that analysts can add items
    // of the same kinds by hand.
    out += "  <PaletteCollection>\n    <Palette Name=\"Waymark\">\n";
    out += "      <AttributeClassEntryCollection>\n";
    for (const AttributeClasses::Class& c : classes.classes()) {
        out += "        <AttributeClassEntry";
        attribute(out, "AttributeClass", c.name);
        attribute(out, "AttributeClassReference", c.id);
        out += "/>\n";
    }
    out += "      </AttributeClassEntryCollection>\n      <EntityTypeEntryCollection>\n";
    for (const std::string& name : entity_order) {
        out += "        <EntityTypeEntry";
        attribute(out, "Entity", name);
        attribute(out, "EntityTypeReference", entity_types[name].id);
        out += "/>\n";
    }
    out += "      </EntityTypeEntryCollection>\n      <LinkTypeEntryCollection>\n";
    for (const std::string& name : link_order) {
        out += "        <LinkTypeEntry";
        attribute(out, "LinkType", name);
        attribute(out, "LinkTypeReference", link_types[name].id);
        out += "/>\n";
    }
    out += "      </LinkTypeEntryCollection>\n    </Palette>\n  </PaletteCollection>\n";
    out += "</Chart>\n";
    sink.finish();
}

// ---- CSV --------------------------------------------------------------------

void write_csv_nodes(const GraphDocument& document, std::ostream& stream) {
    validate(document, "CSV nodes");
    Sink sink(stream, "CSV nodes");
    std::string& out = sink.text();
    out += "id,label,type";
    for (const AttributeDef& def : document.node_attributes) {
        out += ',';
        csv_text(out, def.key);
    }
    out += "\r\n";
    for (const DocNode& node : document.nodes) {
        csv_text(out, node.id);
        out += ',';
        csv_text(out, node.label);
        out += ',';
        csv_text(out, node.type);
        for (const auto& value : node.values) {
            out += ',';
            csv_value(out, value);
        }
        out += "\r\n";
        sink.flush_if_full();
    }
    sink.finish();
}

void write_csv_edges(const GraphDocument& document, std::ostream& stream) {
    validate(document, "CSV edges");
    Sink sink(stream, "CSV edges");
    std::string& out = sink.text();
    out += "id,source,target,type,weight,strength";
    for (const AttributeDef& def : document.edge_attributes) {
        out += ',';
        csv_text(out, def.key);
    }
    out += "\r\n";
    for (const DocEdge& edge : document.edges) {
        csv_text(out, edge.id);
        out += ',';
        csv_text(out, edge.source);
        out += ',';
        csv_text(out, edge.target);
        out += ',';
        csv_text(out, edge.type);
        out += ',';
        out += number(edge.weight);
        out += ',';
        csv_text(out, edge.strength);
        for (const auto& value : edge.values) {
            out += ',';
            csv_value(out, value);
        }
        out += "\r\n";
        sink.flush_if_full();
    }
    sink.finish();
}

} // namespace waymark::graph
