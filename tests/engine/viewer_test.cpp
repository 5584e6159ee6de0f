// The viewer's API and server (issue 8): answers checked against counts made
// here straight from the store, the profiles' rules, and the server's gate
// (token, Host, methods, headers) through a real HTTP client. The page itself
// is tested in Chromium by tests/viewer/viewer.test.mjs.

#include "base/error.hpp"
#include "data/synth/world.hpp"
#include "engine/profile_stage.hpp"
#include "engine/settings.hpp"
#include "engine/viewer_api.hpp"
#include "engine/viewer_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/world_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <set>
#include <thread>

namespace waymark {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using waymark::testing::TempDir;

class ViewerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir = std::make_unique<TempDir>();
        db = dir->file("viewer.db");
        testing::import_synthetic_world({synth::Scale::small, 8}, dir->path(), db);
        store = store::open_store(db, store::Access::read);
        for (const Profile profile : {Profile::analyst, Profile::panel, Profile::partnership}) {
            stages.emplace(profile, make_profile_stage(*store, profile, AreaSettings{}));
        }
        ViewerApiOptions options;
        options.hotspots.permutations = 99;
        for (const Profile profile : {Profile::analyst, Profile::panel, Profile::partnership}) {
            apis.emplace(profile, std::make_unique<ViewerApi>(*store, stages.at(profile), options));
        }
        store->for_each_incident([](const store::Incident& incident) { raw.push_back(incident); });
    }

    static void TearDownTestSuite() {
        apis.clear();
        stages.clear();
        store.reset();
        dir.reset();
        raw.clear();
    }

    static const ViewerApi& api(Profile profile) { return *apis.at(profile); }

    static json call(const std::string& text) { return json::parse(text); }

    // The status of the ApiError a call throws (0: none).
    template <typename Call>
    static int status_of(Call call) {
        try {
            call();
        } catch (const ApiError& error) {
            return error.status();
        }
        return 0;
    }

    // Counted here from the store's incidents, not with the API's code.
    static std::int64_t count_raw(const std::string& since, const std::string& until,
                                  const std::string& role = "") {
        std::int64_t n = 0;
        for (const store::Incident& incident : raw) {
            const std::string day = incident.at.substr(0, 10);
            if ((since.empty() || day >= since) && (until.empty() || day <= until) &&
                (role.empty() || incident.role == role)) {
                ++n;
            }
        }
        return n;
    }

    static std::unique_ptr<TempDir> dir;
    static std::string db;
    static std::unique_ptr<store::Store> store;
    static std::map<Profile, ProfileStage> stages;
    static std::map<Profile, std::unique_ptr<ViewerApi>> apis;
    static std::vector<store::Incident> raw;
};

std::unique_ptr<TempDir> ViewerTest::dir;
std::string ViewerTest::db;
std::unique_ptr<store::Store> ViewerTest::store;
std::map<Profile, ProfileStage> ViewerTest::stages;
std::map<Profile, std::unique_ptr<ViewerApi>> ViewerTest::apis;
std::vector<store::Incident> ViewerTest::raw;

// ---- Query parsing ---------------------------------------------------------------------

TEST(ViewerQuery, ParsesEveryFilter) {
    const ViewerQuery q = parse_viewer_query({{"since", "2024-01-01"},
                                              {"until", "2024-06-30"},
                                              {"setting", "home,foster_care"},
                                              {"risk", "high"},
                                              {"role", "found,from"},
                                              {"looked_after", "yes"},
                                              {"indicator", "cse"}});
    EXPECT_EQ(q.filter.since, "2024-01-01");
    EXPECT_EQ(q.filter.until, "2024-06-30");
    EXPECT_EQ(q.filter.settings, (std::vector<std::string>{"foster_care", "home"}));
    EXPECT_EQ(q.filter.risk_grades, std::vector<std::string>{"high"});
    EXPECT_EQ(q.roles, (std::vector<std::string>{"found", "from"}));
    EXPECT_EQ(q.filter.looked_after, std::optional<bool>(true));
    EXPECT_TRUE(q.filter.cse);
    EXPECT_FALSE(q.filter.cce);
    // The same selection in another order is the same cache key.
    EXPECT_EQ(q.key(), parse_viewer_query({{"role", "from,found"},
                                           {"setting", "foster_care,home"},
                                           {"since", "2024-01-01"},
                                           {"until", "2024-06-30"},
                                           {"risk", "high"},
                                           {"indicator", "cse"},
                                           {"looked_after", "yes"}})
                           .key());
}

