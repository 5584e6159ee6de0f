#include "data/canonical/writers.hpp"

#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/columns.hpp"

#include <date/tz.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <ostream>
#include <span>
#include <system_error>

namespace waymark::canonical {

namespace {

using model::Location;

constexpr std::int64_t seconds_per_day = 86400;

/// Appends value as exactly two digits (0 <= value <= 99).
void append_two(std::string& out, unsigned value) {
    out += static_cast<char>('0' + value / 10);
    out += static_cast<char>('0' + value % 10);
}

/// Appends an integer with std::to_chars.
template <class Int>
void append_int(std::string& out, Int value) {
    std::array<char, 24> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out.append(buffer.data(), result.ptr);
}

void append_year(std::string& out, int year) {
    if (year >= 0 && year <= 9999) {
        const auto y = static_cast<unsigned>(year);
        append_two(out, y / 100);
        append_two(out, y % 100);
        return;
    }
    if (year < 0) {
        out += '-';
    }
    const auto digits = static_cast<unsigned>(year < 0 ? -year : year);
    if (digits < 1000) {
        out.append(digits < 10 ? 3 : digits < 100 ? 2 : 1, '0');
    }
    append_int(out, digits);
}

/// Appends "YYYY-MM-DDTHH:MM[:SS]" for `seconds` since the epoch (of any clock).
void append_date_time(std::string& out, std::int64_t seconds) {
    std::int64_t days = seconds / seconds_per_day;
    std::int64_t rest = seconds % seconds_per_day;
    if (rest < 0) {
        rest += seconds_per_day;
        --days;
    }
    append_date(out, model::Date{std::chrono::days{days}});
    out += 'T';
    const auto clock = static_cast<unsigned>(rest);
    append_two(out, clock / 3600);
    out += ':';
    append_two(out, clock / 60 % 60);
    if (const unsigned s = clock % 60; s != 0) {
        out += ':';
        append_two(out, s);
    }
}

/// Appends a UTC offset as ISO 8601 "+01:00" / "-05:00" (whole minutes).
void append_offset(std::string& out, std::int64_t offset_seconds) {
    out += offset_seconds < 0 ? '-' : '+';
    const auto magnitude =
        static_cast<unsigned>(offset_seconds < 0 ? -offset_seconds : offset_seconds);
    append_two(out, magnitude / 3600);
    out += ':';
    append_two(out, magnitude / 60 % 60);
}

/// EPSG codes of the geographic CRSs whose x/y are degrees (6 decimals, not 2).
bool is_geographic(int crs) noexcept {
    return crs == 4326 || crs == 4258 || crs == 4277;
}

int xy_decimals(int crs) noexcept {
    return is_geographic(crs) ? 6 : 2;
}

constexpr int lat_lon_decimals = 6;

bool has_value(const std::optional<double>& value) noexcept {
    return value && std::isfinite(*value);
}

/// Writes the line in buffer to out; throws IoError when the stream fails.
void put_line(std::ostream& out, const std::string& buffer, std::string_view file,
              std::uint64_t record) {
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (!out) {
        std::string message = "writing ";
        message += file;
        message += ": the output stream failed at ";
        if (record == 0) {
            message += "the header";
        } else {
            message += "record ";
            message += std::to_string(record);
        }
        throw IoError(message);
    }
}

// ---- CSV -------------------------------------------------------------------

void csv_date(std::string& out, const std::optional<model::Date>& value) {
    if (value) {
        append_date(out, *value);
    }
}

void csv_list(std::string& out, const std::vector<std::string>& items) {
    if (items.empty()) {
        return;
    }
    if (items.size() == 1) {
        append_csv_field(out, items.front());
        return;
    }
    std::string joined = items.front();
    for (std::size_t i = 1; i < items.size(); ++i) {
        joined += ';';
        joined += items[i];
    }
    append_csv_field(out, joined);
}

void csv_number(std::string& out, const std::optional<double>& value, int decimals) {
    if (has_value(value)) {
        append_decimal(out, *value, decimals);
    }
}

/// The nine fields of a location block, each preceded by a comma; all empty
/// for no location.
void csv_location(std::string& out, const Location* location) {
    if (location == nullptr) {
        out += ",,,,,,,,,";
        return;
    }
    const int decimals = xy_decimals(location->crs);
    out += ',';
    csv_number(out, location->x, decimals);
    out += ',';
    csv_number(out, location->y, decimals);
    out += ',';
    if (has_value(location->x) || has_value(location->y) ||
        location->crs != model::british_national_grid) {
        append_int(out, location->crs);
    }
    out += ',';
    csv_number(out, location->lat, lat_lon_decimals);
    out += ',';
    csv_number(out, location->lon, lat_lon_decimals);
    out += ',';
    append_csv_field(out, location->place_id);
    out += ',';
    append_csv_field(out, location->postcode);
    out += ',';
    append_csv_field(out, location->label);
    out += ',';
    csv_code(out, location->type);
}

// ---- JSON ------------------------------------------------------------------

/// Builds one JSON object in a string: members are added with their key,
/// commas are placed as needed. Keys given as literals must need no escaping.
class JsonObject {
public:
    explicit JsonObject(std::string& out) : m_out(out) { m_out += '{'; }
    JsonObject(const JsonObject&) = delete;
    JsonObject& operator=(const JsonObject&) = delete;

