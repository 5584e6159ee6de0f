#include "base/error.hpp"
#include "engine/model/boolean.hpp"
#include "tests/support/errors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace waymark::model {
namespace {

std::string bool_error(std::string_view text) {
    return testing::message_of<InputError>([text] { parse_bool(text); });
}

TEST(ParseBool, EmptyIsUnknownNotFalse) {
    EXPECT_EQ(parse_bool(""), std::nullopt);
}

TEST(ParseBool, TrueSpellings) {
    for (const std::string_view text : {"Y", "y", "true", "TRUE", "True", "tRuE", "1"}) {
        EXPECT_EQ(parse_bool(text), std::optional<bool>{true}) << text;
    }
}

TEST(ParseBool, FalseSpellings) {
    for (const std::string_view text : {"N", "n", "false", "FALSE", "False", "0"}) {
        EXPECT_EQ(parse_bool(text), std::optional<bool>{false}) << text;
    }
}

TEST(ParseBool, InvalidMessage) {
    EXPECT_THROW(parse_bool("yes"), InputError);
    EXPECT_EQ(bool_error("yes"),
              "invalid boolean 'yes' (expected Y, N, true, false, 1, 0 or empty)");
}

TEST(ParseBool, RejectsOtherText) {
    for (const std::string_view text :
         {"yes", "no", "T", "F", "2", "-1", "01", " Y", "Y ", " ", "tru", "truee", "nope"}) {
        EXPECT_EQ(bool_error(text), "invalid boolean '" + std::string(text) +
                                        "' (expected Y, N, true, false, 1, 0 or empty)");
    }
}

} // namespace
} // namespace waymark::model
