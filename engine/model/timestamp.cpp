#include "engine/model/timestamp.hpp"

#include "base/error.hpp"

#include <cstddef>
#include <optional>

namespace waymark::model {

namespace {

using namespace std::chrono;

/// The non-negative number written with exactly `count` digits at text[pos], or -1.
int digits_at(std::string_view text, std::size_t pos, std::size_t count) noexcept {
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9') {
            return -1;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

/// The date in the first ten characters "YYYY-MM-DD" of text (at least ten long).
std::optional<sys_days> date_at_start(std::string_view text) noexcept {
    if (text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    const int y = digits_at(text, 0, 4);
    const int m = digits_at(text, 5, 2);
    const int d = digits_at(text, 8, 2);
    if (y < 0 || m < 0 || d < 0) {
        return std::nullopt;
    }
    const year_month_day date{year{y}, month{static_cast<unsigned>(m)},
                              day{static_cast<unsigned>(d)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    return sys_days{date};
}

/// Appends value zero-padded to `width` digits (a leading '-' when negative).
void append_padded(std::string& out, long long value, int width) {
    if (value < 0) {
        out += '-';
        value = -value;
    }
    std::string digits = std::to_string(value);
    for (auto i = static_cast<int>(digits.size()); i < width; ++i) {
        out += '0';
    }
    out += digits;
}

void append_date(std::string& out, sys_days date) {
    const year_month_day ymd{date};
    append_padded(out, static_cast<int>(ymd.year()), 4);
    out += '-';
    append_padded(out, static_cast<unsigned>(ymd.month()), 2);
    out += '-';
    append_padded(out, static_cast<unsigned>(ymd.day()), 2);
}

} // namespace

std::string format_timestamp(Timestamp time) {
    const auto date = std::chrono::floor<std::chrono::days>(time);
    const std::chrono::hh_mm_ss clock{time - date};
    std::string out;
    out.reserve(20);
    append_date(out, date);
    out += 'T';
    append_padded(out, clock.hours().count(), 2);
    out += ':';
    append_padded(out, clock.minutes().count(), 2);
    out += ':';
    append_padded(out, clock.seconds().count(), 2);
    out += 'Z';
    return out;
}

Timestamp parse_timestamp_utc(std::string_view text) {
    // 0123456789012345678 9
    // YYYY-MM-DDTHH:MM:SS Z
    if (text.size() == 20 && text[10] == 'T' && text[13] == ':' && text[16] == ':' &&
        text[19] == 'Z') {
        const auto date = date_at_start(text);
        const int h = digits_at(text, 11, 2);
        const int m = digits_at(text, 14, 2);
        const int s = digits_at(text, 17, 2);
        if (date && h >= 0 && h <= 23 && m >= 0 && m <= 59 && s >= 0 && s <= 59) {
            return Timestamp{*date} + std::chrono::hours{h} + std::chrono::minutes{m} +
                   std::chrono::seconds{s};
        }
    }
    throw InputError("invalid UTC timestamp '" + std::string(text) +
                     "' (expected YYYY-MM-DDTHH:MM:SSZ)");
}

std::string format_date(Date date) {
    std::string out;
    out.reserve(10);
    append_date(out, date);
    return out;
}

Date parse_date(std::string_view text) {
    if (text.size() == 10) {
        if (const auto date = date_at_start(text)) {
            return *date;
        }
    }
    throw InputError("invalid date '" + std::string(text) + "' (expected YYYY-MM-DD)");
}

} // namespace waymark::model
