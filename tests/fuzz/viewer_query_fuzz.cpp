// libFuzzer target for the HTTP API's query parsing: the input is a URL query
// string (a=1&b=2, percent-encoded, as the server's HTTP library decodes it)
// given to parse_viewer_query, which either gives a query or refuses it with
// ApiError 400; nothing else.

#include "engine/viewer_query.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::string decoded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
                   hex(text[i + 2]) >= 0) {
            out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace waymark;
    std::string_view text = fuzz::as_text(data, size);
    QueryParameters parameters;
    while (!text.empty()) {
        const std::size_t amp = text.find('&');
        const std::string_view pair = text.substr(0, amp);
        const std::size_t eq = pair.find('=');
        parameters.emplace(decoded(pair.substr(0, eq)), eq == std::string_view::npos
                                                            ? std::string()
                                                            : decoded(pair.substr(eq + 1)));
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    }
    for (const bool with_allowed : {false, true}) {
        try {
            const ViewerQuery query =
                with_allowed ? parse_viewer_query(parameters, {"count", "focus", "role"})
                             : parse_viewer_query(parameters);
            (void)query.key();
        } catch (const ApiError& error) {
            fuzz::check(error.status() == 400);
        }
    }
    return 0;
}
