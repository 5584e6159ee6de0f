// libFuzzer target for a persons CSV file: the header through ColumnMap and
// every row through parse_person, as `waymark import persons` reads them.

#include "engine/model/columns.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace waymark;
    fuzz::read_csv_kind(fuzz::as_text(data, size), model::person_columns,
                        importers::required_person_columns(),
                        [&](const importers::ColumnMap& columns, const importers::CsvRecord& row) {
                            return importers::parse_person(columns, row, fuzz::london_times());
                        });
    return 0;
}
