#pragma once

// Import specifications (DATA-MODEL.md, "Import specification";
// docs/import-specs.md): a small JSON file that maps a user's export onto a
// canonical format — column renames, value maps, date-time formats, encoding
// and defaults. This reads and validates one; applying it is the readers' job.
//
// Every problem throws waymark::InputError "import spec <source>: <where>: <problem>",
// e.g. import spec police.json: delimiter: must be exactly one character, not ";;"

#include <array>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace waymark::importers {

/// The kinds of file a spec may describe, as in `waymark import KIND`.
inline constexpr std::array<std::string_view, 5> import_kinds = {"episodes", "rhi", "cpi",
                                                                 "persons", "gazetteer"};

/// rhi and cpi are JSON Lines: `columns` renames top-level fields, and a
/// delimiter means nothing.
bool is_json_lines_kind(std::string_view kind);

struct ImportSpec {
    std::string kind; ///< one of import_kinds
    char delimiter = ',';
    std::string encoding = "utf-8"; ///< "utf-8" or "windows-1252" (normalised)
    /// canonical column → source column, in the order of the file.
    std::vector<std::pair<std::string, std::string>> columns;
    /// canonical field → source value → canonical value ("" = empty, unknown).
    std::map<std::string, std::map<std::string, std::string>> values;
    std::vector<std::string> datetime_formats; ///< each passed check_datetime_format
    /// canonical column → value used when the column is absent or empty.
    std::map<std::string, std::string> defaults;
};

/// The name of canonical column (or JSON Lines top-level field) `canonical`
/// in the source: its rename in the spec's `columns`, or itself (also when
/// `spec` is null).
std::string_view source_name(const ImportSpec* spec, std::string_view canonical);

/// What a spec says about the values of one canonical column (CSV) or
/// top-level field (JSON Lines): its default and its value map. The one home
/// for applying them, for both formats.
struct ValueRules {
    std::string_view default_value;                             ///< "" for none
    const std::map<std::string, std::string>* values = nullptr; ///< the spec's value map

    bool empty() const { return default_value.empty() && values == nullptr; }
    /// `text` without the spaces around it; then, when that is empty, the
    /// default; otherwise its canonical value when the value map has it, else
    /// itself.
    std::string_view apply(std::string_view text) const;
};

/// The rules of `canonical` (none when `spec` is null); they point into `spec`.
ValueRules value_rules(const ImportSpec* spec, std::string_view canonical);

/// Parses and validates a spec; `source` names it in messages.
/// `canonical_columns` are the canonical column (or, for JSON Lines, top-level
/// field) names of the kind: keys of columns/values/defaults must be among
/// them (an empty span checks nothing). `expected_kind`, when not empty, is the
/// kind being imported; a spec for another kind is an error. For rhi and cpi,
/// `values` may not name a field holding objects, nor `defaults` one holding
/// objects or an array (model::json_object_fields, json_code_list_fields).
ImportSpec parse_import_spec(std::string_view json, std::string_view source,
                             std::span<const std::string_view> canonical_columns,
                             std::string_view expected_kind = {});

/// Reads and validates a spec file (named by its path in messages).
/// Throws IoError "cannot read import spec PATH: <reason>" if it cannot be read.
ImportSpec load_import_spec(const std::filesystem::path& path,
                            std::span<const std::string_view> canonical_columns,
                            std::string_view expected_kind = {});

} // namespace waymark::importers
