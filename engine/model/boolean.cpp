#include "engine/model/boolean.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <string>

namespace waymark::model {

namespace {

char lower_ascii(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) noexcept {
    return std::ranges::equal(text, lower, [](char a, char b) { return lower_ascii(a) == b; });
}

} // namespace

std::optional<bool> parse_bool(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    if (text == "1" || equals_ignoring_case(text, "y") || equals_ignoring_case(text, "true")) {
        return true;
    }
    if (text == "0" || equals_ignoring_case(text, "n") || equals_ignoring_case(text, "false")) {
        return false;
    }
    throw InputError("invalid boolean '" + std::string(text) +
                     "' (expected Y, N, true, false, 1, 0 or empty)");
}

} // namespace waymark::model
