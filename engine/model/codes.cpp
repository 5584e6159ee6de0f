#include "engine/model/codes.hpp"

#include "base/error.hpp"

namespace waymark::model {

std::string join_codes(std::span<const std::string_view> codes) {
    std::string out;
    for (const auto code : codes) {
        if (!out.empty()) {
            out += ", ";
        }
        out += code;
    }
    return out;
}

namespace detail {

void throw_unknown_code(std::string_view name, std::string_view text,
                        std::span<const std::string_view> codes) {
    std::string message = "unknown ";
    message += name;
    message += " '";
    message += text;
    message += "' (expected one of: ";
    message += join_codes(codes);
    message += ')';
    throw InputError(message);
}

} // namespace detail

} // namespace waymark::model
