// libFuzzer target for LineReader: every input is read with several read
// sizes; the lines must not depend on the read size, a line without an error
// must be UTF-8 and the line numbers must count up by one.

#include "importers/line_reader.hpp"
#include "importers/text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

using waymark::importers::Line;
using waymark::importers::LineReader;

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

std::string read_all(const std::string& input, std::size_t max_line_bytes, std::size_t read_bytes) {
    std::istringstream in(input);
    LineReader reader(in, "fuzz input", max_line_bytes, read_bytes);
    Line line;
    std::string summary;
    std::int64_t last = 0;
    while (reader.next(line)) {
        check(line.number == last + 1);
        last = line.number;
        check(line.text.size() <= max_line_bytes || !line.error.empty());
        check(line.text.find('\n') == std::string_view::npos);
        if (line.error.empty()) {
            check(!waymark::importers::first_invalid_utf8(line.text).has_value());
        }
        summary += std::to_string(line.number) + ' ' + line.error + '\n';
        summary.append(line.text);
        summary += '\n';
    }
    return summary;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    for (const std::size_t max_line_bytes : {std::size_t{8}, std::size_t{64}}) {
        const std::string whole = read_all(input, max_line_bytes, 1 << 16);
        for (const std::size_t read_bytes : {1, 5}) {
            check(read_all(input, max_line_bytes, read_bytes) == whole);
        }
    }
    return 0;
}
