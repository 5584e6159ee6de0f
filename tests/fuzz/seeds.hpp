#pragma once

// The seed inputs of every fuzz target: the generator's dirty files (written
// by `waymark synth --dirty`, data/synth/dirty.cpp) split into small inputs
// per target, the example specs and area settings from data/, and the
// hand-written nasty inputs, among them every input a fuzzer once crashed on.
// tools: fuzz_seeds writes them to a folder for libFuzzer; test_fuzz_corpus
// runs every entry point over them with any compiler.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace waymark::fuzz {

/// The fuzz targets, as named in tests/fuzz/CMakeLists.txt.
const std::vector<std::string>& targets();

/// Inputs that are hard for every target (quotes, encodings, limits).
std::vector<std::string> nasty_inputs();

/// Inputs for one target only: regressions and its own kind of nastiness.
std::vector<std::string> nasty_inputs(const std::string& target);

/// Seeds per target: dirty files written into `scratch` and split, and the
/// example files under `source_dir`/data. Includes the nasty inputs.
std::map<std::string, std::vector<std::string>> seed_inputs(const std::filesystem::path& source_dir,
                                                            const std::filesystem::path& scratch);

} // namespace waymark::fuzz
