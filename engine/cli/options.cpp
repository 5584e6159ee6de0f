#include "engine/cli/options.hpp"

#include "base/error.hpp"
#include "engine/model/timestamp.hpp"

namespace waymark::cli {

std::string checked_date(const std::string& text, const char* option) {
    if (!text.empty()) {
        try {
            model::parse_date(text);
        } catch (const InputError& error) {
            throw UsageError(std::string(option) + ": " + error.what());
        }
    }
    return text;
}

std::filesystem::path overrides_path(const std::string& given, const std::string& db) {
    if (!given.empty()) {
        if (!std::filesystem::exists(given)) {
            throw UsageError("--overrides: no file " + given);
        }
        return given;
    }
    const std::filesystem::path beside =
        std::filesystem::path(db).parent_path() / "resolution-overrides.csv";
    return std::filesystem::exists(beside) ? beside : std::filesystem::path();
}

} // namespace waymark::cli
