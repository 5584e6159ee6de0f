// Writes the seed corpus of every fuzz target (tests/fuzz/seeds.hpp):
//   fuzz_seeds SOURCE_DIR OUT_DIR  →  OUT_DIR/<target>/seed-<n>
// scripts/fuzz.sh runs it before the fuzzers; nothing generated is committed.

#include "tests/fuzz/seeds.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    if (argc != 3) {
        std::fprintf(stderr, "usage: fuzz_seeds SOURCE_DIR OUT_DIR\n");
        return 2;
    }
    try {
        const fs::path out = argv[2];
        const fs::path scratch = out / "dirty";
        fs::remove_all(scratch);
        fs::create_directories(scratch);
        const auto seeds = waymark::fuzz::seed_inputs(argv[1], scratch);
        fs::remove_all(scratch);
        for (const auto& [target, inputs] : seeds) {
            const fs::path folder = out / target;
            fs::remove_all(folder);
            fs::create_directories(folder);
            for (std::size_t i = 0; i < inputs.size(); ++i) {
                std::ofstream file(folder / ("seed-" + std::to_string(i)), std::ios::binary);
                file << inputs[i];
            }
            std::printf("%s: %zu seeds\n", target.c_str(), inputs.size());
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fuzz_seeds: %s\n", error.what());
        return 1;
    }
    return 0;
}
