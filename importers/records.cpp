#include "importers/records.hpp"

#include "base/error.hpp"
#include "engine/model/boolean.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/columns.hpp"
#include "importers/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace waymark::importers {
namespace {

namespace m = waymark::model;
using nlohmann::json;

// The index of a canonical column, found at compile time.
template <std::size_t N>
constexpr std::size_t index_of(const std::array<std::string_view, N>& columns,
                               std::string_view name) {
    for (std::size_t i = 0; i < N; ++i) {
        if (columns[i] == name) {
            return i;
        }
    }
    throw "no such canonical column"; // a compile error when used in a constant expression
}

constexpr std::size_t ep(std::string_view name) {
    return index_of(m::episode_columns, name);
}
constexpr std::size_t pe(std::string_view name) {
    return index_of(m::person_columns, name);
}
constexpr std::size_t gz(std::string_view name) {
    return index_of(m::gazetteer_columns, name);
}

std::string quoted(std::string_view text) {
    constexpr std::size_t limit = 60;
    std::string shown(text.substr(0, limit));
    if (text.size() > limit) {
        shown += "…";
    }
    return "'" + shown + "'";
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto at = text.find(';');
        std::string_view item = text.substr(0, at);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            items.emplace_back(item);
        }
        if (at == std::string_view::npos) {
            break;
        }
        text.remove_prefix(at + 1);
    }
    return items;
}

// Reads typed values out of one record, collecting issues instead of throwing.
class Fields {
public:
    Fields(std::vector<Issue>& errors, std::vector<Issue>& warnings)
        : m_errors(errors), m_warnings(warnings) {}

    void error(std::string code, std::string field, std::string message) {
        m_errors.push_back({std::move(code), std::move(field), std::move(message)});
    }
    void warn(std::string code, std::string field, std::string message) {
        m_warnings.push_back({std::move(code), std::move(field), std::move(message)});
    }

    // Text within the length limit, or "" after an over_long_field error.
    std::string_view text(std::string_view field, std::string_view value,
                          std::size_t limit = max_field_bytes) {
        if (value.size() > limit) {
            error("over_long_field", std::string(field),
                  std::string(field) + " is " + std::to_string(value.size()) +
                      " bytes long (at most " + std::to_string(limit) + ")");
            return {};
        }
        return value;
    }

    template <m::CodeEnum E>
    std::optional<E> code(std::string_view field, std::string_view value) {
        if (value.empty()) {
            return std::nullopt;
        }
        if (auto parsed = m::try_parse_code<E>(value)) {
            return parsed;
        }
        error("unknown_code", std::string(field),
              std::string(field) + ": unknown " + std::string(m::code_name<E>()) + " " +
                  quoted(value) + " (expected one of: " + m::joined_codes<E>() + ")");
        return std::nullopt;
    }

    std::optional<bool> boolean(std::string_view field, std::string_view value) {
        try {
            return m::parse_bool(value);
        } catch (const InputError& problem) {
            error("bad_boolean", std::string(field), std::string(field) + ": " + problem.what());
            return std::nullopt;
        }
    }

    std::optional<m::Timestamp> time(std::string_view field, std::string_view value,
                                     const DateTimeParser& times) {
        if (value.empty()) {
            return std::nullopt;
        }
        try {
            ParsedTime parsed = times.parse(value);
            if (!parsed.warning.empty()) {
                warn("ambiguous_time", std::string(field),
                     std::string(field) + ": " + parsed.warning);
            }
            return parsed.utc;
        } catch (const InputError& problem) {
            error("bad_date", std::string(field), std::string(field) + ": " + problem.what());
            return std::nullopt;
        }
    }

    std::optional<m::Date> date(std::string_view field, std::string_view value,
                                const DateTimeParser& times) {
        try {
            return times.parse_date(value);
        } catch (const InputError& problem) {
            error("bad_date", std::string(field), std::string(field) + ": " + problem.what());
            return std::nullopt;
        }
    }

