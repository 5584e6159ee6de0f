#pragma once

// Asserting exact error messages (design/ARCHITECTURE.md, point 8).

#include <gtest/gtest.h>

#include <exception>
#include <string>

namespace waymark::testing {

/// The message of the exception `E` that `call` throws; fails the test (and
/// returns "") if it throws nothing or something else.
template <typename E, typename F>
std::string message_of(F&& call) {
    try {
        call();
    } catch (const E& error) {
        return error.what();
    } catch (const std::exception& other) {
        ADD_FAILURE() << "threw a different exception: " << other.what();
        return "";
    }
    ADD_FAILURE() << "threw nothing";
    return "";
}

} // namespace waymark::testing
