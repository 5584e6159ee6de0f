// waymark serve: the web viewer on this machine (engine/viewer_server.hpp).

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/cli/progress.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/pg.hpp"
#include "engine/viewer_api.hpp"
#include "engine/viewer_server.hpp"
#include "graph/resolution.hpp"
#include "viewer/embedded.hpp"

#include <nlohmann/json.hpp>
#include <pthread.h>
#include <signal.h>

#include <ostream>
#include <thread>

namespace waymark::cli {
namespace {

struct ServeOptions {
    std::string profile;
    std::string bind = "127.0.0.1";
    int port = 0;
    std::string basemap_url;
    std::string basemap_attribution;
    std::string basemap_mbtiles;
    int network_limit = 300;
    bool exclude_weak = false;
    std::string overrides;
    std::uint64_t seed = 1;
    int threads = 0;
};

bool loopback(const std::string& address) {
    return address.starts_with("127.") || address == "::1";
}

// Stops the server on SIGINT or SIGTERM. The signals are blocked in every
// thread (the server's workers inherit the mask) and taken by one thread
// with sigwait, so that stopping happens in ordinary code, not in a handler.
class StopOnSignal {
public:
    explicit StopOnSignal(ViewerServer& server) {
        sigemptyset(&m_signals);
        sigaddset(&m_signals, SIGINT);
        sigaddset(&m_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &m_signals, &m_previous);
        m_waiter = std::thread([this, &server] {
            int signal = 0;
            sigwait(&m_signals, &signal);
            server.stop();
        });
    }

    ~StopOnSignal() {
        // If the server stopped on its own, wake the waiter.
        pthread_kill(m_waiter.native_handle(), SIGTERM);
        m_waiter.join();
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }

    StopOnSignal(const StopOnSignal&) = delete;
    StopOnSignal& operator=(const StopOnSignal&) = delete;

private:
    sigset_t m_signals{};
    sigset_t m_previous{};
    std::thread m_waiter;
};

class ServeCommand final : public Command {
public:
    ServeOptions options;

