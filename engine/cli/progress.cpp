#include "engine/cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

namespace waymark::cli {

ProgressBar::ProgressBar(std::ostream& err, bool enabled)
    : m_err(err), m_enabled(enabled && &err == &std::cerr && ::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
    if (m_drawn) {
        m_err << '\n' << std::flush;
    }
}

void ProgressBar::update(std::string_view stage, double fraction) {
    if (!m_enabled) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool new_stage = stage != m_stage;
    if (!new_stage && fraction < 1.0 && now - m_last < std::chrono::milliseconds(100)) {
        return;
    }
    if (new_stage && m_drawn) {
        m_err << '\n';
    }
    m_stage = stage;
    m_last = now;
    constexpr int width = 30;
    const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width);
    m_err << '\r' << stage << " [" << std::string(static_cast<std::size_t>(filled), '#')
          << std::string(static_cast<std::size_t>(width - filled), ' ') << "] "
          << static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100) << '%' << std::flush;
    m_drawn = true;
}

} // namespace waymark::cli
