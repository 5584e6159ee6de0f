// libFuzzer target for an episodes CSV file: the header through ColumnMap and
// every row through parse_episode, as `waymark import episodes` reads them.

#include "engine/model/columns.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace waymark;
    const model::Timestamp now = model::now_utc();
    fuzz::read_csv_kind(
        fuzz::as_text(data, size), model::episode_columns, importers::required_episode_columns(),
        [&](const importers::ColumnMap& columns, const importers::CsvRecord& row) {
            return importers::parse_episode(columns, row, fuzz::london_times(), now);
        });
    return 0;
}
