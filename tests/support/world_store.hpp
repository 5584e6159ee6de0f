#pragma once

// A synthetic world written to `dir/world` and imported into a new store at
// `db`, in the order a user would import it; returns the world's truth.json.
// `db` is a store location: a SpatiaLite file's path or a PostgreSQL URL
// (the tests take it from TestStore, tests/support/test_store.hpp).

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/import.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"
#include "tests/support/files.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace waymark::testing {

inline nlohmann::json import_synthetic_world(const synth::SynthParams& params,
                                             const std::filesystem::path& dir,
                                             const std::string& db) {
    const auto world = dir / "world";
    synth::write_world(synth::build_world(params), world);
    store::create_or_upgrade_store(db, 27700);
    auto store = store::open_store(db, store::Access::write);
    const AreaSettings area;
    for (const std::string kind : {"gazetteer", "persons", "episodes", "rhi", "cpi"}) {
        const std::string name = kind == "rhi" || kind == "cpi" ? kind + ".jsonl" : kind + ".csv";
        import_file(*store, area, {kind, world / name, {}});
    }
    return nlohmann::json::parse(read_file(world / "truth.json"));
}

} // namespace waymark::testing
