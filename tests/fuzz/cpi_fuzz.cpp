// libFuzzer target for a JSON Lines file of CPI forms: every line through
// LineReader and parse_cpi, as `waymark import cpi` reads them.

#include "importers/line_reader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace waymark;
    const model::Timestamp now = model::now_utc();
    std::istringstream in{std::string(fuzz::as_text(data, size))};
    importers::LineReader reader(in, "fuzz input", 1 << 16);
    importers::Line line;
    while (reader.next(line)) {
        if (line.problem == importers::ReadProblem::none) {
            fuzz::check_parsed(importers::parse_cpi(line.text, fuzz::london_times(), nullptr, now));
        }
    }
    return 0;
}
