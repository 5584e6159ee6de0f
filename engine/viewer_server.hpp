#pragma once
// The viewer's HTTP server (`waymark serve`; docs/viewer.md): the embedded
// page and the API of engine/viewer_api.hpp over cpp-httplib, made safe to
// run beside police systems (design/PRIVACY.md):
//   - it listens on loopback unless told otherwise;
//   - every request, the page's own files included, carries the session's
//     random token (a cookie set by the landing URL, or X-Waymark-Token),
//     compared in constant time;
//   - the Host header must name the server itself, so that a web page
//     elsewhere cannot reach it through DNS rebinding;
//   - a strict Content-Security-Policy (no inline script, no other origin
//     but a configured basemap's), nosniff, no referrer, no framing, no
//     caching of answers;
//   - only GET and HEAD; no file is served from disk but MBTiles tiles by
//     their numbers, so no path can reach outside;
//   - errors never echo what a record holds.
#include "engine/viewer_api.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace waymark {

/// One file of the page, embedded in the binary.
struct StaticAsset {
    std::string_view path; ///< "/index.html", "/app.js", ...
    std::string_view content_type;
    std::string_view bytes;
};

struct ViewerServerOptions {
    std::string bind = "127.0.0.1";
    int port = 0;      ///< 0: any free port
    std::string token; ///< "": a new random one (32 bytes, hex)
    /// A raster MBTiles file (PNG or JPEG tiles) served at /tiles/{z}/{x}/{y}.
    std::filesystem::path mbtiles;
    /// The origin of a configured XYZ basemap, allowed to serve images.
    std::string basemap_origin;
    /// Requests answered per second, for all clients together (a token
    /// bucket holding `burst`); more get 429 with Retry-After. The server is
    /// for one person's browser: a page loads a few dozen files and tiles at
    /// once, while a script guessing tokens or a page gone wrong asks far more.
    double requests_per_second = 50;
    int burst = 200;
    /// The longest request target (path and query) answered; longer: 414.
    std::size_t max_target_bytes = 4096;
};

/// Requests answered, by endpoint and status, for the audit entry.
using RequestCounts = std::map<std::string, std::int64_t>;

class ViewerServer {
public:
    /// Throws IoError when the MBTiles file cannot be read or holds no raster
    /// tiles, UsageError for a bind address that is not an IP address.
    ViewerServer(const ViewerApi& api, std::span<const StaticAsset> assets,
                 ViewerServerOptions options);
    ViewerServer(const ViewerServer&) = delete;
    ViewerServer& operator=(const ViewerServer&) = delete;
    ~ViewerServer();

    /// Binds the socket; returns the port. Throws IoError naming the address
    /// when it cannot (in use, not this machine's).
    int bind();
    /// Serves until stop(). Call bind() first.
    void run();
    /// Stops run() from any thread.
    void stop();

    /// The URL to open: http://ADDRESS:PORT/?token=TOKEN.
    std::string url() const;
    RequestCounts counts() const;

    struct State;

private:
    std::unique_ptr<State> m_state;
};

/// Throws UsageError unless `address` is an IPv4 or IPv6 address.
void check_bind_address(const std::string& address);

/// "https://tiles.example:8443" from an XYZ template; throws UsageError
/// unless it is an http(s) URL with {z}, {x} and {y}.
std::string basemap_origin(std::string_view xyz_template);

} // namespace waymark