    std::optional<double> number(std::string_view field, std::string_view value) {
        if (value.empty()) {
            return std::nullopt;
        }
        double result = 0.0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
        if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(result)) {
            error("bad_number", std::string(field),
                  std::string(field) + ": " + quoted(value) + " is not a number");
            return std::nullopt;
        }
        return result;
    }

    std::optional<int> integer(std::string_view field, std::string_view value) {
        if (value.empty()) {
            return std::nullopt;
        }
        int result = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
        if (ec != std::errc{} || end != value.data() + value.size()) {
            error("bad_number", std::string(field),
                  std::string(field) + ": " + quoted(value) + " is not a whole number");
            return std::nullopt;
        }
        return result;
    }

    void future(std::string_view field, const std::optional<m::Timestamp>& time, m::Timestamp now) {
        // A day's grace: clocks and time zones of source systems differ.
        if (time && *time > now + std::chrono::hours{24}) {
            error("date_in_future", std::string(field),
                  std::string(field) + " " + m::format_timestamp(*time) + " is in the future");
        }
    }

    bool ok() const { return m_errors.empty(); }

private:
    std::vector<Issue>& m_errors;
    std::vector<Issue>& m_warnings;
};

// A CSV location block: the nine columns starting at `first`.
m::Location csv_location(const ColumnMap& columns, const CsvRecord& record, std::size_t first,
                         std::string_view prefix, Fields& fields) {
    const auto value = [&](std::size_t offset) { return columns.value(first + offset, record); };
    const auto name = [&](std::string_view field) {
        return std::string(prefix) + std::string(field);
    };
    m::Location location;
    location.x = fields.number(name("x"), value(0));
    location.y = fields.number(name("y"), value(1));
    if (const auto crs = fields.integer(name("crs"), value(2))) {
        location.crs = *crs;
    }
    location.lat = fields.number(name("lat"), value(3));
    location.lon = fields.number(name("lon"), value(4));
    location.place_id = fields.text(name("place_id"), value(5));
    location.postcode = fields.text(name("postcode"), value(6));
    location.label = fields.text(name("label"), value(7));
    location.type = fields.code<m::PlaceType>(name("type"), value(8));
    return location;
}

bool csv_row_usable(const ColumnMap& columns, const CsvRecord& record, Fields& fields) {
    if (record.problem != ReadProblem::none) {
        fields.error(record.problem == ReadProblem::encoding ? "encoding_error" : "malformed_row",
                     "", record.error);
        return false;
    }
    if (record.fields.size() != columns.width()) {
        fields.error("malformed_row", "",
                     "the row has " + std::to_string(record.fields.size()) +
                         " fields but the header has " + std::to_string(columns.width()));
        return false;
    }
    return true;
}

void require(Fields& fields, std::string_view field, bool present) {
    if (!present) {
        fields.error("missing_required", std::string(field),
                     std::string(field) + " is required but empty");
    }
}

constexpr std::array<std::string_view, 5> required_episodes = {"episode_id", "child_id",
                                                               "reported_at", "setting", "from_"};
constexpr std::array<std::string_view, 2> required_persons = {"person_id", "kind"};
constexpr std::array<std::string_view, 4> required_gazetteer = {"key", "key_type", "x", "y"};

// ---- JSON -------------------------------------------------------------------------

// Reads a JSON object's members by canonical name (renamed by the spec).
class JsonFields {
public:
    JsonFields(const json& object, Fields& fields, const ImportSpec* spec, std::string prefix)
        : m_object(object), m_fields(fields), m_spec(spec), m_prefix(std::move(prefix)) {}

    const json* find(std::string_view name) const {
        const std::string_view key = top_level() ? source_name(m_spec, name) : name;
        const auto it = m_object.find(key);
        return it == m_object.end() || it->is_null() ? nullptr : &*it;
    }

    // The spec's default and value map apply to top-level fields only.
    bool top_level() const { return m_prefix.empty(); }
    ValueRules rules(std::string_view name) const {
        return top_level() ? value_rules(m_spec, name) : ValueRules{};
    }

    std::string where(std::string_view name) const { return m_prefix + std::string(name); }

    bool wrong_type(std::string_view name, std::string_view expected) {
        m_fields.error("wrong_type", where(name),
                       where(name) + " must be " + std::string(expected) + ", not " +
                           find(name)->dump().substr(0, 60));
        return false;
    }

