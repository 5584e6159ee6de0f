// How long `waymark synth` takes at each scale: building the world and
// writing every file (the national scale must take under a minute on the
// 2-core machine). Results: bench/RESULTS.md.

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>

namespace {

namespace synth = waymark::synth;

void BM_Synth(benchmark::State& state) {
    const auto scale = static_cast<synth::Scale>(state.range(0));
    const auto out = std::filesystem::temp_directory_path() / "waymark-bench-synth";
    std::int64_t episodes = 0;
    for (auto _ : state) {
        const synth::World world = synth::build_world({.scale = scale, .seed = 1});
        const auto summary = synth::write_world(world, out);
        episodes = summary.episodes;
    }
    std::filesystem::remove_all(out);
    state.SetLabel(std::string(synth::to_string(scale)));
    state.counters["episodes"] = static_cast<double>(episodes);
    state.SetItemsProcessed(state.iterations() * episodes);
}
BENCHMARK(BM_Synth)
    ->Arg(static_cast<int>(synth::Scale::small))
    ->Arg(static_cast<int>(synth::Scale::force))
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Synth)
    ->Name("BM_Synth/national")
    ->Arg(static_cast<int>(synth::Scale::national))
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

// Building the world alone (no files), to see where the time goes.
void BM_BuildWorld(benchmark::State& state) {
    const auto scale = static_cast<synth::Scale>(state.range(0));
    for (auto _ : state) {
        benchmark::DoNotOptimize(synth::build_world({.scale = scale, .seed = 1}));
    }
}
BENCHMARK(BM_BuildWorld)->Arg(static_cast<int>(synth::Scale::force))->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