    void close() { m_out += '}'; }

    /// Appends the key (and the comma before it); the caller appends the value.
    std::string& key(std::string_view name) {
        if (!m_first) {
            m_out += ',';
        }
        m_first = false;
        m_out += '"';
        m_out += name;
        m_out += "\":";
        return m_out;
    }

    /// Like key, for a key that is arbitrary text.
    std::string& escaped_key(std::string_view name) {
        if (!m_first) {
            m_out += ',';
        }
        m_first = false;
        append_json_string(m_out, name);
        m_out += ':';
        return m_out;
    }

    // "...or null" members: always present.

    void string_or_null(std::string_view name, std::string_view value) {
        auto& out = key(name);
        if (value.empty()) {
            out += "null";
        } else {
            append_json_string(out, value);
        }
    }

    void bool_or_null(std::string_view name, const std::optional<bool>& value) {
        key(name) += value ? (*value ? "true" : "false") : "null";
    }

    template <model::CodeEnum E>
    void code_or_null(std::string_view name, const std::optional<E>& value) {
        auto& out = key(name);
        if (value) {
            out += '"';
            out += model::to_code(*value);
            out += '"';
        } else {
            out += "null";
        }
    }

    void time_or_null(std::string_view name, const std::optional<model::Timestamp>& value,
                      LocalTimeFormatter& time) {
        auto& out = key(name);
        if (value) {
            out += '"';
            time.append(out, *value);
            out += '"';
        } else {
            out += "null";
        }
    }

    void date_or_null(std::string_view name, const std::optional<model::Date>& value) {
        auto& out = key(name);
        if (value) {
            out += '"';
            append_date(out, *value);
            out += '"';
        } else {
            out += "null";
        }
    }

    // "...if known" members: omitted when empty or unknown.

    void string_if(std::string_view name, std::string_view value) {
        if (!value.empty()) {
            append_json_string(key(name), value);
        }
    }

    void bool_if(std::string_view name, const std::optional<bool>& value) {
        if (value) {
            key(name) += *value ? "true" : "false";
        }
    }

    template <model::CodeEnum E>
    void code_if(std::string_view name, const std::optional<E>& value) {
        if (value) {
            auto& out = key(name);
            out += '"';
            out += model::to_code(*value);
            out += '"';
        }
    }

    void date_if(std::string_view name, const std::optional<model::Date>& value) {
        if (value) {
            auto& out = key(name);
            out += '"';
            append_date(out, *value);
            out += '"';
        }
    }