    // A string member; at the top level, as a CSV value is read: without the
    // spaces around it, then the spec's default when empty or absent, or its
    // value map.
    std::string text(std::string_view name, std::size_t limit = max_field_bytes) {
        const json* value = find(name);
        if (value != nullptr && !value->is_string()) {
            wrong_type(name, "a string");
            return {};
        }
        std::string_view text;
        if (value != nullptr) {
            text = value->get_ref<const std::string&>();
        }
        if (top_level()) {
            text = rules(name).apply(text);
        }
        return std::string(m_fields.text(where(name), text, limit));
    }

    // A boolean member. Where the spec gives this field a default or a value
    // map, a string (or the default) is read as in CSV: Y, N, true, false, 1
    // or 0, after the value map.
    std::optional<bool> boolean(std::string_view name) {
        const json* value = find(name);
        if (const ValueRules r = rules(name); !r.empty()) {
            if (value == nullptr) {
                return m_fields.boolean(where(name), r.default_value);
            }
            if (value->is_string()) {
                return m_fields.boolean(where(name), r.apply(value->get_ref<const std::string&>()));
            }
        }
        if (value == nullptr) {
            return std::nullopt;
        }
        if (!value->is_boolean()) {
            wrong_type(name, "true or false");
            return std::nullopt;
        }
        return value->get<bool>();
    }

    std::optional<double> number(std::string_view name) {
        const json* value = find(name);
        if (value == nullptr) {
            return std::nullopt;
        }
        if (!value->is_number()) {
            wrong_type(name, "a number");
            return std::nullopt;
        }
        return value->get<double>();
    }

    template <m::CodeEnum E>
    std::optional<E> code(std::string_view name) {
        const std::string value = text(name);
        return m_fields.code<E>(where(name), value);
    }

    template <m::CodeEnum E>
    std::vector<E> codes(std::string_view name) {
        std::vector<E> result;
        const json* value = find(name);
        if (value == nullptr) {
            return result;
        }
        if (!value->is_array()) {
            wrong_type(name, "an array");
            return result;
        }
        for (const json& item : *value) {
            if (!item.is_string()) {
                m_fields.error("wrong_type", where(name),
                               where(name) + " must hold strings, not " +
                                   item.dump().substr(0, 60));
                continue;
            }
            // A value map applies to each code (the spec allows no default here).
            const std::string& code = item.get_ref<const std::string&>();
            const ValueRules r = rules(name);
            if (auto parsed =
                    m_fields.code<E>(where(name), r.values != nullptr ? r.apply(code) : code)) {
                result.push_back(*parsed);
            }
        }
        return result;
    }

    std::optional<m::Timestamp> time(std::string_view name, const DateTimeParser& times) {
        return m_fields.time(where(name), text(name), times);
    }
    std::optional<m::Date> date(std::string_view name, const DateTimeParser& times) {
        return m_fields.date(where(name), text(name), times);
    }

    // An array of objects, each handed to `read`.
    template <typename Read>
    void objects(std::string_view name, Read&& read) {
        const json* value = find(name);
        if (value == nullptr) {
            return;
        }
        if (!value->is_array()) {
            wrong_type(name, "an array");
            return;
        }
        std::size_t i = 0;
        for (const json& item : *value) {
            const std::string at = where(name) + "[" + std::to_string(i++) + "].";
            if (!item.is_object()) {
                m_fields.error("wrong_type", at,
                               at + " must be an object, not " + item.dump().substr(0, 60));
                continue;
            }
            JsonFields child(item, m_fields, m_spec, at);
            read(child);
        }
    }

    Fields& fields() { return m_fields; }
    const json& object() const { return m_object; }

private:
    const json& m_object;
    Fields& m_fields;
    const ImportSpec* m_spec;
    std::string m_prefix;
};

m::Location json_location(JsonFields& in) {
    m::Location location;
    location.x = in.number("x");
    location.y = in.number("y");
    if (const auto crs = in.number("crs")) {
        location.crs = static_cast<int>(*crs);
    }
    location.lat = in.number("lat");
    location.lon = in.number("lon");
    location.place_id = in.text("place_id");
    location.postcode = in.text("postcode");
    location.label = in.text("label");
    location.type = in.code<m::PlaceType>("type");
    return location;
}

