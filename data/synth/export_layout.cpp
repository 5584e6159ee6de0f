#include "data/synth/export_layout.hpp"

#include "base/error.hpp"
#include "data/canonical/writers.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/columns.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <optional>
#include <ostream>
#include <stdexcept>

namespace waymark::synth {
namespace {

namespace m = waymark::model;

// ---- the layouts: data/specs/*.json inverted ---------------------------------
//
// Keep each in step with its JSON file: the columns in the file's order, every
// value map entry turned round (canonical → source word), the same defaults.
// tests/engine/import_variants_test.cpp fails when they drift apart.

// data/specs/police-episodes.json: a police RMS missing-person extract saved by
// Excel (Windows-1252, CRLF, UK day-first dates).
constexpr std::array<ExportColumn, 21> police_columns{{
    {"episode_id", "Occurrence Ref"},
    {"police_ref", "Incident Ref"},
    {"child_id", "Subject ID"},
    {"reported_at", "Reported"},
    {"last_seen_at", "Last Seen"},
    {"returned_at", "Returned"},
    {"date_of_birth", "DOB"},
    {"sex", "Gender"},
    {"setting", "Missing From Type"},
    {"risk_grade", "Risk"},
    {"from_label", "Missing From Address"},
    {"from_postcode", "Missing From Postcode"},
    {"from_x", "Missing From Easting"},
    {"from_y", "Missing From Northing"},
    {"found_label", "Found Location"},
    {"found_postcode", "Found Postcode"},
    {"returned_by", "Return Method"},
    {"missing_with", "Missing With"},
    {"safe_and_well", "S&W Check"},
    {"cse", "CSE Flag"},
    {"cce", "CCE Flag"},
}};

constexpr std::array<ExportValue, 26> police_values{{
    {"sex", "M", "Male"},
    {"sex", "F", "Female"},
    {"sex", "X", "Not Specified"},
    {"sex", "U", "Unknown"},
    {"risk_grade", "high", "H"},
    {"risk_grade", "medium", "M"},
    {"risk_grade", "low", "L"},
    {"risk_grade", "no_apparent_risk", "NAR"},
    {"setting", "home", "Home Address"},
    {"setting", "foster_care", "Foster Placement"},
    {"setting", "childrens_home", "Childrens Home"},
    {"setting", "supported_accommodation", "Supported Lodgings"},
    {"setting", "health", "Hospital"},
    {"setting", "care_leaver", "Care Leaver Accommodation"},
    {"setting", "other", "Other"},
    {"returned_by", "police", "Located by Police"},
    {"returned_by", "parent_carer", "Returned by Parent/Carer"},
    {"returned_by", "self", "Returned of Own Accord"},
    {"returned_by", "professional", "Returned by Professional"},
    {"returned_by", "other", "Other"},
    {"safe_and_well", "Y", "Yes"},
    {"safe_and_well", "N", "No"},
    {"cse", "Y", "Yes"},
    {"cse", "N", "No"},
    {"cce", "Y", "Yes"},
    {"cce", "N", "No"},
}};

constexpr std::array<ExportDefault, 3> police_defaults{{
    {"category", "missing"},
    {"from_crs", "27700"},
    {"found_crs", "27700"},
}};

// data/specs/council-episodes.json: a council case-management report (UTF-8
// with a byte order mark, as Excel's "CSV UTF-8" writes; dates like 14-Mar-2026).
constexpr std::array<ExportColumn, 24> council_columns{{
    {"child_id", "Child ID"},
    {"episode_id", "Episode No"},
    {"category", "Missing/Absent"},
    {"reported_at", "Date Reported"},
    {"last_seen_at", "Date Went Missing"},
    {"returned_at", "Date Returned"},
    {"date_of_birth", "Date of Birth"},
    {"sex", "Sex"},
    {"setting", "Placement Type"},
    {"looked_after", "LAC"},
    {"placement_area", "Placement Location"},
    {"responsible_authority", "Placing Authority"},
    {"risk_grade", "Police Risk Level"},
    {"police_ref", "Police Ref"},
    {"from_label", "Missing From (Address Label)"},
    {"from_place_id", "Missing From (UPRN)"},
    {"from_postcode", "Missing From (Postcode)"},
    {"found_label", "Found At (Address Label)"},
    {"found_place_id", "Found At (UPRN)"},
    {"returned_by", "Returned By"},
    {"cse", "CSE Concern"},
    {"cce", "CCE Concern"},
    {"trafficking", "Trafficking Concern"},
    {"uasc", "UASC"},
}};

constexpr std::array<ExportValue, 36> council_values{{
    {"category", "missing", "Missing"},
    {"category", "absent", "Absent"},
    {"category", "away_without_authorisation", "Away Without Authorisation"},
    {"category", "unauthorised_absence", "Unauthorised Absence"},
    {"sex", "F", "Female"},
    {"sex", "M", "Male"},
    {"sex", "X", "Other"},
    {"sex", "U", "Not Known"},
    {"setting", "childrens_home", "Residential"},
    {"setting", "foster_care", "Foster"},
    {"setting", "home", "Parental home"},
    {"setting", "supported_accommodation", "Semi-independent"},
    {"setting", "health", "Hospital"},
    {"setting", "care_leaver", "Care Leaver"},
    {"setting", "other", "Other"},
    {"placement_area", "in_area", "In Borough"},
    {"placement_area", "out_of_area", "Out of Borough"},
    {"placement_area", "placed_in", "Placed in Borough by Other LA"},
    {"risk_grade", "high", "High"},
    {"risk_grade", "medium", "Medium"},
    {"risk_grade", "low", "Low"},
    {"risk_grade", "no_apparent_risk", "No Apparent Risk"},
    {"returned_by", "police", "Police"},
    {"returned_by", "parent_carer", "Parent/Carer"},
    {"returned_by", "self", "Self"},
    {"returned_by", "professional", "Social Worker"},
    {"returned_by", "other", "Other"},
    {"cse", "Y", "Yes"},
    {"cse", "N", "No"},
    {"cse", "", "Not Known"},
    {"cce", "Y", "Yes"},
    {"cce", "N", "No"},
    {"cce", "", "Not Known"},
    {"trafficking", "Y", "Yes"},
    {"trafficking", "N", "No"},
    {"trafficking", "", "Not Known"},
}};

constexpr std::array<ExportDefault, 1> council_defaults{{
    {"category", "missing"},
}};

const ExportLayoutSpec police_layout{
    .layout = ExportLayout::police,
    .file_name = "episodes-police.csv",
    .spec_file = "police-episodes.json",
    .encoding = "windows-1252",
    .delimiter = ',',
    .line_end = "\r\n",
    .bom = false,
    .columns = police_columns,
    .values = police_values,
    .datetime_format = "%d/%m/%Y %H:%M",
    .date_format = "%d/%m/%Y",
    .defaults = police_defaults,
};

const ExportLayoutSpec council_layout{
    .layout = ExportLayout::council,
    .file_name = "episodes-council.csv",
    .spec_file = "council-episodes.json",
    .encoding = "utf-8",
    .delimiter = ',',
    .line_end = "\n",
    .bom = true,
    .columns = council_columns,
    .values = council_values,
    .datetime_format = "%d-%b-%Y %H:%M",
    .date_format = "%d-%b-%Y",
    .defaults = council_defaults,
};

// ---- locations ---------------------------------------------------------------

/// The location fields location_of() fills for `place` written in `style`
/// (besides the label it often adds, which every layout carries).
std::span<const std::string_view> fields_of(LocationStyle style, const Place& place) {
    static constexpr std::array<std::string_view, 2> xy = {"x", "y"};
    static constexpr std::array<std::string_view, 2> lat_lon = {"lat", "lon"};
    static constexpr std::array<std::string_view, 1> place_id = {"place_id"};
    static constexpr std::array<std::string_view, 1> postcode = {"postcode"};
    static constexpr std::array<std::string_view, 1> label = {"label"};
    switch (style) {
    case LocationStyle::xy:
        return xy;
    case LocationStyle::lat_lon:
        return lat_lon;
    case LocationStyle::place_id:
        if (place.key_type == m::GazetteerKeyType::postcode) {
            return postcode;
        }
        return place_id;
    case LocationStyle::postcode:
        if (place.postcode.empty()) {
            return place_id;
        }
        return postcode;
    case LocationStyle::label:
        return label;
    }
    return label;
}

bool style_carried(const ExportLayoutSpec& layout, bool found, const Place& place,
                   LocationStyle style) {
    const std::string prefix = found ? "found_" : "from_";
    for (const std::string_view field : fields_of(style, place)) {
        if (!carries(layout, prefix + std::string(field))) {
            return false;
        }
    }
    return true;
}

// ---- text --------------------------------------------------------------------

/// The code point of the valid UTF-8 sequence at text[i] and its length, or
/// length 0 for an invalid one.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) -> unsigned {
        return k < text.size() ? static_cast<unsigned char>(text[k]) : 0U;
    };
    const auto continuation = [&](std::size_t k) { return (byte(k) & 0xC0U) == 0x80U; };
    const unsigned lead = byte(i);
    if (lead < 0x80) {
        return {lead, 1};
    }
    if (lead >= 0xC2 && lead <= 0xDF && continuation(i + 1)) {
        return {((lead & 0x1FU) << 6) | (byte(i + 1) & 0x3FU), 2};
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        const unsigned low = lead == 0xE0 ? 0xA0 : 0x80;
        const unsigned high = lead == 0xED ? 0x9F : 0xBF;
        if (byte(i + 1) >= low && byte(i + 1) <= high && continuation(i + 2)) {
            return {((lead & 0x0FU) << 12) | ((byte(i + 1) & 0x3FU) << 6) | (byte(i + 2) & 0x3FU),
                    3};
        }
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        const unsigned low = lead == 0xF0 ? 0x90 : 0x80;
        const unsigned high = lead == 0xF4 ? 0x8F : 0xBF;
        if (byte(i + 1) >= low && byte(i + 1) <= high && continuation(i + 2) &&
            continuation(i + 3)) {
            return {((lead & 0x07U) << 18) | ((byte(i + 1) & 0x3FU) << 12) |
                        ((byte(i + 2) & 0x3FU) << 6) | (byte(i + 3) & 0x3FU),
                    4};
        }
    }
    return {0, 0};
}

