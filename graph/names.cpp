#include "graph/names.hpp"

#include "base/error.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace waymark::graph {

// The table shipped in data/names/nicknames.csv, compiled in by
// graph/CMakeLists.txt (graph/embed_text.cmake writes it as a string).
extern const std::string_view builtin_nicknames_csv;

namespace {

// ---- transliteration --------------------------------------------------------

struct Transliteration {
    char32_t code_point;
    const char* ascii;
};

// Latin-1 Supplement, Latin Extended-A and -B (U+00C0-U+024F) and Latin
// Extended Additional (U+1E00-U+1EFF): the letters of each block's Unicode
// canonical decomposition (NFKD) with the marks removed, lower case; letters
// with no decomposition (ß, æ, ø, ł, đ, þ, ŋ, ...) as they are usually
// written in English. Made with Python's unicodedata; sorted by code point.
constexpr Transliteration latin[] = {
    {0x00C0, "a"},  {0x00C1, "a"},  {0x00C2, "a"},  {0x00C3, "a"},  {0x00C4, "a"},  {0x00C5, "a"},
    {0x00C6, "ae"}, {0x00C7, "c"},  {0x00C8, "e"},  {0x00C9, "e"},  {0x00CA, "e"},  {0x00CB, "e"},
    {0x00CC, "i"},  {0x00CD, "i"},  {0x00CE, "i"},  {0x00CF, "i"},  {0x00D0, "d"},  {0x00D1, "n"},
    {0x00D2, "o"},  {0x00D3, "o"},  {0x00D4, "o"},  {0x00D5, "o"},  {0x00D6, "o"},  {0x00D8, "o"},
    {0x00D9, "u"},  {0x00DA, "u"},  {0x00DB, "u"},  {0x00DC, "u"},  {0x00DD, "y"},  {0x00DE, "th"},
    {0x00DF, "ss"}, {0x00E0, "a"},  {0x00E1, "a"},  {0x00E2, "a"},  {0x00E3, "a"},  {0x00E4, "a"},
    {0x00E5, "a"},  {0x00E6, "ae"}, {0x00E7, "c"},  {0x00E8, "e"},  {0x00E9, "e"},  {0x00EA, "e"},
    {0x00EB, "e"},  {0x00EC, "i"},  {0x00ED, "i"},  {0x00EE, "i"},  {0x00EF, "i"},  {0x00F0, "d"},
    {0x00F1, "n"},  {0x00F2, "o"},  {0x00F3, "o"},  {0x00F4, "o"},  {0x00F5, "o"},  {0x00F6, "o"},
    {0x00F8, "o"},  {0x00F9, "u"},  {0x00FA, "u"},  {0x00FB, "u"},  {0x00FC, "u"},  {0x00FD, "y"},
    {0x00FE, "th"}, {0x00FF, "y"},  {0x0100, "a"},  {0x0101, "a"},  {0x0102, "a"},  {0x0103, "a"},
    {0x0104, "a"},  {0x0105, "a"},  {0x0106, "c"},  {0x0107, "c"},  {0x0108, "c"},  {0x0109, "c"},
    {0x010A, "c"},  {0x010B, "c"},  {0x010C, "c"},  {0x010D, "c"},  {0x010E, "d"},  {0x010F, "d"},
    {0x0110, "d"},  {0x0111, "d"},  {0x0112, "e"},  {0x0113, "e"},  {0x0114, "e"},  {0x0115, "e"},
    {0x0116, "e"},  {0x0117, "e"},  {0x0118, "e"},  {0x0119, "e"},  {0x011A, "e"},  {0x011B, "e"},
    {0x011C, "g"},  {0x011D, "g"},  {0x011E, "g"},  {0x011F, "g"},  {0x0120, "g"},  {0x0121, "g"},
    {0x0122, "g"},  {0x0123, "g"},  {0x0124, "h"},  {0x0125, "h"},  {0x0126, "h"},  {0x0127, "h"},
    {0x0128, "i"},  {0x0129, "i"},  {0x012A, "i"},  {0x012B, "i"},  {0x012C, "i"},  {0x012D, "i"},
    {0x012E, "i"},  {0x012F, "i"},  {0x0130, "i"},  {0x0131, "i"},  {0x0132, "ij"}, {0x0133, "ij"},
    {0x0134, "j"},  {0x0135, "j"},  {0x0136, "k"},  {0x0137, "k"},  {0x0138, "k"},  {0x0139, "l"},
    {0x013A, "l"},  {0x013B, "l"},  {0x013C, "l"},  {0x013D, "l"},  {0x013E, "l"},  {0x013F, "l"},
    {0x0140, "l"},  {0x0141, "l"},  {0x0142, "l"},  {0x0143, "n"},  {0x0144, "n"},  {0x0145, "n"},
    {0x0146, "n"},  {0x0147, "n"},  {0x0148, "n"},  {0x0149, "n"},  {0x014A, "n"},  {0x014B, "n"},
    {0x014C, "o"},  {0x014D, "o"},  {0x014E, "o"},  {0x014F, "o"},  {0x0150, "o"},  {0x0151, "o"},
    {0x0152, "oe"}, {0x0153, "oe"}, {0x0154, "r"},  {0x0155, "r"},  {0x0156, "r"},  {0x0157, "r"},
    {0x0158, "r"},  {0x0159, "r"},  {0x015A, "s"},  {0x015B, "s"},  {0x015C, "s"},  {0x015D, "s"},
    {0x015E, "s"},  {0x015F, "s"},  {0x0160, "s"},  {0x0161, "s"},  {0x0162, "t"},  {0x0163, "t"},
    {0x0164, "t"},  {0x0165, "t"},  {0x0166, "t"},  {0x0167, "t"},  {0x0168, "u"},  {0x0169, "u"},
    {0x016A, "u"},  {0x016B, "u"},  {0x016C, "u"},  {0x016D, "u"},  {0x016E, "u"},  {0x016F, "u"},
    {0x0170, "u"},  {0x0171, "u"},  {0x0172, "u"},  {0x0173, "u"},  {0x0174, "w"},  {0x0175, "w"},
    {0x0176, "y"},  {0x0177, "y"},  {0x0178, "y"},  {0x0179, "z"},  {0x017A, "z"},  {0x017B, "z"},
    {0x017C, "z"},  {0x017D, "z"},  {0x017E, "z"},  {0x017F, "s"},  {0x0180, "b"},  {0x0181, "b"},
    {0x0182, "b"},  {0x0183, "b"},  {0x0186, "o"},  {0x0187, "c"},  {0x0188, "c"},  {0x0189, "d"},
    {0x018A, "d"},  {0x018B, "d"},  {0x018C, "d"},  {0x018E, "e"},  {0x018F, "e"},  {0x0190, "e"},
    {0x0191, "f"},  {0x0192, "f"},  {0x0193, "g"},  {0x0194, "g"},  {0x0195, "hv"}, {0x0196, "i"},
    {0x0197, "i"},  {0x0198, "k"},  {0x0199, "k"},  {0x019A, "l"},  {0x019D, "n"},  {0x019E, "n"},
    {0x019F, "o"},  {0x01A0, "o"},  {0x01A1, "o"},  {0x01A2, "oi"}, {0x01A3, "oi"}, {0x01A4, "p"},
    {0x01A5, "p"},  {0x01A7, "s"},  {0x01A8, "s"},  {0x01AB, "t"},  {0x01AC, "t"},  {0x01AD, "t"},
    {0x01AE, "t"},  {0x01AF, "u"},  {0x01B0, "u"},  {0x01B1, "u"},  {0x01B2, "v"},  {0x01B3, "y"},
    {0x01B4, "y"},  {0x01B5, "z"},  {0x01B6, "z"},  {0x01B7, "z"},  {0x01C4, "dz"}, {0x01C5, "dz"},
    {0x01C6, "dz"}, {0x01C7, "lj"}, {0x01C8, "lj"}, {0x01C9, "lj"}, {0x01CA, "nj"}, {0x01CB, "nj"},
    {0x01CC, "nj"}, {0x01CD, "a"},  {0x01CE, "a"},  {0x01CF, "i"},  {0x01D0, "i"},  {0x01D1, "o"},
    {0x01D2, "o"},  {0x01D3, "u"},  {0x01D4, "u"},  {0x01D5, "u"},  {0x01D6, "u"},  {0x01D7, "u"},
    {0x01D8, "u"},  {0x01D9, "u"},  {0x01DA, "u"},  {0x01DB, "u"},  {0x01DC, "u"},  {0x01DD, "e"},
    {0x01DE, "a"},  {0x01DF, "a"},  {0x01E0, "a"},  {0x01E1, "a"},  {0x01E2, "ae"}, {0x01E3, "ae"},
    {0x01E4, "g"},  {0x01E5, "g"},  {0x01E6, "g"},  {0x01E7, "g"},  {0x01E8, "k"},  {0x01E9, "k"},
    {0x01EA, "o"},  {0x01EB, "o"},  {0x01EC, "o"},  {0x01ED, "o"},  {0x01EE, "z"},  {0x01EF, "z"},
    {0x01F0, "j"},  {0x01F1, "dz"}, {0x01F2, "dz"}, {0x01F3, "dz"}, {0x01F4, "g"},  {0x01F5, "g"},
    {0x01F6, "hv"}, {0x01F8, "n"},  {0x01F9, "n"},  {0x01FA, "a"},  {0x01FB, "a"},  {0x01FC, "ae"},
    {0x01FD, "ae"}, {0x01FE, "o"},  {0x01FF, "o"},  {0x0200, "a"},  {0x0201, "a"},  {0x0202, "a"},
    {0x0203, "a"},  {0x0204, "e"},  {0x0205, "e"},  {0x0206, "e"},  {0x0207, "e"},  {0x0208, "i"},
    {0x0209, "i"},  {0x020A, "i"},  {0x020B, "i"},  {0x020C, "o"},  {0x020D, "o"},  {0x020E, "o"},
    {0x020F, "o"},  {0x0210, "r"},  {0x0211, "r"},  {0x0212, "r"},  {0x0213, "r"},  {0x0214, "u"},
    {0x0215, "u"},  {0x0216, "u"},  {0x0217, "u"},  {0x0218, "s"},  {0x0219, "s"},  {0x021A, "t"},
    {0x021B, "t"},  {0x021E, "h"},  {0x021F, "h"},  {0x0220, "n"},  {0x0221, "d"},  {0x0222, "ou"},
    {0x0223, "ou"}, {0x0224, "z"},  {0x0225, "z"},  {0x0226, "a"},  {0x0227, "a"},  {0x0228, "e"},
    {0x0229, "e"},  {0x022A, "o"},  {0x022B, "o"},  {0x022C, "o"},  {0x022D, "o"},  {0x022E, "o"},
    {0x022F, "o"},  {0x0230, "o"},  {0x0231, "o"},  {0x0232, "y"},  {0x0233, "y"},  {0x0234, "l"},
    {0x0235, "n"},  {0x0236, "t"},  {0x0237, "j"},  {0x0238, "db"}, {0x0239, "qp"}, {0x023A, "a"},
    {0x023B, "c"},  {0x023C, "c"},  {0x023D, "l"},  {0x023E, "t"},  {0x023F, "s"},  {0x0240, "z"},
    {0x0243, "b"},  {0x0244, "u"},  {0x0245, "v"},  {0x0246, "e"},  {0x0247, "e"},  {0x0248, "j"},
    {0x0249, "j"},  {0x024A, "q"},  {0x024B, "q"},  {0x024C, "r"},  {0x024D, "r"},  {0x024E, "y"},
    {0x024F, "y"},  {0x1E00, "a"},  {0x1E01, "a"},  {0x1E02, "b"},  {0x1E03, "b"},  {0x1E04, "b"},
    {0x1E05, "b"},  {0x1E06, "b"},  {0x1E07, "b"},  {0x1E08, "c"},  {0x1E09, "c"},  {0x1E0A, "d"},
    {0x1E0B, "d"},  {0x1E0C, "d"},  {0x1E0D, "d"},  {0x1E0E, "d"},  {0x1E0F, "d"},  {0x1E10, "d"},
    {0x1E11, "d"},  {0x1E12, "d"},  {0x1E13, "d"},  {0x1E14, "e"},  {0x1E15, "e"},  {0x1E16, "e"},
    {0x1E17, "e"},  {0x1E18, "e"},  {0x1E19, "e"},  {0x1E1A, "e"},  {0x1E1B, "e"},  {0x1E1C, "e"},
    {0x1E1D, "e"},  {0x1E1E, "f"},  {0x1E1F, "f"},  {0x1E20, "g"},  {0x1E21, "g"},  {0x1E22, "h"},
    {0x1E23, "h"},  {0x1E24, "h"},  {0x1E25, "h"},  {0x1E26, "h"},  {0x1E27, "h"},  {0x1E28, "h"},
    {0x1E29, "h"},  {0x1E2A, "h"},  {0x1E2B, "h"},  {0x1E2C, "i"},  {0x1E2D, "i"},  {0x1E2E, "i"},
    {0x1E2F, "i"},  {0x1E30, "k"},  {0x1E31, "k"},  {0x1E32, "k"},  {0x1E33, "k"},  {0x1E34, "k"},
    {0x1E35, "k"},  {0x1E36, "l"},  {0x1E37, "l"},  {0x1E38, "l"},  {0x1E39, "l"},  {0x1E3A, "l"},
    {0x1E3B, "l"},  {0x1E3C, "l"},  {0x1E3D, "l"},  {0x1E3E, "m"},  {0x1E3F, "m"},  {0x1E40, "m"},
    {0x1E41, "m"},  {0x1E42, "m"},  {0x1E43, "m"},  {0x1E44, "n"},  {0x1E45, "n"},  {0x1E46, "n"},
    {0x1E47, "n"},  {0x1E48, "n"},  {0x1E49, "n"},  {0x1E4A, "n"},  {0x1E4B, "n"},  {0x1E4C, "o"},
    {0x1E4D, "o"},  {0x1E4E, "o"},  {0x1E4F, "o"},  {0x1E50, "o"},  {0x1E51, "o"},  {0x1E52, "o"},
    {0x1E53, "o"},  {0x1E54, "p"},  {0x1E55, "p"},  {0x1E56, "p"},  {0x1E57, "p"},  {0x1E58, "r"},
    {0x1E59, "r"},  {0x1E5A, "r"},  {0x1E5B, "r"},  {0x1E5C, "r"},  {0x1E5D, "r"},  {0x1E5E, "r"},
    {0x1E5F, "r"},  {0x1E60, "s"},  {0x1E61, "s"},  {0x1E62, "s"},  {0x1E63, "s"},  {0x1E64, "s"},
    {0x1E65, "s"},  {0x1E66, "s"},  {0x1E67, "s"},  {0x1E68, "s"},  {0x1E69, "s"},  {0x1E6A, "t"},
    {0x1E6B, "t"},  {0x1E6C, "t"},  {0x1E6D, "t"},  {0x1E6E, "t"},  {0x1E6F, "t"},  {0x1E70, "t"},
    {0x1E71, "t"},  {0x1E72, "u"},  {0x1E73, "u"},  {0x1E74, "u"},  {0x1E75, "u"},  {0x1E76, "u"},
    {0x1E77, "u"},  {0x1E78, "u"},  {0x1E79, "u"},  {0x1E7A, "u"},  {0x1E7B, "u"},  {0x1E7C, "v"},
    {0x1E7D, "v"},  {0x1E7E, "v"},  {0x1E7F, "v"},  {0x1E80, "w"},  {0x1E81, "w"},  {0x1E82, "w"},
    {0x1E83, "w"},  {0x1E84, "w"},  {0x1E85, "w"},  {0x1E86, "w"},  {0x1E87, "w"},  {0x1E88, "w"},
    {0x1E89, "w"},  {0x1E8A, "x"},  {0x1E8B, "x"},  {0x1E8C, "x"},  {0x1E8D, "x"},  {0x1E8E, "y"},
    {0x1E8F, "y"},  {0x1E90, "z"},  {0x1E91, "z"},  {0x1E92, "z"},  {0x1E93, "z"},  {0x1E94, "z"},
    {0x1E95, "z"},  {0x1E96, "h"},  {0x1E97, "t"},  {0x1E98, "w"},  {0x1E99, "y"},  {0x1E9A, "a"},
    {0x1E9B, "s"},  {0x1E9C, "s"},  {0x1E9D, "s"},  {0x1E9E, "ss"}, {0x1E9F, "d"},  {0x1EA0, "a"},
    {0x1EA1, "a"},  {0x1EA2, "a"},  {0x1EA3, "a"},  {0x1EA4, "a"},  {0x1EA5, "a"},  {0x1EA6, "a"},
    {0x1EA7, "a"},  {0x1EA8, "a"},  {0x1EA9, "a"},  {0x1EAA, "a"},  {0x1EAB, "a"},  {0x1EAC, "a"},
    {0x1EAD, "a"},  {0x1EAE, "a"},  {0x1EAF, "a"},  {0x1EB0, "a"},  {0x1EB1, "a"},  {0x1EB2, "a"},
    {0x1EB3, "a"},  {0x1EB4, "a"},  {0x1EB5, "a"},  {0x1EB6, "a"},  {0x1EB7, "a"},  {0x1EB8, "e"},
    {0x1EB9, "e"},  {0x1EBA, "e"},  {0x1EBB, "e"},  {0x1EBC, "e"},  {0x1EBD, "e"},  {0x1EBE, "e"},
    {0x1EBF, "e"},  {0x1EC0, "e"},  {0x1EC1, "e"},  {0x1EC2, "e"},  {0x1EC3, "e"},  {0x1EC4, "e"},
    {0x1EC5, "e"},  {0x1EC6, "e"},  {0x1EC7, "e"},  {0x1EC8, "i"},  {0x1EC9, "i"},  {0x1ECA, "i"},
    {0x1ECB, "i"},  {0x1ECC, "o"},  {0x1ECD, "o"},  {0x1ECE, "o"},  {0x1ECF, "o"},  {0x1ED0, "o"},
    {0x1ED1, "o"},  {0x1ED2, "o"},  {0x1ED3, "o"},  {0x1ED4, "o"},  {0x1ED5, "o"},  {0x1ED6, "o"},
    {0x1ED7, "o"},  {0x1ED8, "o"},  {0x1ED9, "o"},  {0x1EDA, "o"},  {0x1EDB, "o"},  {0x1EDC, "o"},
    {0x1EDD, "o"},  {0x1EDE, "o"},  {0x1EDF, "o"},  {0x1EE0, "o"},  {0x1EE1, "o"},  {0x1EE2, "o"},
    {0x1EE3, "o"},  {0x1EE4, "u"},  {0x1EE5, "u"},  {0x1EE6, "u"},  {0x1EE7, "u"},  {0x1EE8, "u"},
    {0x1EE9, "u"},  {0x1EEA, "u"},  {0x1EEB, "u"},  {0x1EEC, "u"},  {0x1EED, "u"},  {0x1EEE, "u"},
    {0x1EEF, "u"},  {0x1EF0, "u"},  {0x1EF1, "u"},  {0x1EF2, "y"},  {0x1EF3, "y"},  {0x1EF4, "y"},
    {0x1EF5, "y"},  {0x1EF6, "y"},  {0x1EF7, "y"},  {0x1EF8, "y"},  {0x1EF9, "y"},  {0x1EFA, "ll"},
    {0x1EFB, "ll"}, {0x1EFC, "v"},  {0x1EFD, "v"},  {0x1EFE, "y"},  {0x1EFF, "y"},
};

const char* transliterate(char32_t c) {
    const auto* end = std::end(latin);
    const auto* it =
        std::lower_bound(std::begin(latin), end, c, [](const Transliteration& t, char32_t value) {
            return t.code_point < value;
        });
    return it != end && it->code_point == c ? it->ascii : nullptr;
}

/// Marks that are not letters of their own: apostrophes (a name is "O'Neil"
/// or "O’Neil"), combining accents (a decomposed "é") and invisible joiners.
bool dropped(char32_t c) {
    switch (c) {
    case U'\'':
    case U'`':
    case 0x00B4: // acute accent
    case 0x02B9: // modifier letter prime
    case 0x02BB: // modifier letter turned comma (ʻokina)
    case 0x02BC: // modifier letter apostrophe
    case 0x2018: // left single quotation mark
    case 0x2019: // right single quotation mark
    case 0x201B: // single high-reversed-9 quotation mark
    case 0x2032: // prime
    case 0x200B: // zero width space
    case 0x200C: // zero width non-joiner
    case 0x200D: // zero width joiner
    case 0x2060: // word joiner
    case 0xFEFF: // byte order mark
    case 0x00AD: // soft hyphen
        return true;
    default:
        return c >= 0x0300 && c <= 0x036F; // combining diacritical marks
    }
}

/// Decodes one UTF-8 sequence at `at`; returns the code point and advances
/// `at`. An invalid or truncated sequence, an overlong form, a surrogate or a
/// value above U+10FFFF gives U+FFFD and advances by one byte, so that any
/// bytes at all are read without error.
char32_t decode_utf8(std::string_view text, std::size_t& at) {
    constexpr char32_t invalid = 0xFFFD;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) {
        ++at;
        return lead;
    }
    std::size_t length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        value = lead & 0x1F;
        minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        value = lead & 0x0F;
        minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        value = lead & 0x07;
        minimum = 0x10000;
    } else {
        ++at;
        return invalid;
    }
    if (at + length > text.size()) {
        ++at;
        return invalid;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char next = byte(at + i);
        if ((next & 0xC0) != 0x80) {
            ++at;
            return invalid;
        }
        value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        ++at;
        return invalid;
    }
    at += length;
    return value;
}

