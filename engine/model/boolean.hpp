#pragma once

// Booleans in the canonical formats (DATA-MODEL.md, "Conventions"): `Y`/`N`,
// `true`/`false`, `1`/`0`; empty = unknown, never false.

#include <optional>
#include <string_view>

namespace waymark::model {

/// Empty text is unknown (nullopt). Y, N, true, false (letters in any case),
/// 1 and 0 give a value. Anything else, including surrounding spaces, throws
/// waymark::InputError: invalid boolean 'yes' (expected Y, N, true, false, 1, 0 or empty)
std::optional<bool> parse_bool(std::string_view text);

} // namespace waymark::model