    void number_if(std::string_view name, const std::optional<double>& value, int decimals) {
        if (has_value(value)) {
            append_decimal(key(name), *value, decimals);
        }
    }

private:
    std::string& m_out;
    bool m_first = true;
};

void json_location(std::string& out, const Location& location) {
    JsonObject object(out);
    const int decimals = xy_decimals(location.crs);
    object.number_if("x", location.x, decimals);
    object.number_if("y", location.y, decimals);
    if (location.crs != model::british_national_grid) {
        append_int(object.key("crs"), location.crs);
    }
    object.number_if("lat", location.lat, lat_lon_decimals);
    object.number_if("lon", location.lon, lat_lon_decimals);
    object.string_if("place_id", location.place_id);
    object.string_if("postcode", location.postcode);
    object.string_if("label", location.label);
    object.code_if("type", location.type);
    object.close();
}

/// The members of a person object (without braces).
void json_person_members(JsonObject& object, const model::PersonMention& person) {
    object.string_if("person_id", person.person_id);
    object.string_if("name", person.name);
    object.code_if("kind", person.kind);
    object.string_if("relation", person.relation);
    object.bool_if("felt_safe", person.felt_safe);
    object.date_if("dob", person.dob);
    object.code_if("sex", person.sex);
}

void json_person(std::string& out, const model::PersonMention& person) {
    JsonObject object(out);
    json_person_members(object, person);
    object.close();
}

void json_strings(std::string& out, const std::vector<std::string>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
            out += ',';
        }
        append_json_string(out, items[i]);
    }
    out += ']';
}

template <model::CodeEnum E>
void json_codes(std::string& out, const std::vector<E>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
            out += ',';
        }
        out += '"';
        out += model::to_code(items[i]);
        out += '"';
    }
    out += ']';
}

/// A JSON array of items, each appended by append_item(out, item).
template <class T, class F>
void json_array(std::string& out, const std::vector<T>& items, F append_item) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
            out += ',';
        }
        append_item(out, items[i]);
    }
    out += ']';
}

/// The length of the valid UTF-8 sequence of two or more bytes at text[i], or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) -> unsigned {
        return k < text.size() ? static_cast<unsigned char>(text[k]) : 0U;
    };
    const auto continuation = [](unsigned b) { return (b & 0xC0U) == 0x80U; };
    const unsigned lead = byte(i);
    const unsigned second = byte(i + 1);
    if (lead >= 0xC2 && lead <= 0xDF) {
        return continuation(second) ? 2 : 0;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        const unsigned low = lead == 0xE0 ? 0xA0 : 0x80;
        const unsigned high = lead == 0xED ? 0x9F : 0xBF;
        return second >= low && second <= high && continuation(byte(i + 2)) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        const unsigned low = lead == 0xF0 ? 0x90 : 0x80;
        const unsigned high = lead == 0xF4 ? 0x8F : 0xBF;
        return second >= low && second <= high && continuation(byte(i + 2)) &&
                       continuation(byte(i + 3))
                   ? 4
                   : 0;
    }
    return 0;
}

} // namespace

// ---- shared helpers ----------------------------------------------------------

std::string csv_field(std::string_view text) {
    std::string out;
    append_csv_field(out, text);
    return out;
}

void append_csv_field(std::string& out, std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += text;
        return;
    }
    out += '"';
    for (std::size_t start = 0;;) {
        const auto quote = text.find('"', start);
        if (quote == std::string_view::npos) {
            out.append(text.substr(start));
            break;
        }
        out.append(text.substr(start, quote + 1 - start));
        out += '"';
        start = quote + 1;
    }
    out += '"';
}

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0; // start of the pending run of bytes copied unchanged
    std::size_t i = 0;
    const auto flush = [&] { out.append(text.data() + run, i - run); };
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            if (const auto length = utf8_sequence_length(text, i); length != 0) {
                i += length;
                continue;
            }
            flush();
            out += "\xEF\xBF\xBD"; // U+FFFD for an invalid byte
            run = ++i;
            continue;
        }
        flush();
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0x0F];
            break;
        }
        run = ++i;
    }
    flush();
    out += '"';
}

void append_decimal(std::string& out, double value, int max_decimals) {
    // Fixed notation of the largest double needs 309 digits before the point.
    std::array<char, 352> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::fixed, max_decimals);
    if (result.ec != std::errc{}) {
        throw Error("formatting the number " + std::to_string(value) + " failed");
    }
    const char* end = result.ptr;
    if (max_decimals > 0) {
        while (end[-1] == '0') {
            --end;
        }
        if (end[-1] == '.') {
            --end;
        }
    }
    const char* begin = buffer.data();
    if (end - begin == 2 && begin[0] == '-' && begin[1] == '0') {
        ++begin;
    }
    out.append(begin, end);
}