bool ascii_alnum(char32_t c) {
    return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9');
}

// ---- Double Metaphone -------------------------------------------------------

/// The primary key of Lawrence Philips' Double Metaphone ("The Double
/// Metaphone Search Algorithm", C/C++ Users Journal 18(6), June 2000), rule
/// for rule as his reference implementation, without its cut to four
/// characters. `word` is upper case ASCII, padded with spaces so that
/// look-aheads stay inside it.
class DoubleMetaphone {
public:
    explicit DoubleMetaphone(std::string_view word) : m_length(word.size()) {
        m_word.reserve(word.size() + 5);
        for (const char c : word) {
            m_word += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        }
        m_word += "     ";
        m_last = static_cast<long>(m_length) - 1;
        m_slavo_germanic = m_word.find('W') != std::string::npos ||
                           m_word.find('K') != std::string::npos ||
                           m_word.find("CZ") != std::string::npos;
    }

    std::string primary() {
        std::string key;
        if (m_length == 0) {
            return key;
        }
        long current = 0;
        const long length = static_cast<long>(m_length);
        // Letters not pronounced at the start of a word.
        if (at(0, {"GN", "KN", "PN", "WR", "PS"})) {
            current += 1;
        }
        // An initial X is pronounced Z ("Xavier"), and Z maps to S.
        if (get(0) == 'X') {
            key += 'S';
            current += 1;
        }
        while (current < length) {
            const char c = get(current);
            switch (c) {
            case 'A':
            case 'E':
            case 'I':
            case 'O':
            case 'U':
            case 'Y':
                if (current == 0) {
                    key += 'A'; // every initial vowel maps to A
                }
                current += 1;
                break;
            case 'B':
                key += 'P'; // "-mb" ("dumb") was skipped at the M
                current += get(current + 1) == 'B' ? 2 : 1;
                break;
            case 'C':
                current = c_rule(current, key);
                break;
            case 'D':
                if (at(current, {"DG"})) {
                    if (at(current + 2, {"I", "E", "Y"})) {
                        key += 'J'; // "edge"
                        current += 3;
                    } else {
                        key += "TK"; // "edgar"
                        current += 2;
                    }
                } else if (at(current, {"DT", "DD"})) {
                    key += 'T';
                    current += 2;
                } else {
                    key += 'T';
                    current += 1;
                }
                break;
            case 'F':
                current += get(current + 1) == 'F' ? 2 : 1;
                key += 'F';
                break;
            case 'G':
                current = g_rule(current, key);
                break;
            case 'H':
                // Kept only when first or after a vowel, and before a vowel.
                if ((current == 0 || vowel(current - 1)) && vowel(current + 1)) {
                    key += 'H';
                    current += 2;
                } else {
                    current += 1;
                }
                break;
            case 'J':
                current = j_rule(current, key);
                break;
            case 'K':
                current += get(current + 1) == 'K' ? 2 : 1;
                key += 'K';
                break;
            case 'L':
                if (get(current + 1) == 'L') {
                    // Spanish "cabrillo", "gallegos": primary L all the same.
                    current += 2;
                } else {
                    current += 1;
                }
                key += 'L';
                break;
            case 'M':
                if ((at(current - 1, {"UMB"}) &&
                     (current + 1 == m_last || at(current + 2, {"ER"}))) ||
                    get(current + 1) == 'M') {
                    current += 2; // "dumb", "thumb"
                } else {
                    current += 1;
                }
                key += 'M';
                break;
            case 'N':
                current += get(current + 1) == 'N' ? 2 : 1;
                key += 'N';
                break;
            case 'P':
                if (get(current + 1) == 'H') {
                    key += 'F';
                    current += 2;
                } else {
                    current += at(current + 1, {"P", "B"}) ? 2 : 1; // "campbell", "raspberry"
                    key += 'P';
                }
                break;
            case 'Q':
                current += get(current + 1) == 'Q' ? 2 : 1;
                key += 'K';
                break;
            case 'R':
                // French "rogier" has no R in the primary key; not "hochmeier".
                if (!(current == m_last && !m_slavo_germanic && at(current - 2, {"IE"}) &&
                      !at(current - 4, {"ME", "MA"}))) {
                    key += 'R';
                }
                current += get(current + 1) == 'R' ? 2 : 1;
                break;
            case 'S':
                current = s_rule(current, key);
                break;
            case 'T':
                if (at(current, {"TION"})) {
                    key += 'X';
                    current += 3;
                } else if (at(current, {"TIA", "TCH"})) {
                    key += 'X';
                    current += 3;
                } else if (at(current, {"TH"}) || at(current, {"TTH"})) {
                    // "thomas", "thames" or Germanic: T; otherwise TH.
                    if (at(current + 2, {"OM", "AM"}) || at(0, {"VAN ", "VON "}) ||
                        at(0, {"SCH"})) {
                        key += 'T';
                    } else {
                        key += '0';
                    }
                    current += 2;
                } else {
                    current += at(current + 1, {"T", "D"}) ? 2 : 1;
                    key += 'T';
                }
                break;
            case 'V':
                current += get(current + 1) == 'V' ? 2 : 1;
                key += 'F';
                break;
            case 'W':
                current = w_rule(current, key);
                break;
            case 'X':
                // French "breaux": a final X after AU, OU, IAU, EAU is silent.
                if (!(current == m_last &&
                      (at(current - 3, {"IAU", "EAU"}) || at(current - 2, {"AU", "OU"})))) {
                    key += "KS";
                }
                current += at(current + 1, {"C", "X"}) ? 2 : 1;
                break;
            case 'Z':
                if (get(current + 1) == 'H') {
                    key += 'J'; // Chinese pinyin "zhao"
                    current += 2;
                } else {
                    key += 'S';
                    current += get(current + 1) == 'Z' ? 2 : 1;
                }
                break;
            default:
                current += 1;
                break;
            }
        }
        return key;
    }

private:
    char get(long i) const {
        return i >= 0 && static_cast<std::size_t>(i) < m_word.size()
                   ? m_word[static_cast<std::size_t>(i)]
                   : '\0';
    }
    bool vowel(long i) const {
        if (i < 0) {
            return false;
        }
        const char c = get(i);
        return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
    }
    /// Whether one of `options` (all of one length) starts at `i`.
    bool at(long i, std::initializer_list<std::string_view> options) const {
        if (i < 0) {
            return false;
        }
        const auto from = static_cast<std::size_t>(i);
        for (const std::string_view option : options) {
            if (from + option.size() <= m_word.size() &&
                std::string_view(m_word).substr(from, option.size()) == option) {
                return true;
            }
        }
        return false;
    }

