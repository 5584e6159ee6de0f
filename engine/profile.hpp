#pragma once

// The export profiles of design/PRIVACY.md: who an output is for. Every
// command that writes outputs takes one (there is no silent default), writes
// it into every file, and passes its data through the profile stage first.
//
// What each profile may see is applied by the profile stage
// (engine/profile_stage.hpp).

#include <string_view>

namespace waymark {

enum class Profile { analyst, panel, partnership };

/// "analyst", "panel" or "partnership"; throws UsageError for anything else.
Profile parse_profile(std::string_view text);
std::string_view to_string(Profile profile);

} // namespace waymark