TEST(ViewerQuery, RefusesMalformedValuesWithoutQuotingThem) {
    const std::vector<QueryParameters> bad = {
        {{"since", "2024-02-30"}},
        {{"since", "yesterday"}},
        {{"until", "2024-1-1"}},
        {{"since", "2024-05-01"}, {"until", "2024-04-01"}},
        {{"setting", "<script>"}},
        {{"role", "from,elsewhere"}},
        {{"indicator", "gang"}},
        {{"looked_after", "maybe"}},
        {{"colour", "red"}},
        {{"since", "2024-01-01"}, {"since", "2024-02-01"}},
        {{"risk", std::string(2000, 'a')}},
    };
    for (const QueryParameters& parameters : bad) {
        try {
            parse_viewer_query(parameters);
            ADD_FAILURE() << "accepted " << parameters.begin()->first << "="
                          << parameters.begin()->second;
        } catch (const ApiError& error) {
            EXPECT_EQ(error.status(), 400);
            EXPECT_THAT(error.what(), Not(HasSubstr("<script>")));
            EXPECT_THAT(error.what(), Not(HasSubstr("elsewhere")));
        }
    }
    EXPECT_NO_THROW(parse_viewer_query({{"focus", "x"}}, {"focus"}));
}

// ---- Answers ---------------------------------------------------------------------------

TEST_F(ViewerTest, MetaDescribesTheStore) {
    const json meta = call(api(Profile::analyst).meta());
    EXPECT_EQ(meta["profile"], "analyst");
    EXPECT_EQ(meta["totals"]["incidents"], static_cast<std::int64_t>(raw.size()));
    EXPECT_LE(meta["window"]["first"].get<std::string>(),
              meta["window"]["last"].get<std::string>());
    EXPECT_FALSE(meta["settings"].empty());
    EXPECT_FALSE(meta["risk_grades"].empty());
    EXPECT_EQ(meta["outline"]["type"], "Polygon");
    EXPECT_TRUE(meta["network"].get<bool>());
    EXPECT_FALSE(meta["disruption"].get<bool>());
    // The bounds hold the sample town (West Yorkshire in the synthetic world).
    const json& b = meta["bounds"];
    EXPECT_LT(b[0][0].get<double>(), b[1][0].get<double>());
    EXPECT_GT(b[0][0].get<double>(), 49.0);
    EXPECT_LT(b[1][0].get<double>(), 61.0);
}

TEST_F(ViewerTest, IncidentCountsEqualTheStoresForEveryWindow) {
    const json all = call(api(Profile::analyst).incidents({}));
    EXPECT_EQ(all["incidents"], static_cast<std::int64_t>(raw.size()));
    std::int64_t by_sites = 0;
    for (const json& site : all["sites"]) {
        by_sites += site["incidents"].get<std::int64_t>();
    }
    EXPECT_EQ(by_sites, all["incidents"].get<std::int64_t>());
    for (const std::string role : {"from", "found", "visited", "concern"}) {
        EXPECT_EQ(all["by_role"][role]["incidents"], count_raw("", "", role)) << role;
    }
    const json meta = call(api(Profile::analyst).meta());
    const std::string first = meta["window"]["first"];
    const int year = std::stoi(first.substr(0, 4));
    const std::string since = std::to_string(year + 1) + "-01-01";
    const std::string until = std::to_string(year + 1) + "-06-30";
    const json window = call(api(Profile::analyst).incidents({{"since", since}, {"until", until}}));
    EXPECT_EQ(window["incidents"], count_raw(since, until));
    EXPECT_GT(window["incidents"].get<std::int64_t>(), 0);
    EXPECT_LT(window["incidents"].get<std::int64_t>(), all["incidents"].get<std::int64_t>());
    const json found = call(api(Profile::analyst).incidents({{"role", "found"}}));
    EXPECT_EQ(found["incidents"], count_raw("", "", "found"));
}

