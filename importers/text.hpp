#pragma once

// Text encodings of imported files (DATA-MODEL.md: UTF-8, optionally with a
// BOM; an import specification may name Windows-1252 instead). Everything
// past the readers is UTF-8.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace waymark::importers {

enum class Encoding { utf8, windows_1252 };

/// "utf-8", "utf8", "windows-1252" or "cp1252", in any case; throws
/// InputError otherwise.
Encoding parse_encoding(std::string_view name);

/// "utf-8" or "windows-1252".
std::string_view to_string(Encoding encoding);

/// Appends `in`, read as Windows-1252, to `out` as UTF-8. Returns false if
/// `in` holds one of the five bytes Windows-1252 leaves undefined (0x81, 0x8D,
/// 0x8F, 0x90, 0x9D); each of those is appended as U+FFFD and the rest is
/// still converted.
bool append_windows_1252_as_utf8(std::string& out, std::string_view in);

/// The byte offset (0-based) of the first of the five bytes Windows-1252
/// leaves undefined in `text`, or nullopt when there is none.
std::optional<std::size_t> first_undefined_in_windows_1252(std::string_view text);

/// A byte as messages show it: "0x9D".
std::string hex_byte(unsigned char byte);

/// The byte offset (0-based) of the first byte of the first invalid UTF-8
/// sequence in `text`, or nullopt when all of it is valid. Overlong forms,
/// surrogates (U+D800..U+DFFF), code points above U+10FFFF, stray
/// continuation bytes and sequences cut short are all invalid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

/// True when every byte of `text` is below 0x80.
bool is_ascii(std::string_view text);

/// How deep JSON arrays and objects may nest in any input (RHI and CPI lines,
/// import specs, area settings): the formats need 3 levels; deeper is refused
/// before parsing, so that nothing recursive ever sees it.
inline constexpr std::size_t max_json_depth = 32;

/// The 1-based line of `text` where its JSON arrays and objects first nest
/// deeper than `limit` (brackets inside strings do not count), or nullopt.
std::optional<std::int64_t> json_too_deep(std::string_view text,
                                          std::size_t limit = max_json_depth);

/// The message for it: "JSON nests deeper than the limit of 32 levels".
std::string json_too_deep_message(std::size_t limit = max_json_depth);

} // namespace waymark::importers
