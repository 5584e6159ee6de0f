#pragma once

#include <iosfwd>

namespace waymark::cli {

/// Runs the command line and returns the exit code: 0 ok, 1 a runtime
/// failure, 2 a usage error. Every error is reported as one line on `err`.
/// Exit codes are decided here and nowhere else (ARCHITECTURE.md, point 5).
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

} // namespace waymark::cli
