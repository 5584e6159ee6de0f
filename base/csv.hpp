#pragma once

// One cell of a CSV file Waymark writes (RFC 4180): records are data, never
// formulas (design/PRIVACY.md). A cell a spreadsheet would run as a formula
// (starting with = + - @, a tab or a carriage return) gets a leading
// apostrophe; invalid UTF-8 becomes U+FFFD (xml::clean); a cell holding a
// comma, quote or line break is quoted with its quotes doubled.

#include "base/xml.hpp"

#include <string>
#include <string_view>

namespace waymark::csv {

inline std::string cell(std::string_view text) {
    std::string value = xml::clean(text);
    if (!value.empty() &&
        std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) {
        value.insert(value.begin(), '\'');
    }
    if (value.find_first_of(",\"\r\n") == std::string::npos) {
        return value;
    }
    std::string quoted = "\"";
    for (const char c : value) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + "\"";
}

} // namespace waymark::csv