std::optional<m::Location> json_location_member(JsonFields& in, std::string_view name) {
    const json* value = in.find(name);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_object()) {
        in.wrong_type(name, "an object");
        return std::nullopt;
    }
    JsonFields child(*value, in.fields(), nullptr, in.where(name) + ".");
    return json_location(child);
}

m::PersonMention json_person(JsonFields& in, const DateTimeParser& times) {
    m::PersonMention person;
    person.person_id = in.text("person_id");
    person.name = in.text("name");
    person.kind = in.code<m::PersonKind>("kind");
    person.relation = in.text("relation");
    person.felt_safe = in.boolean("felt_safe");
    person.dob = in.date("dob", times);
    person.sex = in.code<m::Sex>("sex");
    return person;
}

std::vector<m::PersonMention> json_people(JsonFields& in, std::string_view name,
                                          const DateTimeParser& times) {
    std::vector<m::PersonMention> people;
    in.objects(name, [&](JsonFields& item) { people.push_back(json_person(item, times)); });
    return people;
}

// Members the format defines; others are kept as attributes.
void json_extra(const json& object, std::span<const std::string_view> known, const ImportSpec* spec,
                m::Attributes& extra) {
    for (const auto& [key, value] : object.items()) {
        bool is_known = std::find(known.begin(), known.end(), key) != known.end();
        if (!is_known && spec != nullptr) {
            for (const auto& [canonical, source] : spec->columns) {
                is_known = is_known || source == key;
            }
        }
        if (!is_known) {
            extra.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
        }
    }
}

// Attributes (the columns or members the format does not define) are kept as
// text, up to the free-text limit.
void check_extra(Fields& fields, const m::Attributes& extra) {
    for (const auto& [name, value] : extra) {
        fields.text(name, value, max_free_text_bytes);
    }
}

std::optional<json> parse_json_object(std::string_view line, Fields& fields) {
    if (json_too_deep(line)) {
        fields.error("malformed_json", "", json_too_deep_message());
        return std::nullopt;
    }
    try {
        json object = json::parse(line);
        if (!object.is_object()) {
            fields.error("malformed_json", "", "the line is JSON but not an object");
            return std::nullopt;
        }
        return object;
    } catch (const json::exception& problem) {
        // parse_error, or out_of_range for a number too large for a double
        std::string message = problem.what();
        if (const auto at = message.find("] "); at != std::string::npos) {
            message = message.substr(at + 2);
        }
        fields.error("malformed_json", "", "invalid JSON: " + message);
        return std::nullopt;
    }
}

// The members each JSON Lines kind reads: the fields a spec may name, and notes.
template <std::size_t N>
constexpr std::array<std::string_view, N + 1>
with_notes(const std::array<std::string_view, N>& fields) {
    std::array<std::string_view, N + 1> all{};
    std::copy(fields.begin(), fields.end(), all.begin());
    all[N] = "notes";
    return all;
}
constexpr auto rhi_members = with_notes(m::rhi_fields);
// A CPI form has no notes (DATA-MODEL.md): a "notes" member is an unknown one,
// kept as an attribute like any other rather than read and dropped.
constexpr auto cpi_members = m::cpi_fields;

} // namespace

// ---- ColumnMap ----------------------------------------------------------------------

