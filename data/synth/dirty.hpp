#pragma once

// The --dirty set: copies of the canonical files with planted defects of every
// kind the importers must handle, each recorded with its file and line so that
// tests can check that every defect is caught (or kept, where it is legal).

#include "data/synth/world.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace waymark::synth {

struct DirtyDefect {
    std::string file;      ///< relative to the output folder, e.g. "dirty/episodes.csv"
    std::int64_t line = 0; ///< 1-based physical line where the defective record starts
    std::string record;    ///< the record's id as written, if it has one
    std::string defect;    ///< a code: bad_date, return_before_report, unknown_code, ...
    std::string detail;    ///< what exactly is wrong
};

/// Writes dirty/episodes.csv, dirty/rhi.jsonl, dirty/cpi.jsonl,
/// dirty/persons.csv and dirty/gazetteer.csv into `folder` and returns every
/// defect planted, in file and line order.
std::vector<DirtyDefect> write_dirty_files(const World& world, const std::filesystem::path& folder);

} // namespace waymark::synth
