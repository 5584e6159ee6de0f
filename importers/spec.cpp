#include "importers/spec.hpp"

#include "base/error.hpp"
#include "engine/model/columns.hpp"
#include "importers/datetime.hpp"
#include "importers/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace waymark::importers {
namespace {

using json = nlohmann::ordered_json; // keeps `columns` in the order of the file

constexpr std::string_view known_keys[] = {"kind",   "delimiter",        "encoding", "columns",
                                           "values", "datetime_formats", "defaults"};

std::string listed(auto&& names) {
    std::string list;
    for (std::string_view name : names) {
        list += list.empty() ? "" : ", ";
        list += name;
    }
    return list;
}

std::string lowered(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return result;
}

/// A value as the user wrote it, cut short if long.
std::string shown(const json& value) {
    std::string text = value.dump();
    constexpr std::size_t limit = 60;
    if (text.size() > limit) {
        // Cut before a UTF-8 continuation byte, never inside a character.
        std::size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
            --cut;
        }
        text = text.substr(0, cut) + "…";
    }
    return text;
}

std::string in_quotes(std::string_view text) {
    return json(text).dump();
}

std::string joined(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

// nlohmann::json keeps the last of repeated keys without a word; in a spec a
// repeated key (two mappings for "sex") is a mistake, so it is found here.
class DuplicateKeyFinder {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            m_frames.push_back({m_frames.empty()
                                    ? std::string()
                                    : joined(m_frames.back().path, m_frames.back().last),
                                {},
                                {}});
            break;
        case json::parse_event_t::key: {
            Frame& frame = m_frames.back();
            frame.last = parsed.get<std::string>();
            if (!frame.keys.insert(frame.last).second && m_duplicate.empty()) {
                m_duplicate = joined(frame.path, frame.last);
            }
            break;
        }
        case json::parse_event_t::object_end:
            m_frames.pop_back();
            break;
        default:
            break;
        }
        return true;
    }

    const std::string& duplicate() const { return m_duplicate; }

private:
    struct Frame {
        std::string path;
        std::set<std::string> keys;
        std::string last;
    };
    std::vector<Frame> m_frames;
    std::string m_duplicate;
};

class SpecReader {
public:
    SpecReader(std::string_view source, std::span<const std::string_view> canonical)
        : m_source(source), m_canonical(canonical) {}

    [[noreturn]] void fail(std::string_view where, std::string_view problem) const {
        throw InputError("import spec " + std::string(m_source) + ": " +
                         (where.empty() ? std::string() : std::string(where) + ": ") +
                         std::string(problem));
    }

    void read(const json& document, std::string_view expected_kind, ImportSpec& spec) {
        if (!document.is_object()) {
            fail("", "must be a JSON object, not " + shown(document));
        }
        for (const auto& [key, value] : document.items()) {
            if (std::find(std::begin(known_keys), std::end(known_keys), key) ==
                std::end(known_keys)) {
                fail(key, "unknown key (known: " + listed(known_keys) + ")");
            }
        }
        read_kind(document, expected_kind, spec);
        read_delimiter(document, spec);
        read_encoding(document, spec);
        read_columns(document, spec);
        read_values(document, spec);
        read_formats(document, spec);
        read_defaults(document, spec);
    }

private:
    const json* find(const json& object, std::string_view key) const {
        const auto it = object.find(key);
        return it == object.end() ? nullptr : &*it;
    }

    std::string string_at(const json& value, const std::string& where, bool allow_empty) const {
        if (!value.is_string()) {
            fail(where, "must be a string, not " + shown(value));
        }
        std::string text = value.get<std::string>();
        if (text.empty() && !allow_empty) {
            fail(where, "must not be empty");
        }
        return text;
    }

    const json& object_at(const json& value, const std::string& where,
                          std::string_view what) const {
        if (!value.is_object()) {
            fail(where, "must be an object (" + std::string(what) + "), not " + shown(value));
        }
        return value;
    }

    /// A key of columns/values/defaults must name a canonical column.
    void check_canonical(const std::string& name, const std::string& where,
                         const json* reversed_hint = nullptr) const {
        if (m_canonical.empty() ||
            std::find(m_canonical.begin(), m_canonical.end(), name) != m_canonical.end()) {
            return;
        }
        std::string problem = "unknown " + m_kind + (m_json_lines ? " field" : " column");
        // {"Occurrence Ref": "episode_id"} is the mapping written the wrong way round.
        if (reversed_hint != nullptr && reversed_hint->is_string() &&
            std::find(m_canonical.begin(), m_canonical.end(), reversed_hint->get<std::string>()) !=
                m_canonical.end()) {
            problem += " (columns map the canonical name to the source name: " +
                       in_quotes(reversed_hint->get<std::string>()) + ": " + in_quotes(name) + ")";
        } else {
            problem += " (known: " + listed(m_canonical) + ")";
        }
        fail(where, problem);
    }

