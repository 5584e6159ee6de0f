// How fast `waymark import episodes` takes a file, side by side with two
// references on the same file: the sqlite3 shell's own `.import --csv` into
// one untyped, unindexed table, and SQLite alone writing the same rows,
// already in memory, into the store's own tables (the floor for any loader of
// this schema on this machine). Results and the commands that produced them:
// bench/RESULTS.md.
//
// Arguments after the Google Benchmark flags: none. The world is generated
// once per scale (seed 1) under the temporary directory; WAYMARK_BENCH_WORLD
// names a folder with an existing episodes.csv and gazetteer.csv instead
// (for the national world, which takes a minute to write).

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/import.hpp"
#include "engine/store/store.hpp"
#include "importers/csv_reader.hpp"
#include "importers/gazetteer_index.hpp"
#include "importers/location_resolver.hpp"

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
// write episodes, children and locations with their points in one
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

// An episodes.csv held in memory as text fields, read once per file.
struct CsvRows {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    std::size_t column(std::string_view name) const {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (header[i] == name) {
                return i;
            }
        }
        throw std::runtime_error("no column " + std::string(name));
    }
};

const CsvRows& rows_of(const fs::path& csv) {
    static std::map<fs::path, CsvRows> read;
    CsvRows& rows = read[csv];
    if (rows.header.empty()) {
        std::ifstream in(csv, std::ios::binary);
        waymark::importers::CsvReader reader(in, csv.string());
        waymark::importers::CsvRecord record;
        reader.next(record);
        rows.header.assign(record.fields.begin(), record.fields.end());
        while (reader.next(record)) {
            rows.rows.emplace_back(record.fields.begin(), record.fields.end());
        }
    }
    return rows;
}

void check_sqlite(sqlite3* db, int rc, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
    }
}

