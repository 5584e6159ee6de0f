// libFuzzer target for CsvReader: every input is read with several read sizes,
// delimiters and encodings; the records must not depend on the read size, the
// fields must be UTF-8 and the line numbers must grow.

#include "importers/csv_reader.hpp"
#include "importers/text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>

namespace {

using waymark::importers::CsvOptions;
using waymark::importers::CsvReader;
using waymark::importers::CsvRecord;
using waymark::importers::Encoding;

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

/// Every record read, written out so that two reads can be compared.
std::string read_all(const std::string& input, const CsvOptions& options) {
    std::istringstream in(input);
    CsvReader reader(in, "fuzz input", options);
    CsvRecord record;
    std::string summary;
    std::int64_t last_line = 0;
    while (reader.next(record)) {
        check(record.line > last_line);
        last_line = record.line;
        check(record.raw.size() <= CsvReader::max_raw_bytes);
        check(record.raw.size() <= options.max_record_bytes || !record.error.empty());
        summary += std::to_string(record.line) + ' ' + record.error + '\n';
        summary.append(record.raw);
        summary += '\n';
        for (const std::string_view field : record.fields) {
            check(!waymark::importers::first_invalid_utf8(field).has_value());
            summary += std::to_string(field.size()) + ':';
            summary.append(field);
        }
        summary += '\n';
    }
    summary += "blank " + std::to_string(reader.blank_lines());
    return summary;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::pair<char, Encoding> settings[] = {{',', Encoding::utf8},
                                                  {';', Encoding::windows_1252}};
    for (const auto& [delimiter, encoding] : settings) {
        CsvOptions options;
        options.delimiter = delimiter;
        options.encoding = encoding;
        options.max_record_bytes = 64;
        options.read_bytes = 1 << 16;
        const std::string whole = read_all(input, options);
        for (const std::size_t read_bytes : {1, 5}) {
            options.read_bytes = read_bytes;
            check(read_all(input, options) == whole);
        }
    }
    return 0;
}