    long c_rule(long current, std::string& key) const {
        // Various Germanic: "bacher", "macher".
        if (current > 1 && !vowel(current - 2) && at(current - 1, {"ACH"}) &&
            get(current + 2) != 'I' &&
            (get(current + 2) != 'E' || at(current - 2, {"BACHER", "MACHER"}))) {
            key += 'K';
            return current + 2;
        }
        if (current == 0 && at(current, {"CAESAR"})) {
            key += 'S';
            return current + 2;
        }
        if (at(current, {"CHIA"})) { // Italian "chianti"
            key += 'K';
            return current + 2;
        }
        if (at(current, {"CH"})) {
            if (current > 0 && at(current, {"CHAE"})) { // "Michael"
                key += 'K';
                return current + 2;
            }
            // Greek roots: "chemistry", "chorus".
            if (current == 0 &&
                (at(current + 1, {"HARAC", "HARIS"}) ||
                 at(current + 1, {"HOR", "HYM", "HIA", "HEM"})) &&
                !at(0, {"CHORE"})) {
                key += 'K';
                return current + 2;
            }
            // Germanic, Greek or otherwise CH for a KH sound.
            if (at(0, {"VAN ", "VON "}) || at(0, {"SCH"}) ||
                at(current - 2, {"ORCHES", "ARCHIT", "ORCHID"}) || // not "arch", "orchestra"
                at(current + 2, {"T", "S"}) ||
                ((at(current - 1, {"A", "O", "U", "E"}) || current == 0) &&
                 // "wachtler", "wechsler", but not "tichner"
                 at(current + 2, {"L", "R", "N", "M", "B", "H", "F", "V", "W", " "}))) {
                key += 'K';
            } else if (current > 0) {
                key += at(0, {"MC"}) ? 'K' : 'X'; // "McHugh"
            } else {
                key += 'X';
            }
            return current + 2;
        }
        if (at(current, {"CZ"}) && !at(current - 2, {"WICZ"})) { // "czerny"
            key += 'S';
            return current + 2;
        }
        if (at(current + 1, {"CIA"})) { // "focaccia"
            key += 'X';
            return current + 3;
        }
        // A double C, but not "McClellan".
        if (at(current, {"CC"}) && !(current == 1 && get(0) == 'M')) {
            // "bellocchio", but not "bacchus"
            if (at(current + 2, {"I", "E", "H"}) && !at(current + 2, {"HU"})) {
                // "accident", "accede", "succeed"
                if ((current == 1 && get(current - 1) == 'A') ||
                    at(current - 1, {"UCCEE", "UCCES"})) {
                    key += "KS";
                } else {
                    key += 'X'; // "bacci", "bertucci"
                }
                return current + 3;
            }
            key += 'K'; // Pierce's rule
            return current + 2;
        }
        if (at(current, {"CK", "CG", "CQ"})) {
            key += 'K';
            return current + 2;
        }
        if (at(current, {"CI", "CE", "CY"})) {
            key += 'S'; // the primary key is S for Italian "cio", "cie", "cia" too
            return current + 2;
        }
        key += 'K';
        if (at(current + 1, {" C", " Q", " G"})) { // "mac caffrey", "mac gregor"
            return current + 3;
        }
        if (at(current + 1, {"C", "K", "Q"}) && !at(current + 1, {"CE", "CI"})) {
            return current + 2;
        }
        return current + 1;
    }

