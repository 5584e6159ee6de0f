#include "importers/postcode.hpp"

namespace waymark::importers {

namespace {

constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
constexpr bool is_upper(char c) noexcept {
    return c >= 'A' && c <= 'Z';
}
constexpr char to_upper(char c) noexcept {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

} // namespace

std::size_t normalise_postcode(std::string_view text, char (&out)[max_postcode_length]) noexcept {
    // Gather the significant characters (at most 7: 4 outward + 3 inward).
    char compact[7];
    std::size_t n = 0;
    for (const char raw : text) {
        if (is_space(raw)) {
            continue;
        }
        const char c = to_upper(raw);
        if (n == sizeof compact || !(is_digit(c) || is_upper(c))) {
            return 0;
        }
        compact[n++] = c;
    }
    if (n < 5) { // outward of at least 2 + inward of 3
        return 0;
    }
    const std::size_t outward = n - 3;
    if (!is_upper(compact[0]) || !is_digit(compact[outward]) || !is_upper(compact[outward + 1]) ||
        !is_upper(compact[outward + 2])) {
        return 0;
    }
    std::size_t length = 0;
    for (std::size_t i = 0; i < outward; ++i) {
        out[length++] = compact[i];
    }
    out[length++] = ' ';
    for (std::size_t i = outward; i < n; ++i) {
        out[length++] = compact[i];
    }
    return length;
}

std::string normalise_postcode(std::string_view text) {
    char buffer[max_postcode_length];
    const std::size_t length = normalise_postcode(text, buffer);
    return std::string(buffer, length);
}

} // namespace waymark::importers
