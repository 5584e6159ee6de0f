// Issue 11: the force world (seed 7) imported, and exported in full (the
// analyst bundle: hotspots, network, every layer), on SpatiaLite and on
// PostGIS, side by side in one run. The target is PostGIS within 2× of
// SpatiaLite (bench/RESULTS.md).
//
// PostGIS needs a server: WAYMARK_BENCH_POSTGRES names a role that may create
// databases, e.g. the throwaway cluster of scripts/pg-cluster.sh, which
// scripts/bench.sh starts:
//   bash scripts/pg-cluster.sh start /tmp/wmpg-bench
//   export WAYMARK_BENCH_POSTGRES='postgresql:///postgres?host=/tmp/wmpg-bench&user=postgres'
//   build/release/bench/bench_backends --benchmark_repetitions=5
// Each import goes into a new database (made and dropped outside the timing),
// as a new file does for SpatiaLite.

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/export.hpp"
#include "engine/import.hpp"
#include "engine/profile_stage.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"

#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace waymark;

const fs::path& world() {
    static const fs::path dir = [] {
        const fs::path folder = fs::temp_directory_path() / "waymark-bench-backends";
        fs::remove_all(folder);
        synth::write_world(synth::build_world({.scale = synth::Scale::force, .seed = 7}),
                           folder / "world");
        return folder;
    }();
    return dir;
}

const char* admin_url() {
    return std::getenv("WAYMARK_BENCH_POSTGRES");
}

void admin_exec(const std::string& sql) {
    PGconn* conn = PQconnectdb(admin_url());
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("WAYMARK_BENCH_POSTGRES: " + message);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string message = PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(conn);
    if (!ok) {
        throw std::runtime_error(sql + ": " + message);
    }
}

// The admin URL pointed at another database.
std::string database_url(const std::string& name) {
    std::string url = admin_url();
    const auto slash = url.find('/', url.find("://") + 3);
    const auto query = url.find('?', slash);
    return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

enum class Backend { spatialite, postgis };

// A new, empty store location for each import.
std::string fresh_location(Backend backend, int counter) {
    const std::string name = "waymark_bench_" + std::to_string(counter);
    if (backend == Backend::spatialite) {
        const fs::path path = world() / (name + ".db");
        for (const char* suffix : {"", "-wal", "-shm"}) {
            fs::remove(path.string() + suffix);
        }
        return path.string();
    }
    admin_exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    admin_exec("CREATE DATABASE " + name);
    return database_url(name);
}

void import_world(const std::string& location) {
    store::create_or_upgrade_store(location, 27700);
    auto store = store::open_store(location, store::Access::write);
    const AreaSettings area;
    for (const std::string kind : {"gazetteer", "persons", "episodes", "rhi", "cpi"}) {
        const std::string name = kind == "rhi" || kind == "cpi" ? kind + ".jsonl" : kind + ".csv";
        import_file(*store, area, {kind, world() / "world" / name, {}});
    }
}

bool unavailable(benchmark::State& state, Backend backend) {
    if (backend == Backend::postgis && admin_url() == nullptr) {
        state.SkipWithError("set WAYMARK_BENCH_POSTGRES to a PostgreSQL URL that may create "
                            "databases (see the top of bench/backends_bench.cpp)");
        return true;
    }
    return false;
}

// init and the five imports, in the order a user runs them.
void BM_ImportForceWorld(benchmark::State& state) {
    const auto backend = static_cast<Backend>(state.range(0));
    if (unavailable(state, backend)) {
        return;
    }
    world();
    int counter = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const std::string location = fresh_location(backend, ++counter);
        state.ResumeTiming();
        import_world(location);
    }
    state.SetLabel(backend == Backend::spatialite ? "SpatiaLite" : "PostGIS");
}
BENCHMARK(BM_ImportForceWorld)
    ->Arg(static_cast<int>(Backend::spatialite))
    ->Arg(static_cast<int>(Backend::postgis))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

// `waymark export --profile analyst` of the imported world: the store is read
// (incidents, network evidence, places) and the bundle written.
void BM_ExportForceWorld(benchmark::State& state) {
    const auto backend = static_cast<Backend>(state.range(0));
    if (unavailable(state, backend)) {
        return;
    }
    static std::string locations[2];
    std::string& location = locations[state.range(0)];
    if (location.empty()) {
        location = fresh_location(backend, 1000 + static_cast<int>(state.range(0)));
        import_world(location);
    }
    auto store = store::open_store(location, store::Access::write);
    const AreaSettings area;
    int counter = 0;
    for (auto _ : state) {
        ExportConfig config;
        config.out = world() /
                     ("export-" + std::to_string(state.range(0)) + "-" + std::to_string(++counter));
        config.hotspots.permutations = 99;
        run_export(*store, config, make_profile_stage(*store, Profile::analyst, area));
        state.PauseTiming();
        fs::remove_all(config.out);
        state.ResumeTiming();
    }
    state.SetLabel(backend == Backend::spatialite ? "SpatiaLite" : "PostGIS");
}
BENCHMARK(BM_ExportForceWorld)
    ->Arg(static_cast<int>(Backend::spatialite))
    ->Arg(static_cast<int>(Backend::postgis))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

} // namespace

BENCHMARK_MAIN();
