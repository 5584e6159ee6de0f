#pragma once
// The force world (seed 7) written and imported once into a store under the
// temporary directory, in the order a user would import it: the benchmarks
// that measure work on a whole force's store start from it.

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/import.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"

#include <filesystem>
#include <string>

namespace waymark::bench {

/// The store's path; `folder` (under the temporary directory) is replaced.
inline std::string import_force_world(const std::string& folder) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / folder;
    fs::remove_all(dir);
    synth::write_world(synth::build_world({.scale = synth::Scale::force, .seed = 7}),
                       dir / "world");
    const std::string path = (dir / "waymark.db").string();
    store::create_or_upgrade_store(path, 27700);
    auto store = store::open_store(path, store::Access::write);
    const AreaSettings area;
    for (const std::string kind : {"gazetteer", "persons", "episodes", "rhi", "cpi"}) {
        const std::string name = kind == "rhi" || kind == "cpi" ? kind + ".jsonl" : kind + ".csv";
        import_file(*store, area, {kind, dir / "world" / name, {}});
    }
    return path;
}

} // namespace waymark::bench