TEST_F(ViewerTest, HotspotsHoldClustersGistarAndADensitySurface) {
    const std::string text = api(Profile::analyst).hotspots({{"role", "from"}});
    const json h = call(text);
    EXPECT_EQ(h["role"], "from");
    EXPECT_EQ(h["incidents"], count_raw("", "", "from"));
    ASSERT_FALSE(h["gistar"]["features"].empty()) << h["notes"].dump();
    for (const json& cell : h["gistar"]["features"]) {
        EXPECT_EQ(cell["geometry"]["type"], "Polygon");
        const int bin = cell["properties"]["bin"];
        EXPECT_GE(bin, -3);
        EXPECT_LE(bin, 3);
    }
    EXPECT_FALSE(h["clusters"]["features"].empty());
    const json& d = h["density"];
    ASSERT_TRUE(d.is_object());
    EXPECT_EQ(d["values"].size(), d["width"].get<std::size_t>() * d["height"].get<std::size_t>());
    int largest = 0;
    for (const json& v : d["values"]) {
        largest = std::max(largest, v.get<int>());
        EXPECT_GE(v.get<int>(), 0);
    }
    EXPECT_EQ(largest, 255);
    EXPECT_GT(d["max"].get<double>(), 0);
    // The image is north-up in WGS 84: its hottest cell lies within a few
    // cells of the place with the most incidents of the role.
    const json sites = call(api(Profile::analyst).incidents({{"role", "from"}}))["sites"];
    const double south = d["bounds"][0][0], west = d["bounds"][0][1];
    const double north = d["bounds"][1][0], east = d["bounds"][1][1];
    const int width = d["width"], height = d["height"];
    std::size_t hottest = 0;
    for (std::size_t i = 0; i < d["values"].size(); ++i) {
        if (d["values"][i].get<int>() > d["values"][hottest].get<int>()) {
            hottest = i;
        }
    }
    const double hot_lat =
        north - (static_cast<double>(hottest / width) + 0.5) * (north - south) / height;
    const double hot_lon =
        west + (static_cast<double>(hottest % width) + 0.5) * (east - west) / width;
    const double cell_lat = (north - south) / height, cell_lon = (east - west) / width;
    EXPECT_NEAR(hot_lat, sites[0]["lat"].get<double>(), 4 * cell_lat);
    EXPECT_NEAR(hot_lon, sites[0]["lon"].get<double>(), 4 * cell_lon);
    // Cached: the same query gives the same bytes.
    EXPECT_EQ(api(Profile::analyst).hotspots({{"role", "from"}}), text);
    EXPECT_EQ(status_of([] { api(Profile::analyst).hotspots({{"role", "everywhere"}}); }), 400);
    const json all = call(api(Profile::analyst).hotspots({{"role", "all"}}));
    EXPECT_EQ(all["incidents"], static_cast<std::int64_t>(raw.size()));
    EXPECT_FALSE(all["gistar"]["features"].empty());
}

