// The libFuzzer entry points run as an ordinary test, whatever the compiler:
// over the generator's dirty files and a set of hand-written nasty inputs.
// Each entry point aborts on a broken invariant, so returning 0 is the check.

#include "data/synth/dirty.hpp"
#include "data/synth/world.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// tests/fuzz/*_fuzz.cpp, compiled with LLVMFuzzerTestOneInput renamed.
extern "C" int waymark_fuzz_csv_reader(const std::uint8_t* data, std::size_t size);
extern "C" int waymark_fuzz_line_reader(const std::uint8_t* data, std::size_t size);

namespace {

int run_both(const std::string& input) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(input.data());
    return waymark_fuzz_csv_reader(data, input.size()) +
           waymark_fuzz_line_reader(data, input.size());
}

std::vector<std::string> nasty_inputs() {
    std::vector<std::string> inputs = {
        "",
        "\n",
        "\r",
        "\r\n\r\n",
        "\"",
        "\"\"",
        "\"\"\"",
        "\"\n",
        "\"a\"\"",
        "\"a\"b\"c\"\n\"",
        "a\"b\"c,\"d",
        ",,,,,,,,,,",
        ";;;\"\";\"\"\"\";",
        "\xEF\xBB\xBF",
        "\xEF\xBB",
        "\xEF\xBB\xBF\xEF\xBB\xBF\n",
        "\xFF\xFE\x00\x00",
        "\x81\x8D\x8F\x90\x9D,\x80\n",
        "\xC0\xAF,\xED\xA0\x80,\xF4\x90\x80\x80,\xE2\x82\n",
        "a\rb\rc\r",
        "\"a\r\"\r\n\"b\r\n",
        std::string("nul\0,field\0\n", 13),
        "{\"a\": [1, 2, 3]}\n{\"b\": \"\\u00e9\"}\n\n{",
    };
    // Records and lines around the limits (64 and 8 bytes in the entry
    // points), quoted and not, with and without CR.
    for (const std::size_t size : {7, 8, 9, 62, 63, 64, 65, 66, 2100}) {
        const std::string run(size, 'x');
        inputs.push_back(run + "\nafter\n");
        inputs.push_back(run + "\r\nafter\r\n");
        inputs.push_back("\"" + run + "\"\r\nafter");
        inputs.push_back("\"" + run + "\n" + run + "\",\"\n");
        inputs.push_back(run + "\r");
    }
    return inputs;
}

TEST(FuzzCorpus, NastyInputsPassBothReaders) {
    for (const auto& input : nasty_inputs()) {
        EXPECT_EQ(run_both(input), 0) << input;
    }
}

TEST(FuzzCorpus, GeneratedDirtyFilesPassBothReaders) {
    waymark::testing::TempDir dir;
    const auto world =
        waymark::synth::build_world({.scale = waymark::synth::Scale::small, .seed = 3});
    waymark::synth::write_dirty_files(world, dir.path() / "dirty");
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "dirty")) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        EXPECT_EQ(run_both(text.str()), 0) << entry.path();
        ++files;
    }
    EXPECT_GE(files, 5);
}

} // namespace
