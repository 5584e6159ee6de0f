#include "engine/viewer_server.hpp"

#include "base/error.hpp"
#include "engine/store/sqlite.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <set>

namespace waymark {
namespace {

std::string random_token() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw Error("OpenSSL could not make a random session token");
    }
    static const char* hex = "0123456789abcdef";
    std::string token;
    for (const unsigned char b : bytes) {
        token += hex[b >> 4];
        token += hex[b & 15];
    }
    return token;
}

// Constant time in the length of the expected token: the time taken says
// nothing about how much of a guess was right.
bool same_token(std::string_view given, const std::string& expected) {
    if (given.size() != expected.size()) {
        return false;
    }
    return CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::string cookie_value(const std::string& header, const std::string& name) {
    std::size_t start = 0;
    while (start < header.size()) {
        std::size_t end = header.find(';', start);
        if (end == std::string::npos) {
            end = header.size();
        }
        std::string_view pair(header.data() + start, end - start);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
            return std::string(pair.substr(name.size() + 1));
        }
        start = end + 1;
    }
    return {};
}

bool is_ip_address(const std::string& text) {
    unsigned char buffer[16];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::string json_error(std::string_view message) {
    std::string escaped;
    for (const char c : message) {
        if (c == '"' || c == '\\') {
            escaped += '\\';
        }
        if (static_cast<unsigned char>(c) >= 0x20) {
            escaped += c;
        }
    }
    return "{\"error\":\"" + escaped + "\"}";
}

// Raster tiles of an MBTiles file, looked up by number only.
class TileSource {
public:
    explicit TileSource(const std::filesystem::path& path)
        : m_db(sqlite::Database::open(path.string(), sqlite::OpenMode::read_only)) {
        std::string format;
        try {
            auto statement = m_db.prepare("SELECT value FROM metadata WHERE name = 'format'");
            if (statement.step()) {
                format = statement.column_text(0);
            }
        } catch (const StoreError&) {
            throw IoError(path.string() + " is not an MBTiles file (no metadata table)");
        }
        if (format == "png" || format.empty()) {
            m_type = "image/png";
        } else if (format == "jpg" || format == "jpeg") {
            m_type = "image/jpeg";
        } else if (format == "webp") {
            m_type = "image/webp";
        } else {
            throw IoError(path.string() + " holds " + format +
                          " tiles; the viewer shows raster tiles only (png, jpg, webp)");
        }
    }

    const std::string& content_type() const { return m_type; }

    std::optional<std::string> tile(int z, int x, int y) {
        if (z < 0 || z > 24 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z)) {
            return std::nullopt;
        }
        const std::lock_guard lock(m_mutex);
        auto statement = m_db.prepare("SELECT tile_data FROM tiles WHERE zoom_level = ? AND "
                                      "tile_column = ? AND tile_row = ?");
        // MBTiles rows count from the south (TMS); XYZ from the north.
        statement.bind(1, z).bind(2, x).bind(3, (1 << z) - 1 - y);
        if (!statement.step()) {
            return std::nullopt;
        }
        const void* data = sqlite3_column_blob(statement.get(), 0);
        const int size = sqlite3_column_bytes(statement.get(), 0);
        return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
    }

private:
    sqlite::Database m_db;
    std::string m_type;
    std::mutex m_mutex;
};

} // namespace

void check_bind_address(const std::string& address) {
    if (!is_ip_address(address)) {
        throw UsageError("--bind must be an IP address such as 127.0.0.1, not '" + address + "'");
    }
}

std::string basemap_origin(std::string_view url) {
    const bool http = url.starts_with("http://") || url.starts_with("https://");
    const bool tiled = url.find("{z}") != std::string_view::npos &&
                       url.find("{x}") != std::string_view::npos &&
                       url.find("{y}") != std::string_view::npos;
    if (!http || !tiled) {
        throw UsageError("--basemap-url must be an http(s) URL with {z}, {x} and {y}, such as "
                         "http://tiles.force.local/{z}/{x}/{y}.png");
    }
    const std::size_t host = url.find("//") + 2;
    const std::size_t end = url.find('/', host);
    const std::string_view origin = url.substr(0, end);
    for (const char c : origin) {
        // An origin goes into the CSP header: nothing that could end it.
        if (c == ';' || c == ',' || c == ' ' || c == '\'' || c == '"' ||
            static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
            throw UsageError("--basemap-url has a character not allowed in a host name");
        }
    }
    return std::string(origin);
}

struct ViewerServer::State {
    State(const ViewerApi& a, std::span<const StaticAsset> s, ViewerServerOptions o)
        : api(a), assets(s), options(std::move(o)) {
        check_bind_address(options.bind);
        if (options.token.empty()) {
            options.token = random_token();
        }
        slots = options.burst;
        if (!options.mbtiles.empty()) {
            tiles.emplace(options.mbtiles);
        }
    }