TEST_F(ViewerTest, NetworkIsCappedAndEgoNetworksHoldTheirCentre) {
    const json top = call(api(Profile::analyst).network({{"limit", "50"}}));
    EXPECT_EQ(top["nodes"].size(), 50U);
    EXPECT_TRUE(top["truncated"].get<bool>());
    std::set<std::string> ids;
    for (const json& node : top["nodes"]) {
        ids.insert(node["id"].get<std::string>());
    }
    for (const json& link : top["links"]) {
        EXPECT_TRUE(ids.contains(link["source"].get<std::string>()));
        EXPECT_TRUE(ids.contains(link["target"].get<std::string>()));
    }
    // Heaviest first.
    for (std::size_t i = 1; i < top["nodes"].size(); ++i) {
        EXPECT_GE(top["nodes"][i - 1]["weighted_degree"].get<double>(),
                  top["nodes"][i]["weighted_degree"].get<double>());
    }
    const std::string centre = top["nodes"][0]["id"];
    const json ego = call(api(Profile::analyst).network({{"focus", centre}, {"hops", "1"}}));
    EXPECT_EQ(ego["nodes"][0]["id"], centre);
    EXPECT_EQ(ego["nodes"].size(), static_cast<std::size_t>(top["nodes"][0]["degree"]) + 1);
    EXPECT_FALSE(ego["truncated"].get<bool>());
    const json cut = call(api(Profile::analyst).network({{"focus", centre}, {"limit", "3"}}));
    EXPECT_EQ(cut["nodes"].size(), 3U);
    EXPECT_TRUE(cut["truncated"].get<bool>());
    EXPECT_EQ(status_of([] { api(Profile::analyst).network({{"focus", "nobody"}}); }), 404);
    EXPECT_EQ(status_of([] { api(Profile::analyst).network({{"limit", "0"}}); }), 400);
}

TEST_F(ViewerTest, ChildViewHoldsEveryEpisodeOfTheChild) {
    // The child with the most episodes, counted here.
    std::map<std::string, std::set<std::string>> episodes;
    for (const store::Incident& incident : raw) {
        if (!incident.child_id.empty() && incident.role == "from") {
            episodes[incident.child_id].insert(incident.episode_id);
        }
    }
    const auto most = std::max_element(episodes.begin(), episodes.end(), [](auto& a, auto& b) {
        return a.second.size() < b.second.size();
    });
    const json child = call(api(Profile::analyst).child(most->first, {}));
    EXPECT_EQ(child["id"], most->first);
    EXPECT_EQ(child["episodes"].size(), most->second.size());
    for (const json& episode : child["episodes"]) {
        EXPECT_TRUE(most->second.contains(episode["episode"].get<std::string>()));
        EXPECT_TRUE(episode["from"].is_object());
    }
    EXPECT_FALSE(child["places"].empty());
    EXPECT_EQ(child["network"]["focus"], most->first);
    EXPECT_EQ(status_of([] { api(Profile::analyst).child("no-such-child", {}); }), 404);
}

TEST_F(ViewerTest, PlaceViewCountsEveryIncidentAtThePlace) {
    const json all = call(api(Profile::analyst).incidents({}));
    const json& busiest = all["sites"][0];
    std::int64_t expected = 0;
    for (const json& site : all["sites"]) {
        if (site["place"] == busiest["place"]) {
            expected += site["incidents"].get<std::int64_t>();
        }
    }
    const json place = call(api(Profile::analyst).place(busiest["place"].get<std::string>(), {}));
    EXPECT_EQ(place["total"], expected);
    EXPECT_EQ(place["lat"], busiest["lat"]);
    EXPECT_FALSE(place["children"].empty());
    EXPECT_EQ(status_of([] { api(Profile::analyst).place("p999999", {}); }), 404);
}

TEST_F(ViewerTest, PanelAnswersHoldNoSourceIdAndNoHomeLabel) {
    std::set<std::string> source_ids;
    for (const store::Incident& incident : raw) {
        if (!incident.child_id.empty()) {
            source_ids.insert("\"" + incident.child_id + "\"");
        }
        source_ids.insert("\"" + incident.record_id + "\"");
    }
    const ViewerApi& panel = api(Profile::panel);
    const std::string incidents = panel.incidents({});
    const std::string network = panel.network({});
    const json sites = call(incidents)["sites"];
    const std::string place = panel.place(sites[0]["place"].get<std::string>(), {});
    for (const std::string* text : {&incidents, &network, &place}) {
        for (const std::string& id : source_ids) {
            ASSERT_THAT(*text, Not(HasSubstr(id)));
        }
    }
    const json nodes = call(network)["nodes"]; // kept: a loop over a temporary's part dangles
    for (const json& node : nodes) {
        if (node["kind"] == "child") {
            EXPECT_EQ(node["id"].get<std::string>().substr(0, 3), "ps-");
        }
    }
    // Every home is at a cell centre with its label withheld.
    for (const json& site : sites) {
        if (site["type"] == "home") {
            EXPECT_THAT(site["label"].get<std::string>(), HasSubstr("home or restricted place"));
        }
    }
    EXPECT_EQ(call(panel.meta())["profile"], "panel");
}

