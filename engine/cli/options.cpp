#include "engine/cli/options.hpp"

#include "base/error.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/pg.hpp"

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
    if (pg::is_url(db)) {
        return {}; // a database on a server has no folder to look in
    }
    const std::filesystem::path beside =
        std::filesystem::path(db).parent_path() / "resolution-overrides.csv";
    return std::filesystem::exists(beside) ? beside : std::filesystem::path();
}

void add_threads_option(CLI::App& sub, int& threads) {
    sub.add_option("--threads", threads, "Threads to use (0: all cores); results do not change")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
}

void add_network_evidence_options(CLI::App& sub, bool& exclude_weak, std::string& overrides) {
    sub.add_flag("--exclude-weak", exclude_weak,
                 "Leave out network links resting only on CPI intelligence graded source 3 (not "
                 "reliable) or intelligence E (suspected false)");
    sub.add_option("--overrides", overrides,
                   "Entity-resolution overrides (CSV: action,record,name,person_id,note); "
                   "default: resolution-overrides.csv beside the store, if there is one")
        ->type_name("FILE");
}

} // namespace waymark::cli