/// The characters Windows-1252 puts at 0x80–0x9F (0 where it has none).
constexpr std::array<char32_t, 32> windows_1252_high = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/// The Windows-1252 byte of a code point, or -1 when it has none.
int windows_1252_byte(char32_t c) {
    if (c < 0x80 || (c >= 0xA0 && c <= 0xFF)) {
        return static_cast<int>(c);
    }
    for (std::size_t i = 0; i < windows_1252_high.size(); ++i) {
        if (windows_1252_high[i] != 0 && windows_1252_high[i] == c) {
            return static_cast<int>(0x80 + i);
        }
    }
    return -1;
}

constexpr std::array<std::string_view, 12> month_abbreviations = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void append_digits(std::string& out, unsigned value, int width) {
    std::array<char, 12> digits{};
    int n = 0;
    do {
        digits[static_cast<std::size_t>(n++)] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (int pad = n; pad < width; ++pad) {
        out += '0';
    }
    while (n > 0) {
        out += digits[static_cast<std::size_t>(--n)];
    }
}

/// Writes the fields with `format`; time fields are negative for a date.
void append_formatted(std::string& out, std::string_view format, const date::year_month_day& ymd,
                      int hour, int minute, int second) {
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            out += format[i];
            continue;
        }
        const char directive = i + 1 < format.size() ? format[++i] : '\0';
        const bool time = directive == 'H' || directive == 'M' || directive == 'S';
        if (time && hour < 0) {
            throw std::invalid_argument("a date cannot be written with %" +
                                        std::string(1, directive));
        }
        switch (directive) {
        case 'Y': {
            const int year = static_cast<int>(ymd.year());
            if (year < 0 || year > 9999) {
                throw std::invalid_argument("year " + std::to_string(year) +
                                            " cannot be written with %Y");
            }
            append_digits(out, static_cast<unsigned>(year), 4);
            break;
        }
        case 'm':
            append_digits(out, static_cast<unsigned>(ymd.month()), 2);
            break;
        case 'b':
            out += month_abbreviations[static_cast<unsigned>(ymd.month()) - 1];
            break;
        case 'd':
            append_digits(out, static_cast<unsigned>(ymd.day()), 2);
            break;
        case 'H':
            append_digits(out, static_cast<unsigned>(hour), 2);
            break;
        case 'M':
            append_digits(out, static_cast<unsigned>(minute), 2);
            break;
        case 'S':
            append_digits(out, static_cast<unsigned>(second), 2);
            break;
        case '%':
            out += '%';
            break;
        default:
            throw std::invalid_argument("cannot write the date-time directive %" +
                                        std::string(1, directive) + " of \"" + std::string(format) +
                                        "\"");
        }
    }
}

