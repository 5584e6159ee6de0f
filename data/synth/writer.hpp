#pragma once

// Writes a synthetic world in the canonical formats (design/DATA-MODEL.md):
// episodes.csv, rhi.jsonl, cpi.jsonl, persons.csv, gazetteer.csv, and
// truth.json with the planted ground truth; with --dirty also a dirty/ set of
// the same files carrying planted defects, each listed in truth.json; with
// --as police|council also the episodes in that source system's layout
// (export_layout.hpp), next to the canonical episodes.csv.

#include "data/synth/export_layout.hpp"
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
    /// With a layout other than canonical: the episodes written in it, the
    /// characters its encoding lacked (written '?') and the times written in
    /// the hour the clocks go back.
    std::int64_t variant_episodes = 0;
    std::int64_t variant_replaced_characters = 0;
    std::int64_t variant_ambiguous_times = 0;
};

/// Writes the world into `out` (created if missing; existing files replaced).
/// Throws IoError naming the file when one cannot be written.
WriteSummary write_world(const World& world, const std::filesystem::path& out,
                         const Progress& progress = {});

/// The same, and with `layout` police or council also the episodes in that
/// layout (export_layout_spec(layout).file_name). The canonical episodes.csv
/// then holds the episodes as to_episode(world, spec, layout) makes them, so
/// that both files describe the same records; the other files are unchanged.
WriteSummary write_world(const World& world, const std::filesystem::path& out, ExportLayout layout,
                         const Progress& progress = {});

/// The records as they appear in the files.
model::Episode to_episode(const World& world, const EpisodeSpec& spec);
/// The episode as a source system of `layout` records it: locations only in
/// ways the layout has columns for (carried_style) and always the date of
/// birth (neither layout has an age column). Equal to the two-argument form
/// for the canonical layout.
model::Episode to_episode(const World& world, const EpisodeSpec& spec, ExportLayout layout);
model::GazetteerEntry to_gazetteer_entry(const Place& place);
model::Person to_person(const Child& child);
model::Person to_person(const Adult& adult);

} // namespace waymark::synth