    std::string host_for_url() const {
        return options.bind.find(':') != std::string::npos ? "[" + options.bind + "]"
                                                           : options.bind;
    }

    std::string cookie_name() const { return "waymark_" + std::to_string(port); }

    // The Host header must be this server, as the browser was told to reach
    // it: a rebinding DNS name pointing here is refused.
    bool allowed_host(const std::string& host) const {
        const std::string p = ":" + std::to_string(port);
        std::set<std::string> allowed = {host_for_url() + p};
        if (options.bind == "127.0.0.1" || options.bind == "::1") {
            allowed.insert({"localhost" + p, "127.0.0.1" + p, "[::1]" + p});
        }
        return allowed.contains(host);
    }

    void count(const std::string& what) {
        const std::lock_guard lock(mutex);
        ++counts[what];
    }

    std::string csp() const {
        std::string images = "'self' data: blob:";
        if (!options.basemap_origin.empty()) {
            images += " " + options.basemap_origin;
        }
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + images +
               "; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'";
    }

    // The token bucket of options.requests_per_second: true when a request
    // may be answered now. Checked before the token, so that guessing
    // tokens is slow too.
    bool take_request_slot() {
        const std::lock_guard lock(mutex);
        const auto now = std::chrono::steady_clock::now();
        const std::chrono::duration<double> elapsed = now - last_refill;
        last_refill = now;
        slots = std::min(static_cast<double>(options.burst),
                         slots + elapsed.count() * options.requests_per_second);
        if (slots < 1) {
            return false;
        }
        slots -= 1;
        return true;
    }

    httplib::Server::HandlerResponse gate(const httplib::Request& request,
                                          httplib::Response& response) {
        using R = httplib::Server::HandlerResponse;
        if (!take_request_slot()) {
            response.status = 429;
            response.set_header("Retry-After", "1");
            response.set_content("too many requests: wait a second\n", "text/plain; charset=utf-8");
            count("refused: rate");
            return R::Handled;
        }
        if (request.target.size() > options.max_target_bytes) {
            response.status = 414;
            response.set_content("request too long\n", "text/plain; charset=utf-8");
            count("refused: length");
            return R::Handled;
        }
        if (request.method != "GET" && request.method != "HEAD") {
            response.status = 405;
            response.set_header("Allow", "GET, HEAD");
            response.set_content("only GET and HEAD are served\n", "text/plain; charset=utf-8");
            count("refused: method");
            return R::Handled;
        }
        if (!allowed_host(request.get_header_value("Host"))) {
            response.status = 403;
            response.set_content("this server answers only to the address it printed\n",
                                 "text/plain; charset=utf-8");
            count("refused: host");
            return R::Handled;
        }
        // The landing URL: its token becomes a cookie and leaves the address bar.
        if (request.path == "/" && request.has_param("token")) {
            if (!same_token(request.get_param_value("token"), options.token)) {
                return refuse(response);
            }
            response.status = 303;
            response.set_header("Location", "/");
            response.set_header("Set-Cookie", cookie_name() + "=" + options.token +
                                                  "; HttpOnly; SameSite=Strict; Path=/");
            count("landing");
            return R::Handled;
        }
        const std::string header = request.get_header_value("X-Waymark-Token");
        const std::string cookie = cookie_value(request.get_header_value("Cookie"), cookie_name());
        if (!same_token(header, options.token) && !same_token(cookie, options.token)) {
            return refuse(response);
        }
        return R::Unhandled;
    }

    httplib::Server::HandlerResponse refuse(httplib::Response& response) {
        response.status = 401;
        response.set_content("no valid session token: open the URL 'waymark serve' printed\n",
                             "text/plain; charset=utf-8");
        count("refused: token");
        return httplib::Server::HandlerResponse::Handled;
    }

    // Runs one API call; an ApiError becomes its status, anything else a 500
    // with no detail (the detail could hold record contents).
    template <typename Call>
    void answer(const std::string& endpoint, httplib::Response& response, Call call) {
        try {
            response.set_content(call(), "application/json; charset=utf-8");
            count(endpoint);
        } catch (const ApiError& refused) {
            response.status = refused.status();
            response.set_content(json_error(refused.what()), "application/json; charset=utf-8");
            count(endpoint + " " + std::to_string(refused.status()));
        } catch (const std::exception&) {
            response.status = 500;
            response.set_content(json_error("the server could not answer this request; its "
                                            "terminal says no more, to keep records private"),
                                 "application/json; charset=utf-8");
            count(endpoint + " 500");
        }
    }

