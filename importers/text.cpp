#include "importers/text.hpp"

#include "base/error.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace waymark::importers {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        if (x >= 'A' && x <= 'Z') {
            x = static_cast<char>(x - 'A' + 'a');
        }
        if (x != b[i]) {
            return false;
        }
    }
    return true;
}

// Windows-1252 bytes 0x80..0x9F; 0 marks the five undefined bytes. The other
// bytes are Latin-1: the byte value is the code point.
constexpr std::array<char16_t, 32> k_cp1252_high = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, //
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,      //
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, //
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

void append_code_point(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;

} // namespace

Encoding parse_encoding(std::string_view name) {
    if (equals_ignoring_case(name, "utf-8") || equals_ignoring_case(name, "utf8")) {
        return Encoding::utf8;
    }
    if (equals_ignoring_case(name, "windows-1252") || equals_ignoring_case(name, "cp1252")) {
        return Encoding::windows_1252;
    }
    throw InputError("unknown encoding '" + std::string(name) +
                     "': expected utf-8, utf8, windows-1252 or cp1252");
}

std::string_view to_string(Encoding encoding) {
    return encoding == Encoding::utf8 ? "utf-8" : "windows-1252";
}

bool append_windows_1252_as_utf8(std::string& out, std::string_view in) {
    bool ok = true;
    for (const char c : in) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80) {
            out.push_back(c);
        } else if (byte >= 0xA0) {
            append_code_point(out, byte);
        } else if (const char16_t cp = k_cp1252_high[byte - 0x80]; cp != 0) {
            append_code_point(out, cp);
        } else {
            append_code_point(out, 0xFFFD);
            ok = false;
        }
    }
    return ok;
}

std::optional<std::size_t> first_undefined_in_windows_1252(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x80 && byte < 0xA0 && k_cp1252_high[byte - 0x80] == 0) {
            return i;
        }
    }
    return std::nullopt;
}

std::string hex_byte(unsigned char byte) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[byte >> 4] + digits[byte & 0xF];
}

bool is_ascii(std::string_view text) {
    const char* p = text.data();
    std::size_t n = text.size();
    std::uint64_t any = 0;
    while (n >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        any |= word;
        p += 8;
        n -= 8;
    }
    while (n > 0) {
        any |= static_cast<unsigned char>(*p);
        ++p;
        --n;
    }
    return (any & k_high_bits) == 0;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        // ASCII runs eight bytes at a time.
        if (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, s + i, 8);
            if ((word & k_high_bits) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char b = s[i];
        if (b < 0x80) {
            ++i;
            continue;
        }
        // Unicode Table 3-7: well-formed byte sequences.
        std::size_t length = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            length = 3;
            if (b == 0xE0) {
                lo = 0xA0; // no overlongs
            } else if (b == 0xED) {
                hi = 0x9F; // no surrogates
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            length = 4;
            if (b == 0xF0) {
                lo = 0x90; // no overlongs
            } else if (b == 0xF4) {
                hi = 0x8F; // nothing above U+10FFFF
            }
        } else {
            return i; // a continuation byte, C0/C1 (overlong) or F5..FF
        }
        if (i + length > n) {
            return i;
        }
        if (s[i + 1] < lo || s[i + 1] > hi) {
            return i;
        }
        for (std::size_t k = 2; k < length; ++k) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) {
                return i;
            }
        }
        i += length;
    }
    return std::nullopt;
}

std::optional<std::int64_t> json_too_deep(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    std::int64_t line = 1;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
        } else if (in_string) {
            if (c == '\\') {
                ++i; // the escaped byte cannot end the string
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) {
                return line;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::nullopt;
}

std::string json_too_deep_message(std::size_t limit) {
    return "JSON nests deeper than the limit of " + std::to_string(limit) + " levels";
}

} // namespace waymark::importers
