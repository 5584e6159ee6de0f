#pragma once

// Turning one source record into a domain record: a CSV row of episodes,
// persons or gazetteer (through the column map an import specification
// gives), or a JSON line of an RHI or CPI form. Parsing never throws for a
// bad record: it reports issues, and the caller quarantines the record when
// any issue is an error.

#include "engine/model/cpi_report.hpp"
#include "engine/model/episode.hpp"
#include "engine/model/gazetteer.hpp"
#include "engine/model/person.hpp"
#include "engine/model/return_interview.hpp"
#include "importers/csv_reader.hpp"
#include "importers/datetime.hpp"
#include "importers/spec.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::importers {

/// One problem with a record. `code` is the quarantine or warning reason
/// (docs/import.md lists them all); `field` names the canonical field.
struct Issue {
    std::string code;
    std::string field;
    std::string message;
};

/// What parsing one record gave: the record when it can be used, the errors
/// that make it unusable (the first is the quarantine reason), and warnings.
template <typename Record>
struct Parsed {
    std::optional<Record> record;
    std::vector<Issue> errors;
    std::vector<Issue> warnings;
};

/// Longest value accepted in a field, in bytes of UTF-8; free text (RHI
/// notes, CPI information) and attributes (columns or members the format does
/// not define) may be longer. Over either is an over_long_field error.
inline constexpr std::size_t max_field_bytes = 1000;
inline constexpr std::size_t max_free_text_bytes = 20000;

/// Where each canonical column is in a CSV file, with the spec's renames,
/// value maps and defaults (the spec must outlive the map), and which header
/// columns are unknown (kept as attributes). Throws InputError naming the
/// file and line 1 when required columns are missing, a column is named
/// twice, or the spec maps a column the header lacks.
class ColumnMap {
public:
    ColumnMap(std::span<const std::string_view> canonical,
              std::span<const std::string_view> required, const CsvRecord& header,
              const ImportSpec* spec, std::string_view source);

    /// The value of canonical column `column` (an index into `canonical`),
    /// after the default and the value map; "" when absent or empty.
    std::string_view value(std::size_t column, const CsvRecord& record) const;
    /// The unknown columns of `record` as attributes (empty values skipped).
    void extra(const CsvRecord& record, model::Attributes& out) const;

    std::size_t width() const { return m_width; }
    const std::vector<std::string>& unknown_columns() const { return m_unknown_names; }

private:
    struct Column {
        int index = -1;   ///< field index in the file, -1 when absent
        ValueRules rules; ///< the spec's default and value map
    };
    std::vector<Column> m_columns;
    std::vector<int> m_unknown;
    std::vector<std::string> m_unknown_names;
    std::size_t m_width = 0;
};

/// Required canonical columns of each CSV kind (a location block counts as
/// present when any of its columns is).
std::span<const std::string_view> required_episode_columns();
std::span<const std::string_view> required_person_columns();
std::span<const std::string_view> required_gazetteer_columns();

/// Parsers for one CSV row. `now` bounds dates in the future.
Parsed<model::Episode> parse_episode(const ColumnMap& columns, const CsvRecord& record,
                                     const DateTimeParser& times, model::Timestamp now);
Parsed<model::Person> parse_person(const ColumnMap& columns, const CsvRecord& record,
                                   const DateTimeParser& times);
Parsed<model::GazetteerEntry> parse_gazetteer_entry(const ColumnMap& columns,
                                                    const CsvRecord& record);

/// Parsers for one JSON line (UTF-8). The spec's `columns` rename top-level
/// fields, and its defaults and value maps apply to top-level fields holding
/// a string or a boolean (value maps also to the codes of push_factors and
/// pull_factors), as to CSV columns.
Parsed<model::ReturnInterview> parse_rhi(std::string_view line, const DateTimeParser& times,
                                         const ImportSpec* spec, model::Timestamp now);
Parsed<model::CpiReport> parse_cpi(std::string_view line, const DateTimeParser& times,
                                   const ImportSpec* spec, model::Timestamp now);

} // namespace waymark::importers