    long g_rule(long current, std::string& key) const {
        if (get(current + 1) == 'H') {
            if (current > 0 && !vowel(current - 1)) {
                key += 'K';
                return current + 2;
            }
            if (current == 0) { // "ghislane", "ghiradelli"
                key += get(current + 2) == 'I' ? 'J' : 'K';
                return current + 2;
            }
            // Parker's rule with refinements: "hugh", "bough", "broughton".
            if ((current > 1 && at(current - 2, {"B", "H", "D"})) ||
                (current > 2 && at(current - 3, {"B", "H", "D"})) ||
                (current > 3 && at(current - 4, {"B", "H"}))) {
                return current + 2;
            }
            // "laugh", "McLaughlin", "cough", "gough", "rough", "tough"
            if (current > 2 && get(current - 1) == 'U' &&
                at(current - 3, {"C", "G", "L", "R", "T"})) {
                key += 'F';
            } else if (current > 0 && get(current - 1) != 'I') {
                key += 'K';
            }
            return current + 2;
        }
        if (get(current + 1) == 'N') {
            if (current == 1 && vowel(0) && !m_slavo_germanic) {
                key += "KN";
            } else if (!at(current + 2, {"EY"}) && get(current + 1) != 'Y' && !m_slavo_germanic) {
                key += 'N'; // not "cagney"
            } else {
                key += "KN";
            }
            return current + 2;
        }
        if (at(current + 1, {"LI"}) && !m_slavo_germanic) { // "tagliaro"
            key += "KL";
            return current + 2;
        }
        // -ges-, -gep-, -gel-, -gie- at the start
        if (current == 0 &&
            (get(current + 1) == 'Y' ||
             at(current + 1, {"ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER"}))) {
            key += 'K';
            return current + 2;
        }
        // -ger-, -gy-
        if ((at(current + 1, {"ER"}) || get(current + 1) == 'Y') &&
            !at(0, {"DANGER", "RANGER", "MANGER"}) && !at(current - 1, {"E", "I"}) &&
            !at(current - 1, {"RGY", "OGY"})) {
            key += 'K';
            return current + 2;
        }
        // Italian "biaggi"
        if (at(current + 1, {"E", "I", "Y"}) || at(current - 1, {"AGGI", "OGGI"})) {
            if (at(0, {"VAN ", "VON "}) || at(0, {"SCH"}) || at(current + 1, {"ET"})) {
                key += 'K'; // obviously Germanic
            } else {
                key += 'J';
            }
            return current + 2;
        }
        key += 'K';
        return current + (get(current + 1) == 'G' ? 2 : 1);
    }