ColumnMap::ColumnMap(std::span<const std::string_view> canonical,
                     std::span<const std::string_view> required, const CsvRecord& header,
                     const ImportSpec* spec, std::string_view source)
    : m_columns(canonical.size()), m_width(header.fields.size()) {
    const auto fail = [&](const std::string& problem) {
        throw InputError(std::string(source) + ": line " + std::to_string(header.line) + ": " +
                         problem);
    };
    if (!header.error.empty()) {
        fail("the header cannot be read: " + header.error);
    }
    std::map<std::string_view, int> positions;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        if (!positions.emplace(header.fields[i], static_cast<int>(i)).second) {
            fail("column " + quoted(header.fields[i]) + " appears twice in the header");
        }
    }
    std::vector<bool> used(header.fields.size(), false);
    for (std::size_t c = 0; c < canonical.size(); ++c) {
        const std::string_view name = source_name(spec, canonical[c]);
        const bool renamed =
            spec != nullptr &&
            std::any_of(spec->columns.begin(), spec->columns.end(),
                        [&](const auto& rename) { return rename.first == canonical[c]; });
        m_columns[c].rules = value_rules(spec, canonical[c]);
        if (const auto it = positions.find(name); it != positions.end()) {
            m_columns[c].index = it->second;
            used[static_cast<std::size_t>(it->second)] = true;
        } else if (renamed) {
            fail("the import spec maps " + std::string(canonical[c]) + " to column " +
                 quoted(name) + ", which the header does not have");
        }
    }
    std::vector<std::string> missing;
    for (const std::string_view need : required) {
        bool present = false;
        for (std::size_t c = 0; c < canonical.size(); ++c) {
            const bool matches =
                need.back() == '_' ? canonical[c].starts_with(need) : canonical[c] == need;
            present =
                present ||
                (matches && (m_columns[c].index >= 0 || !m_columns[c].rules.default_value.empty()));
        }
        if (!present) {
            missing.emplace_back(need.back() == '_' ? std::string(need) + "* (a location block)"
                                                    : std::string(need));
        }
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& name : missing) {
            list += (list.empty() ? "" : ", ") + name;
        }
        std::string found;
        for (std::size_t i = 0; i < header.fields.size() && i < 8; ++i) {
            found += (found.empty() ? "" : ", ") + std::string(header.fields[i].substr(0, 30));
        }
        fail("required columns missing: " + list + " (the header has: " + found +
             (header.fields.size() > 8 ? ", …" : "") + "); is this the right kind of file?");
    }
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        if (!used[i]) {
            m_unknown.push_back(static_cast<int>(i));
            m_unknown_names.emplace_back(header.fields[i]);
        }
    }
}

std::string_view ColumnMap::value(std::size_t column, const CsvRecord& record) const {
    const Column& c = m_columns[column];
    std::string_view text;
    if (c.index >= 0 && static_cast<std::size_t>(c.index) < record.fields.size()) {
        text = record.fields[static_cast<std::size_t>(c.index)];
    }
    return c.rules.apply(text);
}

void ColumnMap::extra(const CsvRecord& record, model::Attributes& out) const {
    for (std::size_t k = 0; k < m_unknown.size(); ++k) {
        const auto index = static_cast<std::size_t>(m_unknown[k]);
        if (index < record.fields.size() && !record.fields[index].empty()) {
            out.emplace_back(m_unknown_names[k], std::string(record.fields[index]));
        }
    }
}

std::span<const std::string_view> required_episode_columns() {
    return required_episodes;
}
std::span<const std::string_view> required_person_columns() {
    return required_persons;
}
std::span<const std::string_view> required_gazetteer_columns() {
    return required_gazetteer;
}

// ---- CSV kinds -----------------------------------------------------------------------

