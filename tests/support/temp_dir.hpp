#pragma once

// A fresh directory per test, removed with everything in it afterwards.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

namespace waymark::testing {

class TempDir {
public:
    TempDir() {
        std::random_device random;
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        const std::string name = info ? std::string(info->test_suite_name()) + "." + info->name()
                                      : std::string("waymark");
        m_path = std::filesystem::temp_directory_path() /
                 ("waymark-" + name + "-" + std::to_string(random()));
        std::filesystem::create_directories(m_path);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }

    const std::filesystem::path& path() const { return m_path; }
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

} // namespace waymark::testing
