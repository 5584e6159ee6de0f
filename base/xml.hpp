#pragma once

// Text for XML (and every other text format Waymark writes): records are
// data, never markup (design/PRIVACY.md), and a stray byte must not make a
// file unreadable. clean() turns invalid UTF-8 and the characters XML 1.0
// forbids (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) into
// U+FFFD; append_attribute() and append_text() escape what markup would
// misread. Used by the graph writers (graph/writers.cpp) and the QGIS files
// (engine/qgis.cpp).

#include <string>
#include <string_view>

namespace waymark::xml {

inline constexpr std::string_view replacement = "\xEF\xBF\xBD"; // U+FFFD

inline bool continuation(unsigned char byte) {
    return byte >= 0x80 && byte <= 0xBF;
}

/// Length of the well-formed UTF-8 sequence at text[i] (Unicode table 3-7),
/// or, negated, the length of its maximal ill-formed subpart (at least 1): the
/// bytes one U+FFFD replaces, as Python's errors="replace" and the WHATWG
/// decoder count them.
inline int sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) {
        return k < text.size() ? static_cast<unsigned char>(text[k]) : 0x00;
    };
    const unsigned lead = byte(i);
    if (lead < 0x80) {
        return 1;
    }
    int length = 0;
    unsigned low = 0x80;
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
    } else {
        return -1;
    }
    const unsigned second = byte(i + 1);
    if (second < low || second > high) {
        return -1;
    }
    for (int k = 2; k < length; ++k) {
        if (!continuation(static_cast<unsigned char>(byte(i + static_cast<std::size_t>(k))))) {
            return -k;
        }
    }
    return length;
}

/// The code point of the well-formed sequence at text[i] of `length` bytes.
inline char32_t decode(std::string_view text, std::size_t i, int length) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    switch (length) {
    case 1:
        return byte(0);
    case 2:
        return (char32_t(byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3:
        return (char32_t(byte(0) & 0x0F) << 12) | (char32_t(byte(1) & 0x3F) << 6) |
               (byte(2) & 0x3F);
    default:
        return (char32_t(byte(0) & 0x07) << 18) | (char32_t(byte(1) & 0x3F) << 12) |
               (char32_t(byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    }
}

inline bool allowed_in_xml(char32_t c) {
    if (c < 0x20) {
        return c == 0x09 || c == 0x0A || c == 0x0D;
    }
    return c != 0xFFFE && c != 0xFFFF;
}

/// True when `text` is already what clean() would return.
inline bool is_clean(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x80) {
            ++i;
            continue;
        }
        const int length = sequence_length(text, i);
        if (length < 0 || !allowed_in_xml(decode(text, i, length))) {
            return false;
        }
        i += static_cast<std::size_t>(length);
    }
    return true;
}

inline std::string clean(std::string_view text) {
    if (is_clean(text)) {
        return std::string(text);
    }
    std::string out;
    out.reserve(text.size() + 8);
    for (std::size_t i = 0; i < text.size();) {
        const int length = sequence_length(text, i);
        if (length < 0) {
            out += replacement;
            i += static_cast<std::size_t>(-length);
            continue;
        }
        if (!allowed_in_xml(decode(text, i, length))) {
            out += replacement;
        } else {
            out.append(text.substr(i, static_cast<std::size_t>(length)));
        }
        i += static_cast<std::size_t>(length);
    }
    return out;
}

/// An attribute value between double quotes. Tab, LF and CR are written as
/// character references: a parser normalises literal ones to spaces.
inline void append_attribute(std::string& out, std::string_view raw) {
    std::string copy;
    const std::string_view text = is_clean(raw) ? raw : std::string_view(copy = clean(raw));
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\t':
            out += "&#9;";
            break;
        case '\n':
            out += "&#10;";
            break;
        case '\r':
            out += "&#13;";
            break;
        default:
            out += c;
        }
    }
}

/// Element text. CR is a character reference, or a parser would turn CR LF
/// into LF; `>` is escaped so that "]]>" cannot appear.
inline void append_text(std::string& out, std::string_view raw) {
    std::string copy;
    const std::string_view text = is_clean(raw) ? raw : std::string_view(copy = clean(raw));
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '\r':
            out += "&#13;";
            break;
        default:
            out += c;
        }
    }
}

} // namespace waymark::xml
