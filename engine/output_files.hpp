#pragma once

// Writing a command's output files: one home for opening, writing and
// checking a file, and for making a folder ready for a bundle whose
// manifest lists what it wrote (export, report).

#include "base/error.hpp"

#include <concepts>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string_view>

namespace waymark {

/// Writes `path` by calling `write(std::ostream&)`; returns the path. Throws
/// IoError naming the file when it cannot be opened or written.
template <class Write>
requires std::invocable<Write, std::ostream&> std::filesystem::path
write_output_file(const std::filesystem::path& path, Write write) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw IoError("cannot write " + path.string());
    }
    write(out);
    out.close();
    if (!out) {
        throw IoError("cannot write " + path.string());
    }
    return path;
}

/// Writes `text` to `path`, as above.
std::filesystem::path write_output_file(const std::filesystem::path& path, std::string_view text);

/// Makes `out` ready for the bundle of command `what` ("export", "report"),
/// called `noun` in messages ("bundle", "pack"): creates it when missing;
/// when it holds an earlier bundle of the same command (its manifest.json,
/// generator "Waymark <what>", lists the files it wrote), removes those
/// files and the folders left empty.
/// Anything else in it is refused (UsageError): a panel bundle written over
/// an analyst one must not keep any of the analyst's files, and no file of
/// someone else's may end up in a bundle.
void prepare_output_folder(const std::filesystem::path& out, std::string_view what,
                           std::string_view noun);

} // namespace waymark