/// The index of a canonical episodes column.
std::size_t column_index(std::string_view name) {
    const auto it = std::find(m::episode_columns.begin(), m::episode_columns.end(), name);
    if (it == m::episode_columns.end()) {
        throw std::invalid_argument("no canonical episodes column " + std::string(name));
    }
    return static_cast<std::size_t>(it - m::episode_columns.begin());
}

std::string_view default_of(const ExportLayoutSpec& layout, std::string_view canonical) {
    for (const ExportDefault& d : layout.defaults) {
        if (d.canonical == canonical) {
            return d.value;
        }
    }
    return {};
}

bool is_geographic(int crs) {
    return crs == 4326 || crs == 4258 || crs == 4277;
}

void append_number(std::string& out, const std::optional<double>& value, int decimals) {
    if (value && std::isfinite(*value)) {
        canonical::append_decimal(out, *value, decimals);
    }
}

/// The canonical text of location field `field` (an index into
/// model::location_fields), as the canonical writer writes it.
void append_location_field(std::string& out, const m::Location& l, std::size_t field) {
    switch (field) {
    case 0:
        append_number(out, l.x, is_geographic(l.crs) ? 6 : 2);
        break;
    case 1:
        append_number(out, l.y, is_geographic(l.crs) ? 6 : 2);
        break;
    case 2:
        if (l.x || l.y) {
            out += std::to_string(l.crs);
        }
        break;
    case 3:
        append_number(out, l.lat, 6);
        break;
    case 4:
        append_number(out, l.lon, 6);
        break;
    case 5:
        out += l.place_id;
        break;
    case 6:
        out += l.postcode;
        break;
    case 7:
        out += l.label;
        break;
    default:
        canonical::csv_code(out, l.type);
        break;
    }
}

} // namespace