Parsed<model::Episode> parse_episode(const ColumnMap& columns, const CsvRecord& record,
                                     const DateTimeParser& times, model::Timestamp now) {
    Parsed<model::Episode> result;
    Fields f(result.errors, result.warnings);
    if (!csv_row_usable(columns, record, f)) {
        return result;
    }
    const auto v = [&](std::size_t column) { return columns.value(column, record); };
    m::Episode e;
    e.episode_id = f.text("episode_id", v(ep("episode_id")));
    e.child_id = f.text("child_id", v(ep("child_id")));
    require(f, "episode_id", !e.episode_id.empty());
    require(f, "child_id", !e.child_id.empty());
    const auto reported = f.time("reported_at", v(ep("reported_at")), times);
    require(f, "reported_at", !v(ep("reported_at")).empty());
    e.last_seen_at = f.time("last_seen_at", v(ep("last_seen_at")), times);
    e.returned_at = f.time("returned_at", v(ep("returned_at")), times);
    e.date_of_birth = f.date("date_of_birth", v(ep("date_of_birth")), times);
    e.age = f.integer("age", v(ep("age")));
    if (e.age && (*e.age < 0 || *e.age > 25)) {
        f.error("age_out_of_range", "age", "age " + std::to_string(*e.age) + " is outside 0 to 25");
    }
    if (v(ep("date_of_birth")).empty() && v(ep("age")).empty()) {
        require(f, "date_of_birth or age", false);
    }
    e.sex = f.code<m::Sex>("sex", v(ep("sex")));
    if (const auto category = f.code<m::EpisodeCategory>("category", v(ep("category")))) {
        e.category = *category;
    }
    const auto setting = f.code<m::Setting>("setting", v(ep("setting")));
    require(f, "setting", !v(ep("setting")).empty());
    e.looked_after = f.boolean("looked_after", v(ep("looked_after")));
    e.placement_area = f.code<m::PlacementArea>("placement_area", v(ep("placement_area")));
    e.responsible_authority = f.text("responsible_authority", v(ep("responsible_authority")));
    e.risk_grade = f.code<m::RiskGrade>("risk_grade", v(ep("risk_grade")));
    e.police_ref = f.text("police_ref", v(ep("police_ref")));
    e.from = csv_location(columns, record, ep("from_x"), "from_", f);
    require(f, "from_ location", !e.from.is_empty());
    m::Location found = csv_location(columns, record, ep("found_x"), "found_", f);
    if (!found.is_empty()) {
        e.found = std::move(found);
    }
    e.returned_by = f.code<m::ReturnedBy>("returned_by", v(ep("returned_by")));
    e.missing_with = split_list(f.text("missing_with", v(ep("missing_with"))));
    e.safe_and_well = f.boolean("safe_and_well", v(ep("safe_and_well")));
    e.cse = f.boolean("cse", v(ep("cse")));
    e.cce = f.boolean("cce", v(ep("cce")));
    e.trafficking = f.boolean("trafficking", v(ep("trafficking")));
    e.uasc = f.boolean("uasc", v(ep("uasc")));
    columns.extra(record, e.extra);
    check_extra(f, e.extra);

    if (reported && e.returned_at && *e.returned_at < *reported) {
        f.error("return_before_report", "returned_at",
                "returned_at " + m::format_timestamp(*e.returned_at) + " is before reported_at " +
                    m::format_timestamp(*reported));
    }
    f.future("reported_at", reported, now);
    f.future("last_seen_at", e.last_seen_at, now);
    f.future("returned_at", e.returned_at, now);
    if (f.ok() && reported && setting) {
        e.reported_at = *reported;
        e.setting = *setting;
        result.record = std::move(e);
    }
    return result;
}

Parsed<model::Person> parse_person(const ColumnMap& columns, const CsvRecord& record,
                                   const DateTimeParser& times) {
    Parsed<model::Person> result;
    Fields f(result.errors, result.warnings);
    if (!csv_row_usable(columns, record, f)) {
        return result;
    }
    const auto v = [&](std::size_t column) { return columns.value(column, record); };
    m::Person p;
    p.person_id = f.text("person_id", v(pe("person_id")));
    require(f, "person_id", !p.person_id.empty());
    p.kind = f.code<m::PersonKind>("kind", v(pe("kind")));
    require(f, "kind", !v(pe("kind")).empty());
    p.name = f.text("name", v(pe("name")));
    p.aliases = split_list(f.text("aliases", v(pe("aliases"))));
    p.date_of_birth = f.date("date_of_birth", v(pe("date_of_birth")), times);
    p.sex = f.code<m::Sex>("sex", v(pe("sex")));
    p.flags = split_list(f.text("flags", v(pe("flags"))));
    columns.extra(record, p.extra);
    check_extra(f, p.extra);
    if (f.ok()) {
        result.record = std::move(p);
    }
    return result;
}

