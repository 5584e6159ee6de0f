#pragma once

// Numbers in geo/'s error messages, written one way everywhere: the shortest
// text that reads back as the same double, in plain decimals in the everyday
// range (1000000, not 1e+06; 500, not 500.000000).

#include <array>
#include <charconv>
#include <cmath>
#include <string>

namespace waymark::geo {

inline std::string format_number(double value) {
    std::array<char, 400> buffer{};
    const double magnitude = std::fabs(value);
    const auto format = magnitude >= 1e-4 && magnitude < 1e15 ? std::chars_format::fixed
                                                              : std::chars_format::general;
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, format);
    return std::string(buffer.data(), result.ptr);
}

} // namespace waymark::geo
