#include "engine/profile.hpp"

#include "base/error.hpp"

#include <string>

namespace waymark {

Profile parse_profile(std::string_view text) {
    if (text == "analyst") {
        return Profile::analyst;
    }
    if (text == "panel") {
        return Profile::panel;
    }
    if (text == "partnership") {
        return Profile::partnership;
    }
    throw UsageError("--profile: '" + std::string(text) +
                     "' is not a profile (analyst, panel or partnership)");
}

std::string_view to_string(Profile profile) {
    switch (profile) {
    case Profile::analyst:
        return "analyst";
    case Profile::panel:
        return "panel";
    case Profile::partnership:
        return "partnership";
    }
    return "analyst";
}

} // namespace waymark