void append_date(std::string& out, model::Date date) {
    const std::chrono::year_month_day ymd{date};
    append_year(out, static_cast<int>(ymd.year()));
    out += '-';
    append_two(out, static_cast<unsigned>(ymd.month()));
    out += '-';
    append_two(out, static_cast<unsigned>(ymd.day()));
}

void LocalTimeFormatter::append(std::string& out, model::Timestamp utc) {
    const std::int64_t seconds = utc.time_since_epoch().count();
    if (m_zone == nullptr) {
        append_date_time(out, seconds);
        out += 'Z';
        return;
    }
    if (seconds < m_begin || seconds >= m_end) {
        const date::sys_info info = m_zone->get_info(utc);
        m_begin = info.begin.time_since_epoch().count();
        m_end = info.end.time_since_epoch().count();
        m_offset = info.offset.count();
    }
    const std::int64_t local = seconds + m_offset;
    const std::size_t start = out.size();
    append_date_time(out, local);
    // In the hour repeated when the clocks go back the local time names two
    // instants, so it is written with its offset ("2024-10-27T01:22+00:00").
    // A local time can only be repeated near a transition: the window is the
    // largest change of offset in the time-zone database (about a day, in
    // Alaska in 1867), so only a few timestamps a year are looked up. The
    // comparisons are written so that a period reaching sys_seconds::min/max
    // cannot overflow.
    constexpr std::int64_t near_transition = 25 * 3600;
    if (m_begin > seconds - near_transition || m_end <= seconds + near_transition) {
        const date::local_info info =
            m_zone->get_info(date::local_seconds{std::chrono::seconds{local}});
        if (info.result == date::local_info::ambiguous) {
            if (m_offset % 60 == 0) {
                append_offset(out, m_offset);
            } else {
                // An offset with seconds (local mean time, long ago) has no
                // ISO 8601 form: the instant is written in UTC instead.
                out.resize(start);
                append_date_time(out, seconds);
                out += 'Z';
            }
        }
    }
}

std::string LocalTimeFormatter::format(model::Timestamp utc) {
    std::string out;
    append(out, utc);
    return out;
}

namespace {

// The canonical column names (engine/model/columns.hpp) as a header line.
void header_line(std::string& out, std::span<const std::string_view> columns) {
    out.clear();
    for (const std::string_view column : columns) {
        if (!out.empty()) {
            out += ',';
        }
        out += column;
    }
    out += '\n';
}

} // namespace

// ---- episodes.csv ------------------------------------------------------------

EpisodesCsvWriter::EpisodesCsvWriter(std::ostream& out, const date::time_zone* zone)
    : m_out(out), m_time(zone) {}

void EpisodesCsvWriter::header() {
    header_line(m_buffer, model::episode_columns);
    put_line(m_out, m_buffer, "episodes.csv", 0);
}

void EpisodesCsvWriter::write(const model::Episode& episode) {
    ++m_records;
    auto& out = m_buffer;
    out.clear();
    append_csv_field(out, episode.episode_id);
    out += ',';
    append_csv_field(out, episode.child_id);
    out += ',';
    m_time.append(out, episode.reported_at);
    out += ',';
    if (episode.last_seen_at) {
        m_time.append(out, *episode.last_seen_at);
    }
    out += ',';
    if (episode.returned_at) {
        m_time.append(out, *episode.returned_at);
    }
    out += ',';
    csv_date(out, episode.date_of_birth);
    out += ',';
    if (episode.age) {
        append_int(out, *episode.age);
    }
    out += ',';
    csv_code(out, episode.sex);
    out += ',';
    out += model::to_code(episode.category);
    out += ',';
    out += model::to_code(episode.setting);
    out += ',';
    csv_bool(out, episode.looked_after);
    out += ',';
    csv_code(out, episode.placement_area);
    out += ',';
    append_csv_field(out, episode.responsible_authority);
    out += ',';
    csv_code(out, episode.risk_grade);
    out += ',';
    append_csv_field(out, episode.police_ref);
    csv_location(out, &episode.from);
    csv_location(out, episode.found ? &*episode.found : nullptr);
    out += ',';
    csv_code(out, episode.returned_by);
    out += ',';
    csv_list(out, episode.missing_with);
    out += ',';
    csv_bool(out, episode.safe_and_well);
    out += ',';
    csv_bool(out, episode.cse);
    out += ',';
    csv_bool(out, episode.cce);
    out += ',';
    csv_bool(out, episode.trafficking);
    out += ',';
    csv_bool(out, episode.uasc);
    out += '\n';
    put_line(m_out, out, "episodes.csv", m_records);
}

