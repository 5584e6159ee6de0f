#include "importers/datetime.hpp"

#include "base/error.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>

namespace waymark::importers {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

constexpr char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string_view trimmed(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Exactly `count` digits at `pos`; advances `pos`.
bool fixed_digits(std::string_view text, std::size_t& pos, int count, int& value) {
    if (text.size() - pos < static_cast<std::size_t>(count)) {
        return false;
    }
    int result = 0;
    for (int i = 0; i < count; ++i) {
        const char c = text[pos + static_cast<std::size_t>(i)];
        if (!is_digit(c)) {
            return false;
        }
        result = result * 10 + (c - '0');
    }
    pos += static_cast<std::size_t>(count);
    value = result;
    return true;
}

// One or two digits at `pos` (as many as there are); advances `pos`.
bool one_or_two_digits(std::string_view text, std::size_t& pos, int& value) {
    if (pos >= text.size() || !is_digit(text[pos])) {
        return false;
    }
    value = text[pos++] - '0';
    if (pos < text.size() && is_digit(text[pos])) {
        value = value * 10 + (text[pos++] - '0');
    }
    return true;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

constexpr std::array<std::string_view, 12> month_names = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

// A month name at `pos`: the first three letters (any case), the full name, or
// "Sept"; advances `pos`.
bool month_name(std::string_view text, std::size_t& pos, int& month) {
    std::size_t end = pos;
    while (end < text.size() && is_letter(text[end])) {
        ++end;
    }
    const std::string_view word = text.substr(pos, end - pos);
    for (std::size_t i = 0; i < month_names.size(); ++i) {
        const std::string_view name = month_names[i];
        if ((word.size() == 3 && equal_ignoring_case(word, name.substr(0, 3))) ||
            equal_ignoring_case(word, name) || (i == 8 && equal_ignoring_case(word, "sept"))) {
            month = static_cast<int>(i) + 1;
            pos = end;
            return true;
        }
    }
    return false;
}

// ±HH:MM, ±HHMM or ±HH at `pos` (the sign already seen at `pos`).
bool offset(std::string_view text, std::size_t& pos, int& offset_minutes) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int hh = 0;
    int mm = 0;
    if (!fixed_digits(text, pos, 2, hh)) {
        return false;
    }
    if (pos < text.size()) {
        if (text[pos] == ':') {
            ++pos;
        }
        if (!fixed_digits(text, pos, 2, mm)) {
            return false;
        }
    }
    if (hh > 23 || mm > 59) {
        return false;
    }
    offset_minutes = sign * (hh * 60 + mm);
    return true;
}

// The ISO 8601 forms of the header; `fields` is filled, not yet validated.
template <typename Fields>
bool match_iso(std::string_view text, Fields& fields) {
    std::size_t pos = 0;
    if (!fixed_digits(text, pos, 4, fields.year) || pos == text.size() || text[pos++] != '-' ||
        !fixed_digits(text, pos, 2, fields.month) || pos == text.size() || text[pos++] != '-' ||
        !fixed_digits(text, pos, 2, fields.day)) {
        return false;
    }
    if (pos == text.size()) {
        return true; // a bare date: local midnight
    }
    if (text[pos] != 'T' && text[pos] != ' ') {
        return false;
    }
    ++pos;
    if (!fixed_digits(text, pos, 2, fields.hour) || pos == text.size() || text[pos++] != ':' ||
        !fixed_digits(text, pos, 2, fields.minute)) {
        return false;
    }
    if (pos < text.size() && text[pos] == ':') {
        ++pos;
        if (!fixed_digits(text, pos, 2, fields.second)) {
            return false;
        }
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            const std::size_t start = pos;
            while (pos < text.size() && is_digit(text[pos])) {
                ++pos;
            }
            if (pos == start) {
                return false;
            }
        }
    }
    if (pos == text.size()) {
        return true;
    }
    if (text[pos] == 'Z') {
        fields.has_offset = true;
        fields.offset_minutes = 0;
        return pos + 1 == text.size();
    }
    if (text[pos] == '+' || text[pos] == '-') {
        fields.has_offset = true;
        return offset(text, pos, fields.offset_minutes) && pos == text.size();
    }
    return false;
}

template <typename Fields>
bool valid(const Fields& fields) {
    if (fields.hour > 23 || fields.minute > 59 || fields.second > 59) {
        return false;
    }
    if (fields.month < 1 || fields.month > 12 || fields.day < 1) {
        return false;
    }
    const date::year_month_day ymd{date::year{fields.year},
                                   date::month{static_cast<unsigned>(fields.month)},
                                   date::day{static_cast<unsigned>(fields.day)}};
    return ymd.ok();
}

template <typename Fields>
date::local_seconds local_time(const Fields& fields) {
    const date::year_month_day ymd{date::year{fields.year},
                                   date::month{static_cast<unsigned>(fields.month)},
                                   date::day{static_cast<unsigned>(fields.day)}};
    return date::local_days{ymd} + hours{fields.hour} + minutes{fields.minute} +
           seconds{fields.second};
}

std::string format_local(date::local_seconds time) {
    std::string text = model::format_timestamp(model::Timestamp{time.time_since_epoch()}); // "…Z"
    text.pop_back();
    return text;
}

// Which directives belong together (a day, a month, a year…), for the checks.
enum Group {
    day_group,
    month_group,
    year_group,
    hour_group,
    minute_group,
    second_group,
    ampm_group
};

int group_of(char directive) {
    switch (directive) {
    case 'd':
        return day_group;
    case 'm':
    case 'b':
        return month_group;
    case 'Y':
    case 'y':
        return year_group;
    case 'H':
    case 'I':
        return hour_group;
    case 'M':
        return minute_group;
    case 'S':
        return second_group;
    case 'p':
        return ampm_group;
    default:
        return -1;
    }
}

constexpr std::array<std::string_view, 7> group_names = {
    "day (%d)",    "month (%m, %b)", "year (%Y, %y)", "hour (%H, %I)",
    "minute (%M)", "second (%S)",    "AM/PM (%p)"};

} // namespace