TEST_F(ViewerTest, PartnershipGetsWholeStoreCellCountsOnly) {
    const ViewerApi& partnership = api(Profile::partnership);
    EXPECT_EQ(status_of([&] { partnership.incidents({}); }), 403);
    EXPECT_EQ(status_of([&] { partnership.network({}); }), 403);
    EXPECT_EQ(status_of([&] { partnership.child("x", {}); }), 403);
    EXPECT_EQ(status_of([&] { partnership.place("p0", {}); }), 403);
    // A filter would let two answers be subtracted.
    EXPECT_EQ(status_of([&] {
                  partnership.hotspots({{"role", "from"}, {"since", "2024-01-01"}});
              }),
              400);
    EXPECT_EQ(status_of([&] { partnership.hotspots({{"role", "all"}}); }), 400);
    const json h = call(partnership.hotspots({{"role", "from"}}));
    ASSERT_FALSE(h["cells"]["features"].empty());
    const int k = call(partnership.meta())["suppression_k"];
    std::int64_t suppressed = 0;
    for (const json& cell : h["cells"]["features"]) {
        const json& children = cell["properties"]["children"];
        if (children.is_null()) {
            ++suppressed;
        } else {
            EXPECT_GE(children.get<int>(), k);
        }
    }
    EXPECT_NE(suppressed, 1);
    EXPECT_TRUE(h["gistar"]["features"].empty());
    const json meta = call(partnership.meta());
    EXPECT_FALSE(meta["network"].get<bool>());
    EXPECT_FALSE(meta["points"].get<bool>());
}

// ---- The server --------------------------------------------------------------------------

class ViewerServerTest : public ViewerTest {
protected:
    void SetUp() override {
        assets = {{"/index.html", "text/html; charset=utf-8", "<!doctype html><title>t</title>"},
                  {"/app.js", "text/javascript; charset=utf-8", "console.log(1)"}};
        ViewerServerOptions options;
        options.token = "secret-token-0123456789";
        server = std::make_unique<ViewerServer>(api(Profile::analyst), assets, options);
        port = server->bind();
        thread = std::thread([this] { server->run(); });
        client = std::make_unique<httplib::Client>("127.0.0.1", port);
        // The default Host header is 127.0.0.1:port, as a browser sends it.
    }

    void TearDown() override {
        server->stop();
        thread.join();
    }

    httplib::Headers token() const { return {{"X-Waymark-Token", "secret-token-0123456789"}}; }

    std::vector<StaticAsset> assets;
    std::unique_ptr<ViewerServer> server;
    int port = 0;
    std::thread thread;
    std::unique_ptr<httplib::Client> client;
};

TEST_F(ViewerServerTest, EveryRequestNeedsTheToken) {
    for (const std::string path : {"/", "/app.js", "/api/meta", "/api/incidents", "/nothing"}) {
        const auto refused = client->Get(path);
        ASSERT_TRUE(refused) << path;
        EXPECT_EQ(refused->status, 401) << path;
        const auto wrong = client->Get(path, {{"X-Waymark-Token", "secret-token-0123456788"}});
        EXPECT_EQ(wrong->status, 401) << path;
    }
    const auto meta = client->Get("/api/meta", token());
    ASSERT_TRUE(meta);
    EXPECT_EQ(meta->status, 200);
    EXPECT_EQ(json::parse(meta->body)["profile"], "analyst");
    EXPECT_THAT(server->url(), HasSubstr("http://127.0.0.1:" + std::to_string(port) +
                                         "/?token=secret-token-0123456789"));
}