// ---- persons.csv -------------------------------------------------------------

PersonsCsvWriter::PersonsCsvWriter(std::ostream& out) : m_out(out) {}

void PersonsCsvWriter::header() {
    header_line(m_buffer, model::person_columns);
    put_line(m_out, m_buffer, "persons.csv", 0);
}

void PersonsCsvWriter::write(const model::Person& person) {
    ++m_records;
    auto& out = m_buffer;
    out.clear();
    append_csv_field(out, person.person_id);
    out += ',';
    csv_code(out, person.kind);
    out += ',';
    append_csv_field(out, person.name);
    out += ',';
    csv_list(out, person.aliases);
    out += ',';
    csv_date(out, person.date_of_birth);
    out += ',';
    csv_code(out, person.sex);
    out += ',';
    csv_list(out, person.flags);
    out += '\n';
    put_line(m_out, out, "persons.csv", m_records);
}

// ---- gazetteer.csv -----------------------------------------------------------

GazetteerCsvWriter::GazetteerCsvWriter(std::ostream& out) : m_out(out) {}

void GazetteerCsvWriter::header() {
    header_line(m_buffer, model::gazetteer_columns);
    put_line(m_out, m_buffer, "gazetteer.csv", 0);
}

void GazetteerCsvWriter::write(const model::GazetteerEntry& entry) {
    ++m_records;
    auto& out = m_buffer;
    out.clear();
    const int decimals = xy_decimals(entry.crs);
    append_csv_field(out, entry.key);
    out += ',';
    out += model::to_code(entry.key_type);
    out += ',';
    csv_number(out, entry.x, decimals);
    out += ',';
    csv_number(out, entry.y, decimals);
    out += ',';
    append_int(out, entry.crs);
    out += ',';
    append_csv_field(out, entry.label);
    out += ',';
    csv_code(out, entry.place_type);
    out += ',';
    csv_bool(out, entry.restricted);
    out += '\n';
    put_line(m_out, out, "gazetteer.csv", m_records);
}

// ---- rhi.jsonl ---------------------------------------------------------------

RhiJsonlWriter::RhiJsonlWriter(std::ostream& out, const date::time_zone* zone)
    : m_out(out), m_time(zone) {}