std::string check_datetime_format(std::string_view format) {
    if (format.empty()) {
        return "a format must not be empty";
    }
    std::array<int, 7> counts{};
    bool twelve_hour = false;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            continue;
        }
        if (i + 1 == format.size()) {
            return "a lone % at the end (write %% for a literal %)";
        }
        const char directive = format[++i];
        if (directive == '%') {
            continue;
        }
        const int group = group_of(directive);
        if (group < 0) {
            return std::string("unknown directive %") + directive +
                   " (known: %Y %y %m %b %d %H %I %M %S %p %%)";
        }
        if (++counts[static_cast<std::size_t>(group)] > 1) {
            return "more than one " + std::string(group_names[static_cast<std::size_t>(group)]);
        }
        twelve_hour = twelve_hour || directive == 'I';
    }
    if (counts[day_group] == 0 || counts[month_group] == 0 || counts[year_group] == 0) {
        return "a format needs a day (%d), a month (%m or %b) and a year (%Y or %y)";
    }
    if (counts[minute_group] > 0 && counts[hour_group] == 0) {
        return "minutes (%M) need an hour (%H or %I)";
    }
    if (counts[hour_group] > 0 && counts[minute_group] == 0) {
        return "an hour needs minutes (%M)";
    }
    if (counts[second_group] > 0 && counts[minute_group] == 0) {
        return "seconds (%S) need minutes (%M)";
    }
    if (twelve_hour && counts[ampm_group] == 0) {
        return "a 12-hour %I needs %p (AM/PM)";
    }
    if (!twelve_hour && counts[ampm_group] > 0) {
        return "%p needs a 12-hour %I (use %H without %p)";
    }
    return {};
}

DateTimeParser::DateTimeParser(const date::time_zone* zone, std::vector<std::string> formats)
    : m_zone(zone), m_texts(std::move(formats)) {
    for (const std::string& text : m_texts) {
        if (const std::string problem = check_datetime_format(text); !problem.empty()) {
            throw InputError("invalid date-time format '" + text + "': " + problem);
        }
        Format format;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '%' && text[i + 1] != '%') {
                format.steps.push_back({text[++i], 0});
            } else {
                format.steps.push_back({0, text[i]});
                i += text[i] == '%' ? 1 : 0;
            }
        }
        m_formats.push_back(std::move(format));
    }
}