    void read_kind(const json& document, std::string_view expected_kind, ImportSpec& spec) {
        const json* value = find(document, "kind");
        if (value == nullptr) {
            fail("kind", "missing (one of: " + listed(import_kinds) + ")");
        }
        spec.kind = string_at(*value, "kind", true);
        if (std::find(import_kinds.begin(), import_kinds.end(), spec.kind) == import_kinds.end()) {
            fail("kind", in_quotes(spec.kind) + " is not one of: " + listed(import_kinds));
        }
        if (!expected_kind.empty() && spec.kind != expected_kind) {
            fail("kind", "the spec is for " + spec.kind + " files, but " +
                             std::string(expected_kind) + " are being imported");
        }
        m_kind = spec.kind;
        m_json_lines = is_json_lines_kind(spec.kind);
    }

    void read_delimiter(const json& document, ImportSpec& spec) const {
        const json* value = find(document, "delimiter");
        if (value == nullptr) {
            return;
        }
        if (m_json_lines) {
            fail("delimiter", "not used for " + m_kind + " files (JSON Lines); remove it");
        }
        const std::string text = string_at(*value, "delimiter", true);
        if (text.size() != 1 || static_cast<unsigned char>(text[0]) >= 0x80) {
            fail("delimiter", "must be exactly one character (e.g. \",\", \";\", \"|\" or "
                              "\"\\t\"), not " +
                                  shown(*value));
        }
        if (text[0] == '"' || text[0] == '\n' || text[0] == '\r') {
            fail("delimiter", "cannot be a double quote or a line break");
        }
        spec.delimiter = text[0];
    }

    void read_encoding(const json& document, ImportSpec& spec) const {
        const json* value = find(document, "encoding");
        if (value == nullptr) {
            return;
        }
        const std::string name = lowered(string_at(*value, "encoding", true));
        if (name == "utf-8" || name == "utf8") {
            spec.encoding = "utf-8";
        } else if (name == "windows-1252" || name == "cp1252") {
            spec.encoding = "windows-1252";
        } else {
            fail("encoding", shown(*value) + " is not supported (one of: utf-8, windows-1252)");
        }
    }

    void read_columns(const json& document, ImportSpec& spec) const {
        const json* value = find(document, "columns");
        if (value == nullptr) {
            return;
        }
        const json& columns = object_at(*value, "columns",
                                        m_json_lines ? "canonical field → source field"
                                                     : "canonical column → source column");
        for (const auto& [canonical, source] : columns.items()) {
            const std::string where = "columns." + canonical;
            check_canonical(canonical, where, &source);
            std::string name = string_at(source, where, false);
            for (const auto& [other, earlier] : spec.columns) {
                if (earlier == name) {
                    fail(where, "source " + std::string(m_json_lines ? "field " : "column ") +
                                    in_quotes(name) + " is already mapped to " + other);
                }
            }
            spec.columns.emplace_back(canonical, std::move(name));
        }
    }

    /// In JSON Lines, values and defaults apply to top-level fields holding a
    /// string or a boolean; value maps also to the codes of an array of codes.
    void check_json_value_field(const std::string& canonical, const std::string& where,
                                bool is_default) const {
        if (!m_json_lines) {
            return;
        }
        const auto is_in = [&](const auto& fields) {
            return std::find(fields.begin(), fields.end(), canonical) != fields.end();
        };
        const std::string applies = std::string(is_default ? "defaults" : "value maps") +
                                    " apply to " + m_kind +
                                    " fields holding a string or a boolean" +
                                    (is_default ? "" : ", and to the codes of an array of codes");
        if (is_in(model::json_object_fields)) {
            fail(where, canonical + " holds objects: " + applies);
        }
        if (is_default && is_in(model::json_code_list_fields)) {
            fail(where, canonical + " holds an array of codes: " + applies);
        }
    }

    void read_values(const json& document, ImportSpec& spec) const {
        const json* value = find(document, "values");
        if (value == nullptr) {
            return;
        }
        const json& fields = object_at(*value, "values", "canonical field → value map");
        for (const auto& [canonical, map] : fields.items()) {
            const std::string where = "values." + canonical;
            check_canonical(canonical, where);
            check_json_value_field(canonical, where, false);
            object_at(map, where, "source value → canonical value");
            auto& target = spec.values[canonical];
            for (const auto& [from, to] : map.items()) {
                const std::string at = where + "." + in_quotes(from);
                if (from.empty()) {
                    fail(at, "an empty source value cannot be mapped (use defaults for "
                             "empty values)");
                }
                target.emplace(from, string_at(to, at, true));
            }
        }
    }