void RhiJsonlWriter::write(const model::ReturnInterview& rhi) {
    ++m_records;
    auto& out = m_buffer;
    out.clear();
    JsonObject object(out);
    object.string_or_null("rhi_id", rhi.rhi_id);
    object.string_or_null("episode_id", rhi.episode_id);
    object.string_or_null("child_id", rhi.child_id);
    object.time_or_null("referred_at", rhi.referred_at, m_time);
    object.time_or_null("offered_at", rhi.offered_at, m_time);
    object.code_or_null("outcome", rhi.outcome);
    object.string_or_null("decline_reason", rhi.decline_reason);
    object.time_or_null("conducted_at", rhi.conducted_at, m_time);
    object.code_or_null("mode", rhi.mode);
    object.bool_or_null("independent", rhi.independent);
    object.bool_or_null("consent_to_share", rhi.consent_to_share);
    json_array(object.key("places"), rhi.places, [](std::string& o, const model::RhiPlace& p) {
        JsonObject place(o);
        auto& role = place.key("role");
        role += '"';
        role += model::to_code(p.role);
        role += '"';
        json_location(place.key("location"), p.location);
        json_strings(place.key("with"), p.with);
        place.close();
    });
    json_array(object.key("with"), rhi.with, json_person);
    json_codes(object.key("push_factors"), rhi.push_factors);
    json_codes(object.key("pull_factors"), rhi.pull_factors);
    {
        JsonObject high_risk(object.key("high_risk"));
        for (const auto& [category, value] : rhi.high_risk) {
            high_risk.key(model::to_code(category)) += value ? "true" : "false";
        }
        high_risk.close();
    }
    object.code_or_null("risk_of_repeat", rhi.risk_of_repeat);
    object.bool_or_null("strategy_meeting_required", rhi.strategy_meeting_required);
    object.bool_or_null("cse_indicators", rhi.cse_indicators);
    object.bool_or_null("cce_indicators", rhi.cce_indicators);
    object.bool_or_null("nrm_referral", rhi.nrm_referral);
    json_array(object.key("locations_of_concern"), rhi.locations_of_concern, json_location);
    json_array(object.key("people_of_concern"), rhi.people_of_concern, json_person);
    json_array(object.key("young_people_of_concern"), rhi.young_people_of_concern, json_person);
    object.bool_or_null("cpi_submitted", rhi.cpi_submitted);
    object.bool_or_null("sensitive_disclosure", rhi.sensitive_disclosure);
    {
        JsonObject notes(object.key("notes"));
        for (const auto& [heading, text] : rhi.notes) {
            append_json_string(notes.escaped_key(heading), text);
        }
        notes.close();
    }
    object.close();
    out += '\n';
    put_line(m_out, out, "rhi.jsonl", m_records);
}

// ---- cpi.jsonl ---------------------------------------------------------------

CpiJsonlWriter::CpiJsonlWriter(std::ostream& out, const date::time_zone* zone)
    : m_out(out), m_time(zone) {}

void CpiJsonlWriter::write(const model::CpiReport& cpi) {
    ++m_records;
    auto& out = m_buffer;
    out.clear();
    JsonObject object(out);
    object.string_or_null("cpi_id", cpi.cpi_id);
    object.time_or_null("received_at", cpi.received_at, m_time);
    {
        JsonObject submitter(object.key("submitter"));
        submitter.string_if("name", cpi.submitter.name);
        submitter.string_if("organisation", cpi.submitter.organisation);
        submitter.string_if("phone", cpi.submitter.phone);
        submitter.string_if("email", cpi.submitter.email);
        submitter.close();
    }
    {
        JsonObject source(object.key("source"));
        source.string_if("name", cpi.source.name);
        source.string_if("dob", cpi.source.dob);
        source.string_if("address", cpi.source.address);
        source.bool_if("can_recontact", cpi.source.can_recontact);
        source.string_if("contact", cpi.source.contact);
        source.string_if("how_known", cpi.source.how_known);
        source.string_if("when_known", cpi.source.when_known);
        source.close();
    }
    object.string_or_null("shared_with", cpi.shared_with);
    object.string_or_null("information", cpi.information);
    object.date_or_null("information_date", cpi.information_date);
    if (cpi.location) {
        json_location(object.key("location"), *cpi.location);
    } else {
        object.key("location") += "null";
    }
    json_array(object.key("subjects"), cpi.subjects,
               [](std::string& o, const model::CpiSubject& subject) {
                   JsonObject member(o);
                   json_person_members(member, subject.person);
                   member.code_if("role", subject.role);
                   member.close();
               });
    json_array(object.key("vehicles"), cpi.vehicles,
               [](std::string& o, const model::Vehicle& vehicle) {
                   JsonObject member(o);
                   member.string_if("vrm", vehicle.vrm);
                   member.string_if("make", vehicle.make);
                   member.string_if("model", vehicle.model);
                   member.string_if("colour", vehicle.colour);
                   member.close();
               });
    json_array(object.key("places"), cpi.places, json_location);
    {
        JsonObject grading(object.key("grading"));
        grading.code_or_null("source", cpi.grading.source);
        grading.code_or_null("intelligence", cpi.grading.intelligence);
        grading.code_or_null("handling", cpi.grading.handling);
        grading.close();
    }
    object.close();
    out += '\n';
    put_line(m_out, out, "cpi.jsonl", m_records);
}

} // namespace waymark::canonical