    void run(const Context& context) override {
        const Profile profile = parse_profile(options.profile); // before anything is read
        ViewerApiOptions api_options;
        api_options.network_limit = options.network_limit;
        api_options.network.include_weak = !options.exclude_weak;
        const auto overrides = overrides_path(options.overrides, context.options.db);
        if (!overrides.empty()) {
            api_options.network.overrides = graph::read_overrides(overrides.string());
        }
        // Gi*'s bins come from the analytic p-values (as Optimized Hot Spot
        // Analysis); the permutations only add gi_p_sim, and 99 of them keep
        // a fresh answer on the force world within a second or two.
        api_options.hotspots.permutations = 99;
        api_options.hotspots.seed = options.seed;
        api_options.hotspots.threads = options.threads;
        api_options.hotspots.time_zone = context.area.time_zone;
        api_options.hotspots.extent = context.area.extent;
        api_options.area_name = context.area.name;
        api_options.extent = context.area.extent;
        check_bind_address(options.bind);
        ViewerServerOptions server_options;
        server_options.bind = options.bind;
        server_options.port = options.port;
        if (!options.basemap_url.empty()) {
            server_options.basemap_origin = basemap_origin(options.basemap_url);
            api_options.basemap = {options.basemap_url, options.basemap_attribution, 18};
        }
        if (!options.basemap_mbtiles.empty()) {
            if (!options.basemap_url.empty()) {
                throw UsageError("give --basemap-url or --basemap-mbtiles, not both");
            }
            server_options.mbtiles = options.basemap_mbtiles;
            api_options.basemap = {"/tiles/{z}/{x}/{y}", options.basemap_attribution, 18};
        }

        const auto store = store::open_store(context.options.db, store::Access::write);
        const ProfileStage stage = make_profile_stage(*store, profile, context.area);
        std::unique_ptr<const ViewerApi> api;
        {
            ProgressBar bar(context.err, !context.options.quiet);
            bar.update("reading the store", 0.0);
            api = std::make_unique<const ViewerApi>(*store, stage, api_options);
        }

        std::vector<StaticAsset> assets;
        for (const viewer::EmbeddedFile& file : viewer::embedded_files()) {
            assets.push_back({file.path, file.content_type, file.bytes()});
        }
        ViewerServer server(*api, assets, server_options);
        const int port = server.bind();

        const std::string started_at = model::format_timestamp(model::now_utc());
        const nlohmann::json parameters = {{"bind", options.bind},
                                           {"port", port},
                                           {"basemap_url", options.basemap_url},
                                           {"basemap_mbtiles", options.basemap_mbtiles},
                                           {"network_limit", options.network_limit},
                                           {"exclude_weak", options.exclude_weak},
                                           {"overrides", overrides.string()}};
        const std::string profile_name(to_string(profile));
        store->record_analysis(
            {"serve", profile_name, started_at, parameters.dump(), R"({"session":"started"})"});

        std::ostream& out = context.out;
        out << "Waymark viewer (profile " << profile_name << ") on "
            << pg::without_password(context.options.db) << ".\n";
        if (!loopback(options.bind)) {
            out << "Warning: listening on " << options.bind
                << ", not loopback: anyone who can reach this machine and has the address "
                   "below can see what the "
                << profile_name << " profile shows.\n";
        }
        out << "Open this address in a browser on this machine (the token in it is this "
               "session's key; share it with no one):\n  "
            << server.url() << "\nPress Ctrl+C to stop.\n"
            << std::flush;
        {
            const StopOnSignal stop(server);
            server.run();
        }

        nlohmann::json requests = nlohmann::json::object();
        for (const auto& [what, count] : server.counts()) {
            requests[what] = count;
        }
        store->record_analysis(
            {"serve", profile_name, started_at, parameters.dump(),
             nlohmann::json{{"session", "ended"}, {"requests", requests}}.dump()});
        if (!context.options.quiet) {
            context.err << "Stopped; the session and its request counts are in the audit log.\n";
        }
    }
};

} // namespace

std::unique_ptr<Command> make_serve_command(CLI::App& sub) {
    auto command = std::make_unique<ServeCommand>();
    auto& o = command->options;
    sub.add_option("--profile", o.profile,
                   "Who is looking: analyst (everything), panel (pseudonyms, homes and "
                   "restricted places snapped, restricted intelligence withheld) or partnership "
                   "(suppressed cell counts only)")
        ->required()
        ->type_name("PROFILE");
    sub.add_option("--port", o.port, "Port to listen on (0: any free port)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    sub.add_option("--bind", o.bind,
                   "Address to listen on; anything but loopback lets other machines connect")
        ->capture_default_str()
        ->type_name("ADDRESS");
    sub.add_option("--basemap-url", o.basemap_url,
                   "A tile server on your network, as an XYZ template such as "
                   "http://tiles.force.local/{z}/{x}/{y}.png (default: no basemap)")
        ->type_name("URL");
    sub.add_option("--basemap-mbtiles", o.basemap_mbtiles,
                   "A raster MBTiles file to serve as the basemap (default: no basemap)")
        ->check(CLI::ExistingFile)
        ->type_name("FILE");
    sub.add_option("--basemap-attribution", o.basemap_attribution,
                   "Credit shown in the map's corner for the basemap")
        ->type_name("TEXT");
    sub.add_option("--network-limit", o.network_limit,
                   "Most entities drawn in the network panel at once")
        ->check(CLI::Range(10, 5000))
        ->capture_default_str();
    add_network_evidence_options(sub, o.exclude_weak, o.overrides);
    sub.add_option("--seed", o.seed, "Seed of the Gi* permutations")->capture_default_str();
    add_threads_option(sub, o.threads);
    return command;
}

} // namespace waymark::cli
