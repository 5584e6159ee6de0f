#pragma once

// The export profiles of design/PRIVACY.md: who an output is for. Every
// command that writes outputs takes one (there is no silent default), writes
// it into every file, and passes its data through the profile stage first.
//
// Only `analyst` (full detail, for police intelligence analysts) can be
// produced by this build; `panel` and `partnership` need the pseudonymising,
// coarsening and suppression stage of the export issue, and are refused with
// a message saying so rather than produced without it.

#include <string_view>

namespace waymark {

enum class Profile { analyst, panel, partnership };

/// "analyst", "panel" or "partnership"; throws UsageError for anything else.
Profile parse_profile(std::string_view text);
std::string_view to_string(Profile profile);

/// Throws UsageError unless this build can write outputs for `profile`;
/// `command` names the command in the message.
void require_supported_profile(Profile profile, std::string_view command);

} // namespace waymark