    long j_rule(long current, std::string& key) const {
        // Obviously Spanish: "jose", "san jacinto".
        if (at(current, {"JOSE"}) || at(0, {"SAN "})) {
            if ((current == 0 && get(current + 4) == ' ') || at(0, {"SAN "})) {
                key += 'H';
            } else {
                key += 'J';
            }
            return current + 1;
        }
        if (current == 0 && !at(current, {"JOSE"})) {
            key += 'J'; // "Yankelovich" / "Jankelowicz"
        } else if (vowel(current - 1) && !m_slavo_germanic &&
                   (get(current + 1) == 'A' || get(current + 1) == 'O')) {
            key += 'J'; // Spanish "bajador"
        } else if (current == m_last) {
            key += 'J';
        } else if (!at(current + 1, {"L", "T", "K", "S", "N", "M", "B", "Z"}) &&
                   !at(current - 1, {"S", "K", "L"})) {
            key += 'J';
        }
        return current + (get(current + 1) == 'J' ? 2 : 1);
    }

    long s_rule(long current, std::string& key) const {
        if (at(current - 1, {"ISL", "YSL"})) { // "island", "isle", "carlisle"
            return current + 1;
        }
        if (current == 0 && at(current, {"SUGAR"})) {
            key += 'X';
            return current + 1;
        }
        if (at(current, {"SH"})) {
            key += at(current + 1, {"HEIM", "HOEK", "HOLM", "HOLZ"}) ? 'S' : 'X'; // Germanic
            return current + 2;
        }
        if (at(current, {"SIO", "SIA"}) || at(current, {"SIAN"})) { // Italian, Armenian
            key += 'S';
            return current + 3;
        }
        // German and anglicisations: "smith" matches "schmidt", "snider"
        // "schneider"; also -sz- in Slavic languages.
        if ((current == 0 && at(current + 1, {"M", "N", "L", "W"})) || at(current + 1, {"Z"})) {
            key += 'S';
            return current + (at(current + 1, {"Z"}) ? 2 : 1);
        }
        if (at(current, {"SC"})) {
            if (get(current + 2) == 'H') { // Schlesinger's rule
                if (at(current + 3, {"OO", "ER", "EN", "UY", "ED", "EM"})) {
                    // Dutch "school", "schooner"; "schermerhorn", "schenker"
                    key += at(current + 3, {"ER", "EN"}) ? "X" : "SK";
                    return current + 3;
                }
                key += 'X';
                return current + 3;
            }
            if (at(current + 2, {"I", "E", "Y"})) {
                key += 'S';
                return current + 3;
            }
            key += "SK";
            return current + 3;
        }
        // French "resnais", "artois": no S in the primary key.
        if (!(current == m_last && at(current - 2, {"AI", "OI"}))) {
            key += 'S';
        }
        return current + (at(current + 1, {"S", "Z"}) ? 2 : 1);
    }