// ---- public ------------------------------------------------------------------

ExportLayout parse_export_layout(std::string_view text) {
    if (text == "canonical") {
        return ExportLayout::canonical;
    }
    if (text == "police") {
        return ExportLayout::police;
    }
    if (text == "council") {
        return ExportLayout::council;
    }
    throw InputError("unknown export layout '" + std::string(text) +
                     "' (expected canonical, police or council)");
}

std::string_view to_string(ExportLayout layout) {
    switch (layout) {
    case ExportLayout::police:
        return "police";
    case ExportLayout::council:
        return "council";
    case ExportLayout::canonical:
        break;
    }
    return "canonical";
}

const ExportLayoutSpec& export_layout_spec(ExportLayout layout) {
    switch (layout) {
    case ExportLayout::police:
        return police_layout;
    case ExportLayout::council:
        return council_layout;
    case ExportLayout::canonical:
        break;
    }
    throw std::invalid_argument("the canonical layout is episodes.csv itself; it has no spec");
}

bool carries(const ExportLayoutSpec& layout, std::string_view canonical) {
    return std::any_of(layout.columns.begin(), layout.columns.end(),
                       [&](const ExportColumn& column) { return column.canonical == canonical; });
}

LocationStyle carried_style(ExportLayout layout, bool found, const Place& place,
                            LocationStyle drawn) {
    if (layout == ExportLayout::canonical) {
        return drawn;
    }
    using S = LocationStyle;
    std::array<S, 5> order{};
    switch (drawn) {
    case S::xy:
        order = {S::xy, S::lat_lon, S::place_id, S::postcode, S::label};
        break;
    case S::lat_lon:
        order = {S::lat_lon, S::xy, S::place_id, S::postcode, S::label};
        break;
    case S::place_id:
        order = {S::place_id, S::postcode, S::label, S::xy, S::lat_lon};
        break;
    case S::postcode:
        order = {S::postcode, S::place_id, S::label, S::xy, S::lat_lon};
        break;
    case S::label:
        order = {S::label, S::place_id, S::postcode, S::xy, S::lat_lon};
        break;
    }
    const ExportLayoutSpec& spec = export_layout_spec(layout);
    for (const S style : order) {
        if (style_carried(spec, found, place, style) &&
            (style != S::label || !place.label.empty())) {
            return style;
        }
    }
    throw Error("the " + std::string(to_string(layout)) + " layout cannot write a " +
                (found ? "found" : "from") + " location at place " + place.key);
}

