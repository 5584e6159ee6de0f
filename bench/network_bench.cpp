// How long `waymark network` takes to build the network of the force world
// from the store (issue 6 target: under 2 s), in its three stages: reading the
// evidence, building entities and links (entity resolution included), and the
// measures. Results and the commands that produced them: bench/RESULTS.md.
//
// The force world (seed 7) is written and imported once into a store under
// the temporary directory.

#include "bench/force_store.hpp"
#include "engine/network.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

namespace {

using namespace waymark;

const std::string& force_store() {
    static const std::string db = waymark::bench::import_force_world("waymark-bench-network");
    return db;
}

void BM_NetworkEvidence(benchmark::State& state) {
    const auto store = store::open_store(force_store(), store::Access::read);
    for (auto _ : state) {
        benchmark::DoNotOptimize(store->network_evidence());
    }
}
BENCHMARK(BM_NetworkEvidence)->Unit(benchmark::kMillisecond)->UseRealTime();

// The "building the network from the store": evidence and build.
void BM_NetworkBuildFromStore(benchmark::State& state) {
    const auto store = store::open_store(force_store(), store::Access::read);
    std::size_t entities = 0, links = 0;
    for (auto _ : state) {
        const Network net = build_network(store->network_evidence(), {});
        entities = net.entities.size();
        links = net.links.size();
    }
    state.counters["entities"] = static_cast<double>(entities);
    state.counters["links"] = static_cast<double>(links);
}
BENCHMARK(BM_NetworkBuildFromStore)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NetworkMeasures(benchmark::State& state) {
    const auto store = store::open_store(force_store(), store::Access::read);
    const Network net = build_network(store->network_evidence(), {});
    for (auto _ : state) {
        benchmark::DoNotOptimize(measure_network(net, {}));
    }
}
BENCHMARK(BM_NetworkMeasures)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