    long w_rule(long current, std::string& key) const {
        if (at(current, {"WR"})) { // also in the middle of a word
            key += 'R';
            return current + 2;
        }
        if (current == 0 && (vowel(current + 1) || at(current, {"WH"}))) {
            key += 'A'; // "Wasserman" matches "Vasserman"; "Uomo" matches "Womo"
        }
        // "Arnow" matches "Arnoff" in the secondary key only.
        if ((current == m_last && vowel(current - 1)) ||
            at(current - 1, {"EWSKI", "EWSKY", "OWSKI", "OWSKY"}) || at(0, {"SCH"})) {
            return current + 1;
        }
        if (at(current, {"WICZ", "WITZ"})) { // Polish "filipowicz"
            key += "TS";
            return current + 4;
        }
        return current + 1;
    }

    std::string m_word;
    std::size_t m_length = 0;
    long m_last = 0;
    bool m_slavo_germanic = false;
};

// ---- CSV of the nickname table ----------------------------------------------

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

bool contains_pair(const std::vector<std::pair<std::string, std::string>>& pairs,
                   std::string_view first, std::string_view second) {
    const auto it = std::lower_bound(
        pairs.begin(), pairs.end(), std::pair<std::string_view, std::string_view>(first, second),
        [](const auto& pair, const auto& value) {
            return std::pair<std::string_view, std::string_view>(pair.first, pair.second) < value;
        });
    return it != pairs.end() && it->first == first && it->second == second;
}