std::size_t append_utf8_as_windows_1252(std::string& out, std::string_view utf8) {
    std::size_t replaced = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto [code, length] = decode_utf8(utf8, i);
        const int byte = length == 0 ? -1 : windows_1252_byte(code);
        if (byte < 0) {
            out += '?';
            ++replaced;
        } else {
            out += static_cast<char>(static_cast<unsigned char>(byte));
        }
        i += length == 0 ? 1 : length;
    }
    return replaced;
}

bool append_export_time(std::string& out, model::Timestamp utc, const date::time_zone* zone,
                        std::string_view format) {
    date::local_seconds local{utc.time_since_epoch()};
    bool ambiguous = false;
    if (zone != nullptr) {
        local = zone->to_local(utc);
        ambiguous = zone->get_info(local).result == date::local_info::ambiguous;
    }
    const auto day = date::floor<date::days>(local);
    const date::hh_mm_ss clock{local - day};
    append_formatted(
        out, format, date::year_month_day{day}, static_cast<int>(clock.hours().count()),
        static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()));
    return ambiguous;
}

void append_export_date(std::string& out, model::Date date, std::string_view format) {
    append_formatted(out, format, date::year_month_day{date}, -1, -1, -1);
}

// ---- EpisodeExportWriter -------------------------------------------------------

EpisodeExportWriter::EpisodeExportWriter(std::ostream& out, ExportLayout layout,
                                         const date::time_zone* zone)
    : m_out(out), m_layout(export_layout_spec(layout)), m_zone(zone) {
    for (const ExportColumn& column : m_layout.columns) {
        m_indexes.push_back(column_index(column.canonical));
    }
    // Fail now, not on the first record, when a format cannot be written.
    std::string probe;
    append_export_time(probe, model::Timestamp{}, nullptr, m_layout.datetime_format);
    append_export_date(probe, model::Date{}, m_layout.date_format);
}

