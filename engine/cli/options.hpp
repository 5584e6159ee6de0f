#pragma once

// Option checks shared by several subcommands.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>

namespace waymark::cli {

/// `text` when it is empty or a valid YYYY-MM-DD date; throws UsageError
/// naming `option` otherwise.
std::string checked_date(const std::string& text, const char* option);

/// The entity-resolution overrides file: `given` (which must exist), else
/// resolution-overrides.csv beside the store `db` when there is one, so that
/// every later run respects an analyst's decisions without being told again;
/// else empty.
std::filesystem::path overrides_path(const std::string& given, const std::string& db);

/// --threads, as every command with parallel work takes it.
void add_threads_option(CLI::App& sub, int& threads);

/// --exclude-weak and --overrides, as every command that builds the network
/// takes them (the network itself adds its thresholds).
void add_network_evidence_options(CLI::App& sub, bool& exclude_weak, std::string& overrides);

} // namespace waymark::cli