    void read_formats(const json& document, ImportSpec& spec) const {
        const json* value = find(document, "datetime_formats");
        if (value == nullptr) {
            return;
        }
        if (!value->is_array()) {
            fail("datetime_formats", "must be an array of strings, not " + shown(*value));
        }
        for (std::size_t i = 0; i < value->size(); ++i) {
            const std::string where = "datetime_formats[" + std::to_string(i) + "]";
            std::string format = string_at((*value)[i], where, true);
            if (const std::string problem = check_datetime_format(format); !problem.empty()) {
                fail(where, in_quotes(format) + ": " + problem);
            }
            spec.datetime_formats.push_back(std::move(format));
        }
    }

    void read_defaults(const json& document, ImportSpec& spec) const {
        const json* value = find(document, "defaults");
        if (value == nullptr) {
            return;
        }
        const json& defaults =
            object_at(*value, "defaults", "canonical column → value when absent or empty");
        for (const auto& [canonical, text] : defaults.items()) {
            const std::string where = "defaults." + canonical;
            check_canonical(canonical, where);
            check_json_value_field(canonical, where, true);
            spec.defaults.emplace(canonical, string_at(text, where, false));
        }
    }

    std::string_view m_source;
    std::span<const std::string_view> m_canonical;
    std::string m_kind;
    bool m_json_lines = false;
};

} // namespace

bool is_json_lines_kind(std::string_view kind) {
    return kind == "rhi" || kind == "cpi";
}

std::string_view source_name(const ImportSpec* spec, std::string_view canonical) {
    if (spec != nullptr) {
        for (const auto& [target, source] : spec->columns) {
            if (target == canonical) {
                return source;
            }
        }
    }
    return canonical;
}

std::string_view ValueRules::apply(std::string_view text) const {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    if (text.empty()) {
        return default_value;
    }
    if (values != nullptr) {
        const auto it = values->find(std::string(text));
        if (it != values->end()) {
            return it->second;
        }
    }
    return text;
}

ValueRules value_rules(const ImportSpec* spec, std::string_view canonical) {
    ValueRules rules;
    if (spec == nullptr) {
        return rules;
    }
    const std::string name(canonical);
    if (const auto it = spec->defaults.find(name); it != spec->defaults.end()) {
        rules.default_value = it->second;
    }
    if (const auto it = spec->values.find(name); it != spec->values.end()) {
        rules.values = &it->second;
    }
    return rules;
}

ImportSpec parse_import_spec(std::string_view text, std::string_view source,
                             std::span<const std::string_view> canonical_columns,
                             std::string_view expected_kind) {
    SpecReader reader(source, canonical_columns);
    json document;
    DuplicateKeyFinder duplicates;
    if (const auto line = json_too_deep(text)) {
        reader.fail("line " + std::to_string(*line), json_too_deep_message());
    }
    try {
        document = json::parse(text, std::ref(duplicates));
    } catch (const json::exception& error) {
        // parse_error, or out_of_range for a number too large for a double
        // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error…"
        std::string message = error.what();
        if (const auto at = message.find("] "); at != std::string::npos) {
            message = message.substr(at + 2);
        }
        std::string where;
        constexpr std::string_view prefix = "parse error at ";
        if (message.starts_with(prefix)) {
            if (const auto colon = message.find(": "); colon != std::string::npos) {
                where = message.substr(prefix.size(), colon - prefix.size());
                message = message.substr(colon + 2);
            }
        }
        reader.fail(where, "invalid JSON: " + message);
    }
    if (!duplicates.duplicate().empty()) {
        reader.fail(duplicates.duplicate(), "repeated key");
    }
    ImportSpec spec;
    reader.read(document, expected_kind, spec);
    return spec;
}

ImportSpec load_import_spec(const std::filesystem::path& path,
                            std::span<const std::string_view> canonical_columns,
                            std::string_view expected_kind) {
    // A directory opens as a stream that then reads as empty: say what it is.
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
        throw IoError("cannot read import spec " + path.string() + ": " + std::strerror(EISDIR));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read import spec " + path.string() + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_import_spec(text.str(), path.string(), canonical_columns, expected_kind);
}

} // namespace waymark::importers
