#pragma once

// Runs the waymark command line in-process, as a user would type it, and
// keeps what it printed.

#include "engine/cli/app.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace waymark::testing {

struct CliOutcome {
    int code = -1;
    std::string out;
    std::string err;
};

/// `args` without the program name: {"synth", "--out", dir}.
inline CliOutcome run_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "waymark");
    std::vector<const char*> argv;
    for (const std::string& arg : args) {
        argv.push_back(arg.c_str());
    }
    std::ostringstream out;
    std::ostringstream err;
    const int code = cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

} // namespace waymark::testing
