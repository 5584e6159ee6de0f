#pragma once

// `waymark import KIND FILE`: reads one file of a canonical kind (through an
// import specification when given), validates every record, resolves every
// location against the gazetteer, and writes it all in one transaction with
// its import report. Nothing is silently dropped: imported + updated +
// unchanged + quarantined = rows read, always.

#include "engine/settings.hpp"
#include "engine/store/store.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace waymark {

struct ImportRequest {
    std::string kind; ///< episodes, rhi, cpi, persons, gazetteer
    std::filesystem::path file;
    std::filesystem::path spec; ///< empty: the canonical format
};

/// One row that was quarantined or warned, for the report's examples.
struct ImportExample {
    std::int64_t line = 0;
    std::string code;
    std::string message;
};

struct ImportReport {
    std::string kind;
    std::string file;
    std::string spec;
    std::int64_t run_id = 0;
    std::int64_t rows_read = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t quarantined = 0;
    std::int64_t blank_lines = 0; ///< skipped, not rows (CSV: lines with no characters)
    std::map<std::string, std::int64_t> quarantined_by_reason;
    std::map<std::string, std::int64_t> warnings_by_reason;
    std::map<std::string, std::int64_t>
        unresolved_by_given;                            ///< how unresolved locations were given
    std::map<std::string, std::int64_t> changed_fields; ///< updated records, by field
    std::int64_t locations = 0;
    std::int64_t unresolved_locations = 0;
    std::vector<std::string> unknown_columns; ///< kept as attributes
    std::vector<ImportExample> examples;      ///< the first quarantined and warned rows
    double seconds = 0.0;

    double rows_per_second() const {
        return seconds > 0 ? static_cast<double>(rows_read) / seconds : 0.0;
    }
    std::string to_json() const;
    void write_text(std::ostream& out) const;
};

/// Told how far the import has got (a fraction of the file's bytes).
using ImportProgress = std::function<void(double fraction)>;

/// Imports one file. Throws UsageError for an unknown kind, InputError for a
/// file that cannot be imported at all (wrong kind, empty, no records, a bad
/// spec, a record beyond the size limit) and IoError for one that cannot be
/// read — in each case the store is left as it was.
ImportReport import_file(store::Store& store, const AreaSettings& area,
                         const ImportRequest& request, const ImportProgress& progress = {});

} // namespace waymark
