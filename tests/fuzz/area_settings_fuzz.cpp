// libFuzzer target for area settings files: parse_area_settings either gives
// settings or throws InputError naming the problem; nothing else.

#include "engine/settings.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace waymark;
    try {
        const AreaSettings settings = parse_area_settings(fuzz::as_text(data, size), "fuzz.json");
        fuzz::check(!settings.time_zone.empty());
    } catch (const InputError& error) {
        fuzz::check(std::string_view(error.what()).starts_with("area settings fuzz.json: "));
    }
    return 0;
}
