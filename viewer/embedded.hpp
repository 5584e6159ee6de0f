#pragma once
// The viewer's page, embedded in the binary at build time (viewer/CMakeLists.txt).

#include <cstddef>
#include <span>
#include <string_view>

namespace waymark::viewer {

struct EmbeddedFile {
    const char* path;         ///< as served: "/index.html", "/app.js", ...
    const char* content_type; ///< "text/javascript; charset=utf-8", ...
    const unsigned char* begin;
    const unsigned char* end;

    std::string_view bytes() const {
        return {reinterpret_cast<const char*>(begin), static_cast<std::size_t>(end - begin)};
    }
};

/// Every file of the page, index.html first.
std::span<const EmbeddedFile> embedded_files();

} // namespace waymark::viewer