TEST_F(ViewerServerTest, TheLandingUrlSetsAStrictCookieAndLeavesTheAddressBar) {
    const auto landing = client->Get("/?token=secret-token-0123456789");
    ASSERT_TRUE(landing);
    EXPECT_EQ(landing->status, 303);
    EXPECT_EQ(landing->get_header_value("Location"), "/");
    const std::string cookie = landing->get_header_value("Set-Cookie");
    EXPECT_THAT(cookie, HasSubstr("waymark_" + std::to_string(port) + "=secret-token-0123456789"));
    EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
    EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
    const auto page = client->Get(
        "/", {{"Cookie", "other=1; waymark_" + std::to_string(port) + "=secret-token-0123456789"}});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_THAT(page->body, HasSubstr("<title>t</title>"));
    EXPECT_EQ(client->Get("/?token=wrong")->status, 401);
}

TEST_F(ViewerServerTest, SendsTheSecurityHeaders) {
    const auto page = client->Get("/index.html", token());
    ASSERT_TRUE(page);
    const std::string csp = page->get_header_value("Content-Security-Policy");
    EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
    EXPECT_THAT(csp, HasSubstr("script-src 'self'"));
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
    EXPECT_THAT(csp, Not(HasSubstr("unsafe")));
    EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(page->get_header_value("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(page->get_header_value("Cache-Control"), "no-store");
    EXPECT_EQ(page->get_header_value("Access-Control-Allow-Origin"), "");
    // Refusals carry them too.
    EXPECT_THAT(client->Get("/")->get_header_value("Content-Security-Policy"),
                HasSubstr("default-src 'none'"));
}

TEST_F(ViewerServerTest, RefusesOtherHostsMethodsAndPaths) {
    httplib::Headers rebound = token();
    rebound.emplace("Host", "attacker.example:" + std::to_string(port));
    EXPECT_EQ(client->Get("/api/meta", rebound)->status, 403);
    EXPECT_EQ(client->Post("/api/meta", token(), "x", "text/plain")->status, 405);
    EXPECT_EQ(client->Delete("/api/meta", token())->status, 405);
    for (const std::string path : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                   "/viewer/src/main.js", "/api/nothing", "/tiles/1/0/0"}) {
        const auto response = client->Get(path, token());
        ASSERT_TRUE(response) << path;
        EXPECT_EQ(response->status, 404) << path;
        EXPECT_THAT(response->body, Not(HasSubstr("root:")));
    }
    // An error never echoes what was asked.
    const auto child = client->Get("/api/child/%3Cscript%3Ealert(1)", token());
    EXPECT_EQ(child->status, 404);
    EXPECT_THAT(child->body, Not(HasSubstr("script")));
    const auto bad = client->Get("/api/incidents?setting=%3Cb%3E", token());
    EXPECT_EQ(bad->status, 400);
    EXPECT_THAT(bad->body, Not(HasSubstr("<b>")));
    EXPECT_THAT(json::parse(bad->body)["error"].get<std::string>(), HasSubstr("setting"));
}

TEST_F(ViewerServerTest, RefusesOverlongRequests) {
    // Over our limit (4096 bytes): 414 before anything else is looked at.
    const auto longer = client->Get("/api/incidents?setting=" + std::string(5000, 'a'), token());
    ASSERT_TRUE(longer);
    EXPECT_EQ(longer->status, 414);
    EXPECT_THAT(longer->body, Not(HasSubstr("aaaa")));
    // Over cpp-httplib's own (8192): refused by it, the connection still answered.
    const auto longest = client->Get("/api/incidents?setting=" + std::string(9000, 'a'), token());
    ASSERT_TRUE(longest);
    EXPECT_EQ(longest->status, 414);
    // A body is never answered (GET and HEAD only; payload limit 0).
    EXPECT_THAT(client->Post("/api/meta", token(), std::string(100000, 'x'), "text/plain")->status,
                ::testing::AnyOf(405, 413));
    EXPECT_EQ(client->Get("/api/meta", token())->status, 200);
}

// The rate limit holds for every request, before the token is looked at, so
// that a script guessing tokens is held back too; it refills with time.
TEST_F(ViewerTest, RateLimitsRequestsBeforeCheckingTheToken) {
    ViewerServerOptions options;
    options.token = "secret-token-0123456789";
    options.requests_per_second = 4;
    options.burst = 5;
    ViewerServer server(api(Profile::analyst), {}, options);
    const int port = server.bind();
    std::thread thread([&server] { server.run(); });
    httplib::Client client("127.0.0.1", port);
    std::map<int, int> statuses;
    for (int i = 0; i < 20; ++i) {
        const auto guess =
            client.Get("/api/meta", {{"X-Waymark-Token", "guess" + std::to_string(i)}});
        ASSERT_TRUE(guess);
        ++statuses[guess->status];
        if (guess->status == 429) {
            EXPECT_EQ(guess->get_header_value("Retry-After"), "1");
        }
    }
    EXPECT_GE(statuses[429], 10); // 5 at once, then 4 a second
    EXPECT_LE(statuses[401], 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    const auto later = client.Get("/api/meta", {{"X-Waymark-Token", "secret-token-0123456789"}});
    ASSERT_TRUE(later);
    EXPECT_EQ(later->status, 200);
    server.stop();
    thread.join();
    EXPECT_GE(server.counts().at("refused: rate"), 10);
}

TEST_F(ViewerTest, ServesMBTilesByNumberFlippingRows) {
    // A real MBTiles file: one PNG-typed tile at z=1, x=1, XYZ row 0 (TMS row 1).
    const std::string path = dir->file("basemap.mbtiles");
    {
        sqlite3* tiles = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &tiles), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(tiles,
                               "CREATE TABLE metadata (name TEXT, value TEXT);"
                               "INSERT INTO metadata VALUES ('format', 'png');"
                               "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                               "tile_row INTEGER, tile_data BLOB);"
                               "INSERT INTO tiles VALUES (1, 1, 1, X'89504E470D0A1A0A00');",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(tiles);
    }
    ViewerServerOptions options;
    options.token = "tile-token";
    options.mbtiles = path;
    ViewerServer server(api(Profile::analyst), {}, options);
    const int port = server.bind();
    std::thread thread([&] { server.run(); });
    httplib::Client client("127.0.0.1", port);
    const httplib::Headers token = {{"X-Waymark-Token", "tile-token"}};
    const auto tile = client.Get("/tiles/1/1/0", token);
    ASSERT_TRUE(tile);
    EXPECT_EQ(tile->status, 200);
    EXPECT_EQ(tile->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(tile->body, std::string("\x89PNG\r\n\x1a\n\0", 9));
    EXPECT_EQ(client.Get("/tiles/1/1/1", token)->status, 404);
    EXPECT_EQ(client.Get("/tiles/1/2/0", token)->status, 404); // outside zoom 1
    EXPECT_EQ(client.Get("/tiles/1/1/0")->status, 401);
    server.stop();
    thread.join();
}

TEST_F(ViewerTest, RefusesVectorMBTiles) {
    const std::string path = dir->file("vector.mbtiles");
    sqlite3* tiles = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &tiles), SQLITE_OK);
    sqlite3_exec(tiles,
                 "CREATE TABLE metadata (name TEXT, value TEXT);"
                 "INSERT INTO metadata VALUES ('format', 'pbf');",
                 nullptr, nullptr, nullptr);
    sqlite3_close(tiles);
    ViewerServerOptions options;
    options.mbtiles = path;
    try {
        ViewerServer server(api(Profile::analyst), {}, options);
        ADD_FAILURE() << "accepted vector tiles";
    } catch (const IoError& error) {
        EXPECT_THAT(error.what(), HasSubstr("raster tiles only"));
    }
}

TEST(ViewerBasemap, OriginOfATemplate) {
    EXPECT_EQ(basemap_origin("https://tiles.force.local:8443/osm/{z}/{x}/{y}.png"),
              "https://tiles.force.local:8443");
    EXPECT_THROW(basemap_origin("ftp://tiles/{z}/{x}/{y}"), UsageError);
    EXPECT_THROW(basemap_origin("https://tiles.local/{z}/{x}.png"), UsageError);
    EXPECT_THROW(basemap_origin("https://a.b'; script-src *;/{z}/{x}/{y}"), UsageError);
}

} // namespace
} // namespace waymark
