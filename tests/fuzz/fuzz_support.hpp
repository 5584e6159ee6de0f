#pragma once

// What the import entry points share: an invariant check that aborts (so that
// libFuzzer, and test_fuzz_corpus, see a crash) and a whole CSV file of one
// kind read as the importer reads it: the first record is the header, every
// later record goes through the kind's parser.

#include "base/error.hpp"
#include "importers/csv_reader.hpp"
#include "importers/datetime.hpp"
#include "importers/records.hpp"

#include <date/tz.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

namespace waymark::fuzz {

inline void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// The area's zone, as an import reads times in it.
inline const importers::DateTimeParser& london_times() {
    static const importers::DateTimeParser times(date::locate_zone("Europe/London"));
    return times;
}

/// A parsed record is usable exactly when it has no error, and every issue
/// names its code.
template <typename Parsed>
void check_parsed(const Parsed& parsed) {
    check(parsed.record.has_value() == parsed.errors.empty());
    for (const auto& issue : parsed.errors) {
        check(!issue.code.empty() && !issue.message.empty());
    }
    for (const auto& issue : parsed.warnings) {
        check(!issue.code.empty() && !issue.message.empty());
    }
}

/// Reads `input` as a CSV file of a kind with these columns and parses each
/// row after the header with `parse(columns, record)`. A header the kind
/// cannot use is an InputError, as in an import; nothing else may throw.
template <typename Parse>
void read_csv_kind(std::string_view input, std::span<const std::string_view> canonical,
                   std::span<const std::string_view> required, const Parse& parse) {
    std::istringstream in{std::string(input)};
    importers::CsvOptions options;
    options.max_record_bytes = 1 << 16;
    importers::CsvReader reader(in, "fuzz input", options);
    importers::CsvRecord header;
    if (!reader.next(header) || header.problem != importers::ReadProblem::none) {
        return;
    }
    try {
        const importers::ColumnMap columns(canonical, required, header, nullptr, "fuzz input");
        importers::CsvRecord record;
        while (reader.next(record)) {
            check_parsed(parse(columns, record));
        }
    } catch (const InputError&) {
        // a header the kind cannot use: the import stops with this message
    }
}

} // namespace waymark::fuzz