void EpisodeExportWriter::field(std::string_view text) {
    m_encoded.clear();
    if (m_layout.encoding == "windows-1252") {
        m_replaced += static_cast<std::int64_t>(append_utf8_as_windows_1252(m_encoded, text));
    } else {
        m_encoded = text;
    }
    if (m_fields++ > 0) {
        m_line += m_layout.delimiter;
    }
    const bool quote = m_encoded.find_first_of(std::string{m_layout.delimiter, '"', '\r', '\n'}) !=
                       std::string::npos;
    if (!quote) {
        m_line += m_encoded;
        return;
    }
    m_line += '"';
    for (const char c : m_encoded) {
        m_line += c;
        if (c == '"') {
            m_line += '"';
        }
    }
    m_line += '"';
}

void EpisodeExportWriter::end_line(std::uint64_t record) {
    m_line += m_layout.line_end;
    m_out.write(m_line.data(), static_cast<std::streamsize>(m_line.size()));
    if (!m_out) {
        throw IoError(
            "writing " + std::string(m_layout.file_name) + ": the output stream failed at " +
            (record == 0 ? std::string("the header") : "record " + std::to_string(record)));
    }
    m_line.clear();
    m_fields = 0;
}

void EpisodeExportWriter::header() {
    m_line.clear();
    m_fields = 0;
    if (m_layout.bom) {
        m_line += "\xEF\xBB\xBF";
    }
    for (const ExportColumn& column : m_layout.columns) {
        field(column.source);
    }
    end_line(0);
}

