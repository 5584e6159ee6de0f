// How fast the store takes records: an import writes every row inside one
// transaction with statements prepared once (ARCHITECTURE.md, performance
// habits). Results and the command that produced them: bench/RESULTS.md.

#include "engine/store/store.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

namespace {

using namespace std::chrono_literals;
namespace m = waymark::model;

std::string fresh_store() {
    const auto path = std::filesystem::temp_directory_path() / "waymark-bench.db";
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(path.string() + suffix);
    }
    waymark::store::create_or_upgrade_store(path.string(), 27700);
    return path.string();
}

m::Episode make_episode(std::int64_t i) {
    m::Episode e;
    e.episode_id = "E-" + std::to_string(i);
    e.child_id = "C-" + std::to_string(i % 3000);
    e.reported_at = m::Timestamp{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}} +
                    std::chrono::hours(i % 20000);
    e.returned_at = e.reported_at + 6h;
    e.age = 10 + static_cast<int>(i % 8);
    e.setting = m::Setting::home;
    e.risk_grade = m::RiskGrade::medium;
    const double x = 700000.0 + static_cast<double>(i % 5000);
    const double y = 300000.0 + static_cast<double>(i % 3000);
    e.from.x = x;
    e.from.y = y;
    e.from.resolved = m::ResolvedPoint{m::Resolution::coordinates, {x, y}, ""};
    e.missing_with = {"C-" + std::to_string((i + 1) % 3000)};
    return e;
}

// Episodes per second through ImportWriter, one import of state.range(0) rows.
void BM_ImportEpisodes(benchmark::State& state) {
    const std::int64_t rows = state.range(0);
    std::vector<m::Episode> episodes;
    for (std::int64_t i = 0; i < rows; ++i) {
        episodes.push_back(make_episode(i));
    }
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = fresh_store();
        auto store = waymark::store::open_store(path, waymark::store::Access::write);
        state.ResumeTiming();
        auto writer = store->begin_import({"episodes", "bench.csv", "", ""});
        for (const m::Episode& e : episodes) {
            writer->add(e);
        }
        writer->commit({.rows_read = rows, .rows_imported = rows});
    }
    state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_ImportEpisodes)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// `waymark status` on a store of state.range(0) episodes.
void BM_Status(benchmark::State& state) {
    const std::string path = fresh_store();
    {
        auto store = waymark::store::open_store(path, waymark::store::Access::write);
        auto writer = store->begin_import({"episodes", "bench.csv", "", ""});
        for (std::int64_t i = 0; i < state.range(0); ++i) {
            writer->add(make_episode(i));
        }
        writer->commit({});
    }
    auto store = waymark::store::open_store(path, waymark::store::Access::read);
    for (auto _ : state) {
        benchmark::DoNotOptimize(store->status());
    }
}
BENCHMARK(BM_Status)->Arg(100'000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