Parsed<model::GazetteerEntry> parse_gazetteer_entry(const ColumnMap& columns,
                                                    const CsvRecord& record) {
    Parsed<model::GazetteerEntry> result;
    Fields f(result.errors, result.warnings);
    if (!csv_row_usable(columns, record, f)) {
        return result;
    }
    const auto v = [&](std::size_t column) { return columns.value(column, record); };
    m::GazetteerEntry g;
    g.key = f.text("key", v(gz("key")));
    require(f, "key", !g.key.empty());
    const auto key_type = f.code<m::GazetteerKeyType>("key_type", v(gz("key_type")));
    require(f, "key_type", !v(gz("key_type")).empty());
    const auto x = f.number("x", v(gz("x")));
    const auto y = f.number("y", v(gz("y")));
    require(f, "x", !v(gz("x")).empty());
    require(f, "y", !v(gz("y")).empty());
    if (const auto crs = f.integer("crs", v(gz("crs")))) {
        g.crs = *crs;
    }
    g.label = f.text("label", v(gz("label")));
    g.place_type = f.code<m::PlaceType>("place_type", v(gz("place_type")));
    g.restricted = f.boolean("restricted", v(gz("restricted")));
    columns.extra(record, g.extra);
    check_extra(f, g.extra);
    if (f.ok() && key_type && x && y) {
        g.key_type = *key_type;
        g.x = *x;
        g.y = *y;
        result.record = std::move(g);
    }
    return result;
}

// ---- JSON Lines kinds ---------------------------------------------------------------

Parsed<model::ReturnInterview> parse_rhi(std::string_view line, const DateTimeParser& times,
                                         const ImportSpec* spec, model::Timestamp now) {
    Parsed<model::ReturnInterview> result;
    Fields f(result.errors, result.warnings);
    const auto object = parse_json_object(line, f);
    if (!object) {
        return result;
    }
    JsonFields in(*object, f, spec, "");
    m::ReturnInterview r;
    r.rhi_id = in.text("rhi_id");
    require(f, "rhi_id", !r.rhi_id.empty());
    r.episode_id = in.text("episode_id");
    r.child_id = in.text("child_id");
    r.referred_at = in.time("referred_at", times);
    r.offered_at = in.time("offered_at", times);
    r.outcome = in.code<m::RhiOutcome>("outcome");
    r.decline_reason = in.text("decline_reason");
    r.conducted_at = in.time("conducted_at", times);
    r.mode = in.code<m::RhiMode>("mode");
    r.independent = in.boolean("independent");
    r.consent_to_share = in.boolean("consent_to_share");
    in.objects("places", [&](JsonFields& item) {
        m::RhiPlace place;
        if (const auto role = item.code<m::PlaceRole>("role")) {
            place.role = *role;
        }
        if (auto location = json_location_member(item, "location")) {
            place.location = std::move(*location);
        }
        if (const json* with = item.find("with"); with != nullptr) {
            // Ids are opaque: a number is an id written without quotes; any
            // other entry makes the member unreadable rather than be dropped.
            const auto is_id = [](const json& who) { return who.is_string() || who.is_number(); };
            if (with->is_array() && std::all_of(with->begin(), with->end(), is_id)) {
                for (const json& who : *with) {
                    place.with.push_back(who.is_string() ? who.get<std::string>() : who.dump());
                }
            } else {
                item.wrong_type("with", "an array of ids");
            }
        }
        r.places.push_back(std::move(place));
    });
    r.with = json_people(in, "with", times);
    r.push_factors = in.codes<m::PushFactor>("push_factors");
    r.pull_factors = in.codes<m::PullFactor>("pull_factors");
    if (const json* high_risk = in.find("high_risk"); high_risk != nullptr) {
        if (!high_risk->is_object()) {
            in.wrong_type("high_risk", "an object");
        } else {
            for (const auto& [key, value] : high_risk->items()) {
                const auto category = f.code<m::HighRiskCategory>("high_risk", key);
                if (!value.is_boolean()) {
                    f.error("wrong_type", "high_risk." + key,
                            "high_risk." + key + " must be true or false");
                } else if (category) {
                    r.high_risk.emplace_back(*category, value.get<bool>());
                }
            }
        }
    }
    r.risk_of_repeat = in.code<m::RepeatRisk>("risk_of_repeat");
    r.strategy_meeting_required = in.boolean("strategy_meeting_required");
    r.cse_indicators = in.boolean("cse_indicators");
    r.cce_indicators = in.boolean("cce_indicators");
    r.nrm_referral = in.boolean("nrm_referral");
    in.objects("locations_of_concern",
               [&](JsonFields& item) { r.locations_of_concern.push_back(json_location(item)); });
    r.people_of_concern = json_people(in, "people_of_concern", times);
    r.young_people_of_concern = json_people(in, "young_people_of_concern", times);
    r.cpi_submitted = in.boolean("cpi_submitted");
    r.sensitive_disclosure = in.boolean("sensitive_disclosure");
    if (const json* notes = in.find("notes"); notes != nullptr) {
        if (!notes->is_object()) {
            in.wrong_type("notes", "an object");
        } else {
            for (const auto& [key, value] : notes->items()) {
                // A note is text; a number or true/false is kept as written,
                // null is no note, and anything else cannot be read as one.
                if (value.is_null()) {
                    continue;
                }
                if (value.is_structured()) {
                    f.error("wrong_type", "notes." + key,
                            "notes." + key + " must be text, not " + value.dump().substr(0, 60));
                    continue;
                }
                const std::string written =
                    value.is_string() ? value.get<std::string>() : value.dump();
                r.notes.emplace_back(
                    key, std::string(f.text("notes." + key, written, max_free_text_bytes)));
            }
        }
    }
    json_extra(*object, rhi_members, spec, r.extra);
    check_extra(f, r.extra);
    f.future("referred_at", r.referred_at, now);
    f.future("conducted_at", r.conducted_at, now);
    if (f.ok()) {
        result.record = std::move(r);
    }
    return result;
}

