// libFuzzer target for a gazetteer CSV file: the header through ColumnMap and
// every row through parse_gazetteer_entry, as `waymark import gazetteer` reads
// them.

#include "engine/model/columns.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace waymark;
    fuzz::read_csv_kind(fuzz::as_text(data, size), model::gazetteer_columns,
                        importers::required_gazetteer_columns(),
                        [&](const importers::ColumnMap& columns, const importers::CsvRecord& row) {
                            return importers::parse_gazetteer_entry(columns, row);
                        });
    return 0;
}
