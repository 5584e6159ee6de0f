#pragma once

// A whole file's bytes, for tests that compare what was written.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace waymark::testing {

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace waymark::testing