Parsed<model::CpiReport> parse_cpi(std::string_view line, const DateTimeParser& times,
                                   const ImportSpec* spec, model::Timestamp now) {
    Parsed<model::CpiReport> result;
    Fields f(result.errors, result.warnings);
    const auto object = parse_json_object(line, f);
    if (!object) {
        return result;
    }
    JsonFields in(*object, f, spec, "");
    m::CpiReport c;
    c.cpi_id = in.text("cpi_id");
    require(f, "cpi_id", !c.cpi_id.empty());
    // Present is not enough: "" or "  " is no time either.
    const std::string received_at = in.text("received_at");
    c.received_at = f.time("received_at", received_at, times);
    require(f, "received_at", !received_at.empty());
    if (const json* submitter = in.find("submitter"); submitter != nullptr) {
        if (submitter->is_object()) {
            JsonFields s(*submitter, f, nullptr, "submitter.");
            c.submitter = {s.text("name"), s.text("organisation"), s.text("phone"),
                           s.text("email")};
        } else {
            in.wrong_type("submitter", "an object");
        }
    }
    if (const json* source = in.find("source"); source != nullptr) {
        if (source->is_object()) {
            JsonFields s(*source, f, nullptr, "source.");
            c.source = {s.text("name"),      s.text("dob"),
                        s.text("address"),   s.boolean("can_recontact"),
                        s.text("contact"),   s.text("how_known"),
                        s.text("when_known")};
        } else {
            in.wrong_type("source", "an object");
        }
    }
    c.shared_with = in.text("shared_with");
    c.information = in.text("information", max_free_text_bytes);
    c.information_date = in.date("information_date", times);
    c.location = json_location_member(in, "location");
    in.objects("subjects", [&](JsonFields& item) {
        m::CpiSubject subject;
        subject.person = json_person(item, times);
        subject.role = item.code<m::SubjectRole>("role");
        c.subjects.push_back(std::move(subject));
    });
    in.objects("vehicles", [&](JsonFields& item) {
        c.vehicles.push_back(
            {item.text("vrm"), item.text("make"), item.text("model"), item.text("colour")});
    });
    in.objects("places", [&](JsonFields& item) { c.places.push_back(json_location(item)); });
    if (const json* grading = in.find("grading"); grading != nullptr) {
        if (grading->is_object()) {
            JsonFields g(*grading, f, nullptr, "grading.");
            c.grading.source = g.code<m::SourceEvaluation>("source");
            c.grading.intelligence = g.code<m::IntelligenceAssessment>("intelligence");
            c.grading.handling = g.code<m::HandlingCode>("handling");
        } else {
            in.wrong_type("grading", "an object");
        }
    }
    json_extra(*object, cpi_members, spec, c.extra);
    check_extra(f, c.extra);
    f.future("received_at", c.received_at, now);
    if (f.ok()) {
        result.record = std::move(c);
    }
    return result;
}

} // namespace waymark::importers
