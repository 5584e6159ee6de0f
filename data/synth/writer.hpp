#pragma once

// Writes a synthetic world in the canonical formats (design/DATA-MODEL.md):
// episodes.csv, rhi.jsonl, cpi.jsonl, persons.csv, gazetteer.csv, and
// truth.json with the planted ground truth; with --dirty also a dirty/ set of
// the same files carrying planted defects, each listed in truth.json.

#include "data/synth/world.hpp"
#include "engine/model/episode.hpp"
#include "engine/model/gazetteer.hpp"
#include "engine/model/person.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

namespace waymark::synth {

/// Told how far writing has got: a stage name and a fraction in [0, 1].
using Progress = std::function<void(std::string_view stage, double fraction)>;

struct WriteSummary {
    std::int64_t places = 0;
    std::int64_t persons = 0;
    std::int64_t episodes = 0;
    std::int64_t rhis = 0;
    std::int64_t cpis = 0;
    std::int64_t dirty_defects = 0;
};

/// Writes the world into `out` (created if missing; existing files replaced).
/// Throws IoError naming the file when one cannot be written.
WriteSummary write_world(const World& world, const std::filesystem::path& out,
                         const Progress& progress = {});

/// The records as they appear in the files.
model::Episode to_episode(const World& world, const EpisodeSpec& spec);
model::GazetteerEntry to_gazetteer_entry(const Place& place);
model::Person to_person(const Child& child);
model::Person to_person(const Adult& adult);

} // namespace waymark::synth
