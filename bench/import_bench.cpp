// How fast `waymark import episodes` takes a file, side by side with the
// reference: the sqlite3 shell's own `.import --csv` of the same file into one
// untyped, unindexed table, which is the floor for any loader writing SQLite
// on this machine (no parsing of dates or codes, no locations, no indexes).
// Results and the commands that produced them: bench/RESULTS.md.
//
// Arguments after the Google Benchmark flags: none. The world is generated
// once per scale (seed 1) under the temporary directory; WAYMARK_BENCH_WORLD
// names a folder with an existing episodes.csv and gazetteer.csv instead
// (for the national world, which takes a minute to write).

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/import.hpp"
#include "engine/store/store.hpp"
#include "importers/gazetteer_index.hpp"
#include "importers/location_resolver.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace synth = waymark::synth;

const fs::path& bench_dir() {
    static const fs::path dir = fs::temp_directory_path() / "waymark-bench-import";
    return dir;
}

void remove_store(const fs::path& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::remove(path.string() + suffix);
    }
}

// The folder holding episodes.csv and gazetteer.csv for a scale, written once.
fs::path world_for(synth::Scale scale) {
    if (const char* given = std::getenv("WAYMARK_BENCH_WORLD")) {
        return given;
    }
    static std::map<synth::Scale, fs::path> written;
    auto& folder = written[scale];
    if (folder.empty()) {
        folder = bench_dir() / std::string(synth::to_string(scale));
        fs::remove_all(folder);
        synth::write_world(synth::build_world({.scale = scale, .seed = 1}), folder);
    }
    return folder;
}

// A store with the world's gazetteer imported: each iteration copies it, so
// that every run imports episodes into the same starting store.
fs::path gazetteer_store(const fs::path& world) {
    static std::map<fs::path, fs::path> made;
    auto& path = made[world];
    if (path.empty()) {
        path = bench_dir() / (world.filename().string() + "-gazetteer.db");
        remove_store(path);
        waymark::store::create_or_upgrade_store(path.string(), 27700);
        auto store = waymark::store::open_store(path.string(), waymark::store::Access::write);
        waymark::import_file(*store, {}, {"gazetteer", world / "gazetteer.csv", {}});
    }
    return path;
}

std::string label(synth::Scale scale) {
    const char* given = std::getenv("WAYMARK_BENCH_WORLD");
    return given != nullptr ? std::string(given) : std::string(synth::to_string(scale));
}

std::int64_t data_rows(const fs::path& csv) {
    std::int64_t lines = 0;
    std::FILE* file = std::fopen(csv.c_str(), "rb");
    if (file == nullptr) {
        throw std::runtime_error("cannot read " + csv.string());
    }
    for (int c; (c = std::fgetc(file)) != EOF;) {
        lines += c == '\n';
    }
    std::fclose(file);
    return lines - 1; // the header
}

// Waymark: parse, validate, resolve every location against the gazetteer,
// write episodes, children, locations and their spatial index in one
// transaction, with the import report.
void BM_WaymarkImportEpisodes(benchmark::State& state) {
    const auto scale = static_cast<synth::Scale>(state.range(0));
    const fs::path world = world_for(scale);
    const fs::path start = gazetteer_store(world);
    const fs::path path = bench_dir() / "waymark-import.db";
    std::int64_t rows = 0;
    for (auto _ : state) {
        state.PauseTiming();
        remove_store(path);
        fs::copy_file(start, path);
        auto store = waymark::store::open_store(path.string(), waymark::store::Access::write);
        state.ResumeTiming();
        const waymark::ImportReport report =
            waymark::import_file(*store, {}, {"episodes", world / "episodes.csv", {}});
        rows = report.rows_read;
    }
    remove_store(path);
    state.SetLabel(label(scale));
    state.counters["rows"] = static_cast<double>(rows);
    state.SetItemsProcessed(state.iterations() * rows);
}

// The reference: sqlite3's shell loads the same file as text into one table.
void BM_Sqlite3ShellCsvImport(benchmark::State& state) {
    const auto scale = static_cast<synth::Scale>(state.range(0));
    const fs::path world = world_for(scale);
    const fs::path path = bench_dir() / "sqlite3-import.db";
    const std::string command = "sqlite3 '" + path.string() + "' \".import --csv '" +
                                (world / "episodes.csv").string() + "' episodes\"";
    for (auto _ : state) {
        state.PauseTiming();
        remove_store(path);
        state.ResumeTiming();
        if (std::system(command.c_str()) != 0) {
            state.SkipWithError("the sqlite3 shell failed (is the sqlite3 package installed?)");
            break;
        }
    }
    remove_store(path);
    const std::int64_t rows = data_rows(world / "episodes.csv");
    state.SetLabel(label(scale));
    state.counters["rows"] = static_cast<double>(rows);
    state.SetItemsProcessed(state.iterations() * rows);
}

// Location resolution alone: every episode's from-location of a force world,
// given by postcode (state.range(1) == 0) or by WGS 84 lat/lon (1, through
// PROJ), resolved against the world's gazetteer held in memory.
void BM_ResolveLocations(benchmark::State& state) {
    namespace importers = waymark::importers;
    static const synth::World world = synth::build_world({.scale = synth::Scale::force, .seed = 1});
    static const importers::GazetteerIndex gazetteer = [] {
        importers::GazetteerIndex index;
        for (const synth::Place& place : world.places) {
            index.add(synth::to_gazetteer_entry(place), {place.x, place.y});
        }
        return index;
    }();
    const auto style =
        state.range(1) == 0 ? synth::LocationStyle::postcode : synth::LocationStyle::lat_lon;
    std::vector<waymark::model::Location> locations;
    for (const synth::EpisodeSpec& spec : world.episodes) {
        locations.push_back(synth::location_of(world, spec.from, style, 25, 1));
    }
    const importers::LocationResolver resolver(27700, gazetteer, std::nullopt);
    std::int64_t unresolved = 0;
    for (auto _ : state) {
        for (waymark::model::Location& location : locations) {
            unresolved += resolver.resolve(location).resolved ? 0 : 1;
        }
    }
    if (unresolved != 0) {
        state.SkipWithError("a generated location did not resolve");
    }
    state.SetLabel(style == synth::LocationStyle::postcode ? "postcode" : "lat/lon");
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(locations.size()));
}

constexpr auto force = static_cast<std::int64_t>(synth::Scale::force);

// Real time: the reference runs in a child process, whose CPU time the
// benchmark's own clock does not see.
BENCHMARK(BM_WaymarkImportEpisodes)->Arg(force)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sqlite3ShellCsvImport)->Arg(force)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResolveLocations)->Args({force, 0})->Args({force, 1})->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