void EpisodeExportWriter::write(const model::Episode& e) {
    ++m_records;
    const std::string layout_name(to_string(m_layout.layout));
    const auto fail = [&](const std::string& problem) {
        throw Error("writing " + std::string(m_layout.file_name) + ": episode " + e.episode_id +
                    ": " + problem);
    };

    // What the layout cannot carry is refused, except whole columns it has
    // no place for (export_layout.hpp explains which and why).
    if (!e.date_of_birth && e.age && !carries(m_layout, "age")) {
        fail("only the age is given, and the " + layout_name +
             " layout has no age column (write the date of birth)");
    }
    if (!carries(m_layout, "category")) {
        const std::string_view implied = default_of(m_layout, "category");
        if (m::to_code(e.category) != (implied.empty() ? "missing" : implied)) {
            fail("category " + std::string(m::to_code(e.category)) + " cannot be written: the " +
                 layout_name + " layout has no category column");
        }
    }
    const auto check_location = [&](const m::Location& l, std::string_view prefix) {
        const auto need = [&](bool present, std::string_view field) {
            const std::string column = std::string(prefix) + std::string(field);
            if (present && !carries(m_layout, column)) {
                fail(column + " cannot be written: the " + layout_name +
                     " layout has no column for it");
            }
        };
        need(l.x.has_value(), "x");
        need(l.y.has_value(), "y");
        need(l.lat.has_value(), "lat");
        need(l.lon.has_value(), "lon");
        need(!l.place_id.empty(), "place_id");
        need(!l.postcode.empty(), "postcode");
        need(!l.label.empty(), "label");
        if ((l.x || l.y) && !carries(m_layout, std::string(prefix) + "crs")) {
            const std::string_view implied = default_of(m_layout, std::string(prefix) + "crs");
            if (std::to_string(l.crs) != (implied.empty() ? "27700" : implied)) {
                fail(std::string(prefix) + "crs " + std::to_string(l.crs) +
                     " cannot be written: the " + layout_name + " layout has no column for it");
            }
        }
    };
    check_location(e.from, "from_");
    if (e.found) {
        check_location(*e.found, "found_");
    }

    m_line.clear();
    m_fields = 0;
    for (std::size_t c = 0; c < m_layout.columns.size(); ++c) {
        const ExportColumn& column = m_layout.columns[c];
        const std::size_t index = m_indexes[c];
        std::string& v = m_value;
        v.clear();
        const auto time = [&](const std::optional<m::Timestamp>& t) {
            if (!t) {
                return;
            }
            if (t->time_since_epoch().count() % 60 != 0) {
                fail(std::string(column.canonical) + " " + m::format_timestamp(*t) +
                     " has seconds, which " + std::string(m_layout.datetime_format) +
                     " cannot write");
            }
            if (append_export_time(v, *t, m_zone, m_layout.datetime_format)) {
                ++m_ambiguous;
            }
        };
        constexpr std::size_t from_first = 15; // from_x
        constexpr std::size_t found_first = 24;
        static_assert(m::episode_columns[from_first] == "from_x");
        static_assert(m::episode_columns[found_first] == "found_x");
        switch (index) {
        case 0:
            v = e.episode_id;
            break;
        case 1:
            v = e.child_id;
            break;
        case 2:
            time(e.reported_at);
            break;
        case 3:
            time(e.last_seen_at);
            break;
        case 4:
            time(e.returned_at);
            break;
        case 5:
            if (e.date_of_birth) {
                append_export_date(v, *e.date_of_birth, m_layout.date_format);
            }
            break;
        case 6:
            if (e.age) {
                v = std::to_string(*e.age);
            }
            break;
        case 7:
            canonical::csv_code(v, e.sex);
            break;
        case 8:
            v = m::to_code(e.category);
            break;
        case 9:
            v = m::to_code(e.setting);
            break;
        case 10:
            canonical::csv_bool(v, e.looked_after);
            break;
        case 11:
            canonical::csv_code(v, e.placement_area);
            break;
        case 12:
            v = e.responsible_authority;
            break;
        case 13:
            canonical::csv_code(v, e.risk_grade);
            break;
        case 14:
            v = e.police_ref;
            break;
        case 33:
            canonical::csv_code(v, e.returned_by);
            break;
        case 34:
            for (const std::string& other : e.missing_with) {
                v += v.empty() ? "" : ";";
                v += other;
            }
            break;
        case 35:
            canonical::csv_bool(v, e.safe_and_well);
            break;
        case 36:
            canonical::csv_bool(v, e.cse);
            break;
        case 37:
            canonical::csv_bool(v, e.cce);
            break;
        case 38:
            canonical::csv_bool(v, e.trafficking);
            break;
        case 39:
            canonical::csv_bool(v, e.uasc);
            break;
        default:
            if (index >= found_first) {
                if (e.found) {
                    append_location_field(v, *e.found, index - found_first);
                }
            } else {
                append_location_field(v, e.from, index - from_first);
            }
            break;
        }
        static_assert(m::episode_columns[33] == "returned_by");
        static_assert(m::episode_columns[39] == "uasc");

        // The spec's word for the canonical value; a value it has no word for
        // is written as it is, which the importer reads unchanged — unless
        // that text is itself a word of the map, which would be misread.
        bool mapped = false;
        bool has_map = false;
        for (const ExportValue& entry : m_layout.values) {
            if (entry.field != column.canonical) {
                continue;
            }
            has_map = true;
            if (!mapped && entry.canonical == v) {
                v = entry.source;
                mapped = true;
            }
        }
        if (v.empty() && !default_of(m_layout, column.canonical).empty()) {
            fail(std::string(column.canonical) + " is unknown, but an empty " +
                 std::string(column.source) + " is read as the spec's default " +
                 std::string(default_of(m_layout, column.canonical)));
        }
        if (has_map && !mapped) {
            for (const ExportValue& entry : m_layout.values) {
                if (entry.field == column.canonical && entry.source == v) {
                    fail(std::string(column.canonical) + " '" + v + "' would be read as '" +
                         std::string(entry.canonical) + "' through the " + layout_name +
                         " value map");
                }
            }
        }
        field(v);
    }
    end_line(m_records);
}

} // namespace waymark::synth