    void routes() {
        server.set_pre_routing_handler(
            [this](const httplib::Request& request, httplib::Response& response) {
                return gate(request, response);
            });
        server.set_default_headers({{"Content-Security-Policy", csp()},
                                    {"X-Content-Type-Options", "nosniff"},
                                    {"Referrer-Policy", "no-referrer"},
                                    {"X-Frame-Options", "DENY"},
                                    {"Cross-Origin-Opener-Policy", "same-origin"},
                                    {"Cross-Origin-Resource-Policy", "same-origin"},
                                    {"Cache-Control", "no-store"}});
        server.set_payload_max_length(0);
        server.set_read_timeout(10);
        server.set_write_timeout(30);
        server.set_exception_handler(
            [this](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
                response.status = 500;
                response.set_content(json_error("internal error"), "application/json");
                count("error 500");
            });
        for (const StaticAsset& asset : assets) {
            const auto serve = [this, &asset](const httplib::Request&, httplib::Response& r) {
                r.set_content(asset.bytes.data(), asset.bytes.size(),
                              std::string(asset.content_type).c_str());
                count("static");
            };
            server.Get(std::string(asset.path), serve);
            if (asset.path == "/index.html") {
                server.Get("/", serve);
            }
        }
        using Q = const httplib::Request&;
        using A = httplib::Response&;
        server.Get("/api/meta", [this](Q, A r) { answer("meta", r, [&] { return api.meta(); }); });
        server.Get("/api/incidents", [this](Q q, A r) {
            answer("incidents", r, [&] { return api.incidents(q.params); });
        });
        server.Get("/api/hotspots", [this](Q q, A r) {
            answer("hotspots", r, [&] { return api.hotspots(q.params); });
        });
        server.Get("/api/network", [this](Q q, A r) {
            answer("network", r, [&] { return api.network(q.params); });
        });
        server.Get(R"(/api/child/([^/]{1,256}))", [this](Q q, A r) {
            answer("child", r, [&] { return api.child(q.matches[1].str(), q.params); });
        });
        server.Get(R"(/api/place/(p[0-9]{1,9}))", [this](Q q, A r) {
            answer("place", r, [&] { return api.place(q.matches[1].str(), q.params); });
        });
        server.Get(R"(/tiles/([0-9]{1,2})/([0-9]{1,8})/([0-9]{1,8}))", [this](Q q, A r) {
            std::optional<std::string> tile;
            if (tiles) {
                tile = tiles->tile(std::stoi(q.matches[1].str()), std::stoi(q.matches[2].str()),
                                   std::stoi(q.matches[3].str()));
            }
            if (!tile) {
                r.status = 404;
                r.set_content("no such tile\n", "text/plain; charset=utf-8");
                count("tiles 404");
                return;
            }
            r.set_content(*tile, tiles->content_type().c_str());
            count("tiles");
        });
        // Only for requests nothing answered (an unknown path): every other
        // refusal already says why.
        server.set_error_handler(httplib::Server::HandlerWithResponse([](Q q, A r) {
            if (!r.body.empty()) {
                return httplib::Server::HandlerResponse::Unhandled;
            }
            if (q.path.starts_with("/api/")) {
                r.set_content(json_error("no such request (docs/viewer.md lists the API)"),
                              "application/json; charset=utf-8");
            } else {
                r.set_content("not found\n", "text/plain; charset=utf-8");
            }
            return httplib::Server::HandlerResponse::Handled;
        }));
    }

    const ViewerApi& api;
    std::span<const StaticAsset> assets;
    ViewerServerOptions options;
    std::optional<TileSource> tiles;
    httplib::Server server;
    int port = 0;
    mutable std::mutex mutex;
    RequestCounts counts;
    double slots = 0; ///< the rate limit's bucket (take_request_slot)
    std::chrono::steady_clock::time_point last_refill = std::chrono::steady_clock::now();
};

ViewerServer::ViewerServer(const ViewerApi& api, std::span<const StaticAsset> assets,
                           ViewerServerOptions options)
    : m_state(std::make_unique<State>(api, assets, std::move(options))) {}

ViewerServer::~ViewerServer() = default;

int ViewerServer::bind() {
    State& s = *m_state;
    if (s.options.port == 0) {
        s.port = s.server.bind_to_any_port(s.options.bind);
        if (s.port < 0) {
            s.port = 0;
        }
    } else if (s.server.bind_to_port(s.options.bind, s.options.port)) {
        s.port = s.options.port;
    }
    if (s.port == 0) {
        throw IoError("cannot listen on " + s.host_for_url() + ":" +
                      std::to_string(s.options.port) +
                      " (is the port in use, or the address not this machine's?)");
    }
    s.routes();
    return s.port;
}

void ViewerServer::run() {
    if (!m_state->server.listen_after_bind()) {
        throw IoError("the server stopped unexpectedly on port " + std::to_string(m_state->port));
    }
}

void ViewerServer::stop() {
    m_state->server.stop();
}

std::string ViewerServer::url() const {
    return "http://" + m_state->host_for_url() + ":" + std::to_string(m_state->port) +
           "/?token=" + m_state->options.token;
}

RequestCounts ViewerServer::counts() const {
    const std::lock_guard lock(m_state->mutex);
    return m_state->counts;
}

} // namespace waymark
