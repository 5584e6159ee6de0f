// The libFuzzer entry points run as an ordinary test, whatever the compiler:
// each over its seed corpus (tests/fuzz/seeds.hpp: the generator's dirty
// files split up, data/'s examples, the hand-written nasty inputs and every
// input a fuzzer once crashed on). Each entry point aborts on a broken
// invariant, so returning 0 is the check.

#include "base/error.hpp"
#include "engine/settings.hpp"
#include "tests/fuzz/seeds.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

// tests/fuzz/*_fuzz.cpp, compiled with LLVMFuzzerTestOneInput renamed.
#define WAYMARK_FUZZ_ENTRY(name)                                                                   \
    extern "C" int waymark_fuzz_##name(const std::uint8_t* data, std::size_t size);
WAYMARK_FUZZ_ENTRY(csv_reader)
WAYMARK_FUZZ_ENTRY(line_reader)
WAYMARK_FUZZ_ENTRY(episodes)
WAYMARK_FUZZ_ENTRY(persons)
WAYMARK_FUZZ_ENTRY(gazetteer)
WAYMARK_FUZZ_ENTRY(rhi)
WAYMARK_FUZZ_ENTRY(cpi)
WAYMARK_FUZZ_ENTRY(import_spec)
WAYMARK_FUZZ_ENTRY(area_settings)
WAYMARK_FUZZ_ENTRY(viewer_query)
#undef WAYMARK_FUZZ_ENTRY

namespace {

using Entry = int (*)(const std::uint8_t*, std::size_t);

const std::map<std::string, Entry>& entries() {
    static const std::map<std::string, Entry> all = {{"csv_reader", waymark_fuzz_csv_reader},
                                                     {"line_reader", waymark_fuzz_line_reader},
                                                     {"episodes", waymark_fuzz_episodes},
                                                     {"persons", waymark_fuzz_persons},
                                                     {"gazetteer", waymark_fuzz_gazetteer},
                                                     {"rhi", waymark_fuzz_rhi},
                                                     {"cpi", waymark_fuzz_cpi},
                                                     {"import_spec", waymark_fuzz_import_spec},
                                                     {"area_settings", waymark_fuzz_area_settings},
                                                     {"viewer_query", waymark_fuzz_viewer_query}};
    return all;
}

int run(Entry entry, const std::string& input) {
    return entry(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

TEST(FuzzCorpus, EveryTargetHasAnEntryPoint) {
    for (const std::string& target : waymark::fuzz::targets()) {
        EXPECT_TRUE(entries().contains(target)) << target;
    }
    EXPECT_EQ(entries().size(), waymark::fuzz::targets().size());
}

TEST(FuzzCorpus, NastyInputsPassEveryEntryPoint) {
    for (const auto& [target, entry] : entries()) {
        for (const std::string& input : waymark::fuzz::nasty_inputs()) {
            EXPECT_EQ(run(entry, input), 0) << target << ": " << input.substr(0, 200);
        }
        for (const std::string& input : waymark::fuzz::nasty_inputs(target)) {
            EXPECT_EQ(run(entry, input), 0) << target << ": " << input.substr(0, 200);
        }
    }
}

TEST(FuzzCorpus, SeedsPassTheirEntryPoints) {
    waymark::testing::TempDir dir;
    const auto seeds = waymark::fuzz::seed_inputs(WAYMARK_SOURCE_DIR, dir.path());
    for (const auto& [target, entry] : entries()) {
        const auto found = seeds.find(target);
        ASSERT_NE(found, seeds.end()) << target;
        // More than the nasty inputs: the dirty files and examples are there.
        EXPECT_GT(found->second.size(), waymark::fuzz::nasty_inputs().size() + 2) << target;
        for (const std::string& input : found->second) {
            EXPECT_EQ(run(entry, input), 0) << target << ": " << input.substr(0, 200);
        }
    }
}

// The area settings' side of the limits (tests/importers/limits_test.cpp has
// the readers'): nesting depth, and a number too large for a double, which
// the area_settings fuzzer found escaping as nlohmann's out_of_range.
TEST(FuzzCorpus, AreaSettingsRefuseDeepNestingAndHugeNumbers) {
    using waymark::testing::message_of;
    const std::string deep = std::string(40, '[') + std::string(40, ']');
    EXPECT_EQ(message_of<waymark::InputError>([&] {
                  waymark::parse_area_settings("{\n\"triggers\": " + deep + "}", "a.json");
              }),
              "area settings a.json: line 2: JSON nests deeper than the limit of 32 levels");
    EXPECT_EQ(message_of<waymark::InputError>(
                  [] { waymark::parse_area_settings(R"({"working_crs": 1e999999})", "a.json"); }),
              "area settings a.json: invalid JSON: number overflow parsing '1e999999'");
}

} // namespace
