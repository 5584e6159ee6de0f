#pragma once

// A progress bar for long work, drawn on standard error only when it is a
// terminal and --quiet was not given (design/CLI.md).

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>

namespace waymark::cli {

class ProgressBar {
public:
    /// Draws on `err` when `enabled` and `err` is the terminal's stderr.
    ProgressBar(std::ostream& err, bool enabled);
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    /// Ends the line the bar was drawn on.
    ~ProgressBar();

    /// Shows `stage` at `fraction` (0 to 1); redraws at most ten times a second.
    void update(std::string_view stage, double fraction);

private:
    std::ostream& m_err;
    bool m_enabled;
    bool m_drawn = false;
    std::string m_stage;
    std::chrono::steady_clock::time_point m_last{};
};

} // namespace waymark::cli