/// The second members of the pairs whose first member is `first`.
std::vector<std::string> seconds_of(const std::vector<std::pair<std::string, std::string>>& pairs,
                                    std::string_view first) {
    std::vector<std::string> out;
    auto it = std::lower_bound(pairs.begin(), pairs.end(), first,
                               [](const auto& pair, std::string_view value) {
                                   return std::string_view(pair.first) < value;
                               });
    for (; it != pairs.end() && it->first == first; ++it) {
        out.push_back(it->second);
    }
    return out;
}

} // namespace

std::string normalise_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool pending_space = false;
    const auto append = [&](std::string_view letters) {
        if (pending_space && !out.empty()) {
            out += ' ';
        }
        pending_space = false;
        out += letters;
    };
    std::size_t at = 0;
    while (at < name.size()) {
        const char32_t c = decode_utf8(name, at);
        if (ascii_alnum(c)) {
            const char letter = static_cast<char>(c >= U'A' && c <= U'Z' ? c - U'A' + U'a' : c);
            append(std::string_view(&letter, 1));
        } else if (dropped(c)) {
            continue;
        } else if (c >= 0xFF01 && c <= 0xFF5E && ascii_alnum(c - 0xFEE0)) {
            // Fullwidth forms of ASCII letters and digits.
            char32_t ascii = c - 0xFEE0;
            if (ascii >= U'A' && ascii <= U'Z') {
                ascii += U'a' - U'A';
            }
            const char letter = static_cast<char>(ascii);
            append(std::string_view(&letter, 1));
        } else if (const char* letters = c >= 0xC0 ? transliterate(c) : nullptr) {
            append(letters);
        } else {
            // Punctuation, white space, and characters of other scripts.
            pending_space = true;
        }
    }
    return out;
}

std::vector<std::string> name_tokens(std::string_view name) {
    const std::string normal = normalise_name(name);
    std::vector<std::string> tokens;
    std::size_t start = 0;
    while (start < normal.size()) {
        std::size_t end = normal.find(' ', start);
        if (end == std::string::npos) {
            end = normal.size();
        }
        tokens.emplace_back(normal.substr(start, end - start));
        start = end + 1;
    }
    return tokens;
}

double jaro_winkler(std::string_view a, std::string_view b) {
    if (a.empty() && b.empty()) {
        return 1.0;
    }
    if (a.empty() || b.empty()) {
        return 0.0;
    }
    // Jaro: characters match when equal and no further apart than half the
    // longer string, less one; transpositions are matched characters out of
    // order, halved.
    const std::size_t longer = std::max(a.size(), b.size());
    const std::size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    // Flags on the stack for names (the usual case), on the heap beyond.
    constexpr std::size_t small = 64;
    std::array<char, 2 * small> flags{};
    std::vector<char> heap;
    char* a_matched = flags.data();
    char* b_matched = flags.data() + small;
    if (longer > small) {
        heap.assign(a.size() + b.size(), 0);
        a_matched = heap.data();
        b_matched = heap.data() + a.size();
    }
    std::size_t matches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t from = i > window ? i - window : 0;
        const std::size_t to = std::min(b.size(), i + window + 1);
        for (std::size_t j = from; j < to; ++j) {
            if (b_matched[j] == 0 && a[i] == b[j]) {
                a_matched[i] = 1;
                b_matched[j] = 1;
                ++matches;
                break;
            }
        }
    }
    if (matches == 0) {
        return 0.0;
    }
    std::size_t half_transpositions = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a_matched[i] == 0) {
            continue;
        }
        while (b_matched[j] == 0) {
            ++j;
        }
        if (a[i] != b[j]) {
            ++half_transpositions;
        }
        ++j;
    }
    const double m = static_cast<double>(matches);
    const double t = static_cast<double>(half_transpositions / 2);
    const double jaro =
        (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) / 3.0;
    // Winkler: a common prefix of up to four characters raises the score,
    // once Jaro is above his boost threshold of 0.7.
    if (jaro <= 0.7) {
        return jaro;
    }
    std::size_t prefix = 0;
    while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) {
        ++prefix;
    }
    return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