// The floor: what SQLite alone takes to write the rows of an episode import,
// with nothing read, parsed, validated or resolved. Each row's CSV fields,
// already in memory, are bound as text (booleans as 0/1, empty as NULL) to a
// new store's own tables, in one transaction, with the pragmas Waymark uses.
// state.range(1) == 0: the writes Waymark makes per episode (the child, the
// from and found locations without points, the episode) with the schema's
// indexes and foreign keys; 1: the episode row alone into the episodes table
// with no secondary index and no foreign key checks, the least any loader of
// this table can do.
void BM_SqliteEpisodeRowsFloor(benchmark::State& state) {
    const auto scale = static_cast<synth::Scale>(state.range(0));
    const bool bare = state.range(1) == 1;
    const fs::path world = world_for(scale);
    const CsvRows& csv = rows_of(world / "episodes.csv");
    const fs::path empty = bench_dir() / "floor-empty.db";
    if (!fs::exists(empty)) {
        waymark::store::create_or_upgrade_store(empty.string(), 27700);
    }
    const fs::path path = bench_dir() / "floor.db";
    const std::vector<std::string_view> episode_columns = {"episode_id",
                                                           "child_id",
                                                           "reported_at",
                                                           "last_seen_at",
                                                           "returned_at",
                                                           "age",
                                                           "date_of_birth",
                                                           "sex",
                                                           "category",
                                                           "setting",
                                                           "looked_after",
                                                           "placement_area",
                                                           "responsible_authority",
                                                           "risk_grade",
                                                           "police_ref"};
    std::vector<std::size_t> at;
    for (const std::string_view name : episode_columns) {
        at.push_back(csv.column(name));
    }
    const std::size_t returned_by = csv.column("returned_by");
    std::vector<std::size_t> flags;
    for (const char* name : {"safe_and_well", "cse", "cce", "trafficking", "uasc"}) {
        flags.push_back(csv.column(name));
    }
    const auto location_columns = [&](const char* prefix) {
        std::vector<std::size_t> columns;
        for (const char* name : {"place_id", "postcode", "label", "type"}) {
            columns.push_back(csv.column(std::string(prefix) + name));
        }
        return columns;
    };
    const std::vector<std::size_t> from = location_columns("from_");
    const std::vector<std::size_t> found = location_columns("found_");
    const auto bind_text = [](sqlite3_stmt* s, int i, const std::string& v) {
        if (v.empty()) {
            sqlite3_bind_null(s, i);
        } else {
            sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        }
    };
    const auto bind_flag = [](sqlite3_stmt* s, int i, const std::string& v) {
        if (v.empty()) {
            sqlite3_bind_null(s, i);
        } else {
            sqlite3_bind_int(s, i, v == "Y" ? 1 : 0);
        }
    };
    for (auto _ : state) {
        state.PauseTiming();
        remove_store(path);
        fs::copy_file(empty, path);
        sqlite3* db = nullptr;
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
        check_sqlite(db,
                     sqlite3_exec(db,
                                  "PRAGMA cache_size = -131072; PRAGMA journal_mode = WAL; "
                                  "PRAGMA synchronous = FULL",
                                  nullptr, nullptr, nullptr),
                     "pragmas");
        check_sqlite(db,
                     sqlite3_exec(db,
                                  bare ? "PRAGMA foreign_keys = OFF; DROP INDEX episodes_child; "
                                         "DROP INDEX episodes_reported"
                                       : "PRAGMA foreign_keys = ON",
                                  nullptr, nullptr, nullptr),
                     "schema");
        state.ResumeTiming();
        check_sqlite(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "begin");
        sqlite3_stmt* child = nullptr;
        sqlite3_stmt* location = nullptr;
        sqlite3_stmt* episode = nullptr;
        sqlite3_prepare_v2(db,
                           "INSERT INTO children (child_id, date_of_birth, sex) VALUES (?, ?, ?) "
                           "ON CONFLICT (child_id) DO UPDATE SET date_of_birth = "
                           "coalesce(children.date_of_birth, excluded.date_of_birth), sex = "
                           "coalesce(children.sex, excluded.sex) WHERE children.date_of_birth "
                           "IS NULL OR children.sex IS NULL",
                           -1, &child, nullptr);
        sqlite3_prepare_v2(db,
                           "INSERT INTO locations (place_key, postcode, label, type, resolution) "
                           "VALUES (?, ?, ?, ?, 'postcode')",
                           -1, &location, nullptr);
        check_sqlite(
            db,
            sqlite3_prepare_v2(db,
                               "INSERT INTO episodes (episode_id, child_id, reported_at, "
                               "last_seen_at, returned_at, age, date_of_birth, sex, category, "
                               "setting, looked_after, placement_area, responsible_authority, "
                               "risk_grade, police_ref, from_location_id, found_location_id, "
                               "returned_by, safe_and_well, cse, cce, trafficking, uasc, "
                               "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                               "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               -1, &episode, nullptr),
            "prepare");
        const auto add_location = [&](const std::vector<std::string>& row,
                                      const std::vector<std::size_t>& columns) {
            for (int i = 0; i < 4; ++i) {
                bind_text(location, i + 1, row[columns[static_cast<std::size_t>(i)]]);
            }
            check_sqlite(db, sqlite3_step(location), "location");
            sqlite3_reset(location);
            return sqlite3_last_insert_rowid(db);
        };
        std::int64_t hash = 1;
        for (const std::vector<std::string>& row : csv.rows) {
            std::int64_t from_id = 1;
            std::int64_t found_id = 0;
            if (!bare) {
                bind_text(child, 1, row[at[1]]);
                bind_text(child, 2, row[at[6]]);
                bind_text(child, 3, row[at[7]]);
                check_sqlite(db, sqlite3_step(child), "child");
                sqlite3_reset(child);
                from_id = add_location(row, from);
                const bool has_found =
                    !(row[found[0]].empty() && row[found[1]].empty() && row[found[2]].empty());
                found_id = has_found ? add_location(row, found) : 0;
            }
            for (std::size_t i = 0; i < at.size(); ++i) {
                if (i == 10) {
                    bind_flag(episode, 11, row[at[i]]);
                } else {
                    bind_text(episode, static_cast<int>(i) + 1, row[at[i]]);
                }
            }
            sqlite3_bind_int64(episode, 16, from_id);
            if (found_id != 0) {
                sqlite3_bind_int64(episode, 17, found_id);
            } else {
                sqlite3_bind_null(episode, 17);
            }
            bind_text(episode, 18, row[returned_by]);
            for (std::size_t i = 0; i < flags.size(); ++i) {
                bind_flag(episode, static_cast<int>(19 + i), row[flags[i]]);
            }
            sqlite3_bind_int64(episode, 24, hash++);
            check_sqlite(db, sqlite3_step(episode), "episode");
            sqlite3_reset(episode);
        }
        sqlite3_finalize(child);
        sqlite3_finalize(location);
        sqlite3_finalize(episode);
        check_sqlite(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
        sqlite3_close(db);
    }
    remove_store(path);
    const auto rows = static_cast<std::int64_t>(csv.rows.size());
    state.SetLabel(label(scale) + (bare ? ", episode rows alone" : ", as Waymark writes"));
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
BENCHMARK(BM_SqliteEpisodeRowsFloor)
    ->Args({force, 0})
    ->Args({force, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResolveLocations)->Args({force, 0})->Args({force, 1})->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
