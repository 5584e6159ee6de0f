#pragma once

// UK postcode normalisation (DATA-MODEL.md, "Location block": `po12ab`,
// `PO1  2AB` → `PO1 2AB`).

#include <cstddef>
#include <string>
#include <string_view>

namespace waymark::importers {

/// The longest canonical postcode: a 4-character outward code, a space and the
/// 3-character inward code ("SW1A 1AA").
inline constexpr std::size_t max_postcode_length = 8;

/// Writes the canonical form of `text` into `out` and returns its length, or
/// returns 0 (leaving `out` unspecified) when `text` cannot be a UK-shaped
/// postcode. Allocation-free; for hot paths.
std::size_t normalise_postcode(std::string_view text, char (&out)[max_postcode_length]) noexcept;

/// The canonical form "ZZ1 4AB" of a postcode: ASCII upper case, every space,
/// tab or other ASCII whitespace removed, then one space before the inward
/// code. "" when the text cannot be a UK-shaped postcode: an outward code of
/// 2–4 letters and digits beginning with a letter, and an inward code of a
/// digit and two letters. Only the shape is checked, not that the postcode
/// exists.
std::string normalise_postcode(std::string_view text);

} // namespace waymark::importers