std::string phonetic_key(std::string_view word) {
    return DoubleMetaphone(word).primary();
}

const Nicknames& Nicknames::builtin() {
    static const Nicknames table = parse(builtin_nicknames_csv, "data/names/nicknames.csv");
    return table;
}

Nicknames Nicknames::parse(std::string_view csv, std::string_view source) {
    Nicknames table;
    std::size_t start = 0;
    std::int64_t line = 0;
    bool header = true;
    const auto fail = [&](const std::string& reason) {
        throw InputError(std::string(source) + ": line " + std::to_string(line) + ": " + reason);
    };
    while (start < csv.size()) {
        std::size_t end = csv.find('\n', start);
        if (end == std::string_view::npos) {
            end = csv.size();
        }
        std::string_view row = csv.substr(start, end - start);
        start = end + 1;
        ++line;
        if (line == 1 && row.substr(0, 3) == "\xEF\xBB\xBF") {
            row.remove_prefix(3);
        }
        if (trim(row).empty()) {
            continue;
        }
        const std::size_t comma = row.find(',');
        if (comma == std::string_view::npos || row.find(',', comma + 1) != std::string_view::npos) {
            fail("expected two fields, name,familiar");
        }
        const std::string_view first = trim(row.substr(0, comma));
        const std::string_view second = trim(row.substr(comma + 1));
        if (header) {
            if (first != "name" || second != "familiar") {
                fail("expected the header name,familiar");
            }
            header = false;
            continue;
        }
        std::string formal = normalise_name(first);
        std::string familiar = normalise_name(second);
        if (formal.empty() || familiar.empty()) {
            fail(std::string("empty ") + (formal.empty() ? "name" : "familiar form"));
        }
        if (formal.find(' ') != std::string::npos || familiar.find(' ') != std::string::npos) {
            fail("a name and its familiar form are one word each");
        }
        if (formal == familiar) {
            fail("'" + formal + "' is its own familiar form");
        }
        table.m_pairs.emplace_back(std::move(formal), std::move(familiar));
    }
    if (header) {
        line = std::max<std::int64_t>(line, 1);
        fail("expected the header name,familiar");
    }
    std::sort(table.m_pairs.begin(), table.m_pairs.end());
    table.m_pairs.erase(std::unique(table.m_pairs.begin(), table.m_pairs.end()),
                        table.m_pairs.end());
    table.m_by_familiar.reserve(table.m_pairs.size());
    for (const auto& [formal, familiar] : table.m_pairs) {
        table.m_by_familiar.emplace_back(familiar, formal);
    }
    std::sort(table.m_by_familiar.begin(), table.m_by_familiar.end());
    return table;
}

bool Nicknames::related(std::string_view a, std::string_view b) const {
    const std::string x = normalise_name(a);
    const std::string y = normalise_name(b);
    if (x.empty() || y.empty() || x == y) {
        return false;
    }
    if (contains_pair(m_pairs, x, y) || contains_pair(m_pairs, y, x)) {
        return true;
    }
    // Both familiar forms of one name: "dan" and "danny" of "daniel".
    const std::vector<std::string> x_formal = seconds_of(m_by_familiar, x);
    if (x_formal.empty()) {
        return false;
    }
    for (const std::string& formal : seconds_of(m_by_familiar, y)) {
        if (std::find(x_formal.begin(), x_formal.end(), formal) != x_formal.end()) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> Nicknames::formal_names(std::string_view word) const {
    return seconds_of(m_by_familiar, normalise_name(word));
}

DobAgreement compare_dob(const std::optional<model::Date>& a, const std::optional<model::Date>& b) {
    using namespace std::chrono;
    if (!a || !b) {
        return DobAgreement::unknown;
    }
    if (*a == *b) {
        return DobAgreement::same;
    }
    const year_month_day x{*a};
    const year_month_day y{*b};
    // Day and month swapped (04/03 for 03/04), the same year.
    if (x.year() == y.year() &&
        static_cast<unsigned>(x.day()) == static_cast<unsigned>(y.month()) &&
        static_cast<unsigned>(x.month()) == static_cast<unsigned>(y.day())) {
        return DobAgreement::transposed;
    }
    // Two digits of YYYYMMDD swapped, anywhere.
    const auto digits = [](const year_month_day& d) {
        std::array<char, 8> out{};
        int value = static_cast<int>(d.year()) * 10000 +
                    static_cast<int>(unsigned(d.month())) * 100 +
                    static_cast<int>(unsigned(d.day()));
        for (int i = 7; i >= 0; --i) {
            out[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
        return out;
    };
    const auto dx = digits(x);
    const auto dy = digits(y);
    std::array<std::size_t, 2> differ{};
    std::size_t count = 0;
    for (std::size_t i = 0; i < dx.size(); ++i) {
        if (dx[i] != dy[i]) {
            if (count < 2) {
                differ[count] = i;
            }
            ++count;
        }
    }
    if (count == 2 && dx[differ[0]] == dy[differ[1]] && dx[differ[1]] == dy[differ[0]]) {
        return DobAgreement::transposed;
    }
    // Within a year either way: the later date is no later than the same day
    // a year after the earlier one (29 February + 1 year is 1 March).
    const sys_days early = std::min(*a, *b);
    const sys_days late = std::max(*a, *b);
    const year_month_day e{early};
    year_month_day anniversary = e + years{1};
    const sys_days limit =
        anniversary.ok() ? sys_days{anniversary}
                         : sys_days{anniversary.year() / anniversary.month() / last} + days{1};
    if (late <= limit) {
        return DobAgreement::near;
    }
    return DobAgreement::different;
}

} // namespace waymark::graph
