// How quickly the viewer's API answers on the force world (issue 8: "stays
// responsive with the force world"): the start-up read, the incidents of the
// whole store and of one year, a hotspot answer computed afresh (clusters,
// Gi* with 999 permutations, density), the network's top 300 built afresh for
// a date range, and a place view. Each is what one click or one slider move
// costs the server before the browser draws. Results: bench/RESULTS.md.

#include "bench/force_store.hpp"
#include "engine/profile_stage.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"
#include "engine/viewer_api.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace {

using namespace waymark;

const std::string& force_store() {
    static const std::string db = waymark::bench::import_force_world("waymark-bench-viewer");
    return db;
}

// One API over the force world, made once; caches of one entry, so that
// alternating two queries measures the work, not the cache.
struct Fixture {
    std::unique_ptr<store::Store> store = store::open_store(force_store(), store::Access::read);
    ProfileStage stage = make_profile_stage(*store, Profile::panel, AreaSettings{});
    std::unique_ptr<ViewerApi> api = [this] {
        ViewerApiOptions options;
        options.cache_entries = 1;
        return std::make_unique<ViewerApi>(*store, stage, options);
    }();
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void BM_ViewerStart(benchmark::State& state) {
    const auto store = store::open_store(force_store(), store::Access::read);
    const ProfileStage stage = make_profile_stage(*store, Profile::panel, AreaSettings{});
    for (auto _ : state) {
        const ViewerApi api(*store, stage, {});
        benchmark::DoNotOptimize(api.meta());
    }
}
BENCHMARK(BM_ViewerStart)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_ViewerIncidentsAll(benchmark::State& state) {
    Fixture& f = fixture();
    std::size_t bytes = 0;
    for (auto _ : state) {
        bytes = f.api->incidents({}).size();
    }
    state.counters["answer_kB"] = static_cast<double>(bytes) / 1e3;
}
BENCHMARK(BM_ViewerIncidentsAll)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ViewerIncidentsYear(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string first =
        nlohmann::json::parse(f.api->meta())["window"]["first"].get<std::string>();
    const std::string year = std::to_string(std::stoi(first.substr(0, 4)) + 1);
    for (auto _ : state) {
        benchmark::DoNotOptimize(
            f.api->incidents({{"since", year + "-01-01"}, {"until", year + "-12-31"}}));
    }
}
BENCHMARK(BM_ViewerIncidentsYear)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ViewerHotspotsFresh(benchmark::State& state) {
    Fixture& f = fixture();
    bool found = false;
    for (auto _ : state) {
        // Alternating roles: the one-entry cache never answers.
        benchmark::DoNotOptimize(f.api->hotspots({{"role", found ? "found" : "from"}}));
        found = !found;
    }
}
BENCHMARK(BM_ViewerHotspotsFresh)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(6);

void BM_ViewerNetworkFresh(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string first =
        nlohmann::json::parse(f.api->meta())["window"]["first"].get<std::string>();
    bool later = false;
    for (auto _ : state) {
        benchmark::DoNotOptimize(f.api->network({{"since", later ? "2000-01-02" : first}}));
        later = !later;
    }
}
BENCHMARK(BM_ViewerNetworkFresh)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(6);

void BM_ViewerPlace(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string busiest =
        nlohmann::json::parse(f.api->incidents({}))["sites"][0]["place"].get<std::string>();
    for (auto _ : state) {
        benchmark::DoNotOptimize(f.api->place(busiest, {}));
    }
}
BENCHMARK(BM_ViewerPlace)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