bool DateTimeParser::match_format(const Format& format, std::string_view text, Fields& fields) {
    std::size_t pos = 0;
    int twelve = -1; // the %I hour, resolved with %p
    bool pm = false;
    for (const Step& step : format.steps) {
        bool ok = true;
        switch (step.directive) {
        case 0:
            if (step.literal == ' ') {
                ok = pos < text.size() && text[pos] == ' ';
                while (pos < text.size() && text[pos] == ' ') {
                    ++pos;
                }
            } else {
                ok = pos < text.size() && text[pos++] == step.literal;
            }
            break;
        case 'Y':
            ok = fixed_digits(text, pos, 4, fields.year);
            break;
        case 'y':
            ok = fixed_digits(text, pos, 2, fields.year);
            fields.year += fields.year < 69 ? 2000 : 1900;
            break;
        case 'm':
            ok = one_or_two_digits(text, pos, fields.month);
            break;
        case 'b':
            ok = month_name(text, pos, fields.month);
            break;
        case 'd':
            ok = one_or_two_digits(text, pos, fields.day);
            break;
        case 'H':
            ok = one_or_two_digits(text, pos, fields.hour);
            break;
        case 'I':
            ok = one_or_two_digits(text, pos, twelve) && twelve >= 1 && twelve <= 12;
            break;
        case 'M':
            ok = one_or_two_digits(text, pos, fields.minute);
            break;
        case 'S':
            ok = one_or_two_digits(text, pos, fields.second);
            break;
        case 'p':
            ok = text.size() - pos >= 2 && (lower(text[pos]) == 'a' || lower(text[pos]) == 'p') &&
                 lower(text[pos + 1]) == 'm';
            if (ok) {
                pm = lower(text[pos]) == 'p';
                pos += 2;
            }
            break;
        default:
            ok = false;
        }
        if (!ok) {
            return false;
        }
    }
    if (twelve >= 0) {
        fields.hour = twelve % 12 + (pm ? 12 : 0);
    }
    return pos == text.size();
}

bool DateTimeParser::match_any(std::string_view text, Fields& fields) const {
    if (match_iso(text, fields) && valid(fields)) {
        return true;
    }
    for (const Format& format : m_formats) {
        fields = Fields{};
        if (match_format(format, text, fields) && valid(fields)) {
            return true;
        }
    }
    return false;
}

std::string DateTimeParser::expected() const {
    std::string list = "expected ISO 8601";
    for (std::size_t i = 0; i < m_texts.size(); ++i) {
        list += i == 0 ? " or one of: " : ", ";
        list += m_texts[i];
    }
    return list;
}

ParsedTime DateTimeParser::parse(std::string_view text) const {
    const std::string_view value = trimmed(text);
    Fields fields;
    if (!match_any(value, fields)) {
        throw InputError("invalid date-time '" + std::string(text) + "' (" + expected() + ")");
    }
    const date::local_seconds local = local_time(fields);
    if (fields.has_offset) {
        return {model::Timestamp{local.time_since_epoch()} - minutes{fields.offset_minutes}, {}};
    }
    if (m_zone == nullptr) {
        return {model::Timestamp{local.time_since_epoch()}, {}};
    }
    const date::local_info info = m_zone->get_info(local);
    // In every case the offset of `first` is the right one: for an ambiguous
    // time it is the earlier instant, for a nonexistent one the offset before
    // the gap, which moves the time forward by the length of the gap.
    const model::Timestamp utc{local.time_since_epoch() - info.first.offset};
    switch (info.result) {
    case date::local_info::unique:
        return {utc, {}};
    case date::local_info::ambiguous:
        return {utc, "local time " + format_local(local) + " happens twice in " + m_zone->name() +
                         " (the clocks went back): the earlier was taken, " +
                         model::format_timestamp(utc)};
    default:
        return {utc,
                "local time " + format_local(local) + " does not exist in " + m_zone->name() +
                    " (the clocks went forward): read as " +
                    format_local(date::local_seconds{utc.time_since_epoch() + info.second.offset}) +
                    " local time, " + model::format_timestamp(utc)};
    }
}

std::optional<model::Date> DateTimeParser::parse_date(std::string_view text) const {
    const std::string_view value = trimmed(text);
    if (value.empty()) {
        return std::nullopt;
    }
    Fields fields;
    bool ok = match_any(value, fields);
    if (!ok) {
        // The date part of a date-time format on its own ("%d/%m/%Y" of
        // "%d/%m/%Y %H:%M"): the steps up to the last date directive, when no
        // time directive comes before it.
        for (const Format& format : m_formats) {
            std::size_t end = 0;
            int date_directives = 0;
            for (std::size_t i = 0; i < format.steps.size(); ++i) {
                const int group = group_of(format.steps[i].directive);
                if (group >= hour_group) {
                    break;
                }
                if (group >= 0) {
                    end = i + 1;
                    ++date_directives;
                }
            }
            if (end == format.steps.size() || date_directives < 3) {
                continue; // a date-only format (already tried), or no whole date first
            }
            const Format date_part{
                {format.steps.begin(), format.steps.begin() + static_cast<std::ptrdiff_t>(end)}};
            fields = Fields{};
            if (match_format(date_part, value, fields) && valid(fields)) {
                ok = true;
                break;
            }
        }
    }
    if (!ok) {
        throw InputError("invalid date '" + std::string(text) + "' (" + expected() + ")");
    }
    return date::sys_days{date::year_month_day{date::year{fields.year},
                                               date::month{static_cast<unsigned>(fields.month)},
                                               date::day{static_cast<unsigned>(fields.day)}}};
}

} // namespace waymark::importers
