#include "engine/output_files.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace waymark {

namespace fs = std::filesystem;

fs::path write_output_file(const fs::path& path, std::string_view text) {
    return write_output_file(path, [text](std::ostream& out) { out << text; });
}

void prepare_output_folder(const fs::path& out, std::string_view what, std::string_view noun) {
    const std::string generator = "Waymark " + std::string(what);
    std::error_code error;
    if (!fs::exists(out, error)) {
        fs::create_directories(out, error);
        if (error) {
            throw IoError("cannot create " + out.string() + ": " + error.message());
        }
        return;
    }
    if (!fs::is_directory(out, error)) {
        throw UsageError("--out " + out.string() + " is not a folder");
    }
    if (fs::is_empty(out, error)) {
        return;
    }
    const fs::path manifest_path = out / "manifest.json";
    std::ifstream in(manifest_path);
    nlohmann::json manifest;
    if (in) {
        manifest = nlohmann::json::parse(in, nullptr, false);
    }
    if (!in || manifest.is_discarded() || !manifest.is_object() || !manifest.contains("files") ||
        !manifest["files"].is_object() || manifest.value("generator", "") != generator) {
        throw UsageError(
            "--out " + out.string() + " is not empty and holds no earlier " + generator +
            "; choose a new folder, so that no other file ends up in this " + std::string(noun));
    }
    std::set<fs::path> listed = {manifest_path.lexically_normal()};
    for (const auto& [name, checksum] : manifest["files"].items()) {
        const fs::path file = (out / name).lexically_normal();
        // A manifest naming files outside the folder is not followed.
        const fs::path relative = file.lexically_relative(out.lexically_normal());
        if (relative.empty() || *relative.begin() == "..") {
            throw UsageError("--out " + out.string() + ": its manifest.json names " + name +
                             ", outside the folder; choose a new folder");
        }
        listed.insert(file);
    }
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(out)) {
        if (entry.is_regular_file() && listed.count(entry.path().lexically_normal()) == 0) {
            throw UsageError("--out " + out.string() + " holds " + entry.path().string() +
                             ", which the earlier " + std::string(what) +
                             " did not write; choose a new folder");
        }
    }
    for (const fs::path& file : listed) {
        fs::remove(file, error);
        if (error) {
            throw IoError("cannot replace " + file.string() + ": " + error.message());
        }
    }
    // The folders the earlier bundle made (geojson/, csv/), now empty.
    std::vector<fs::path> folders;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(out)) {
        if (entry.is_directory()) {
            folders.push_back(entry.path());
        }
    }
    std::sort(folders.rbegin(), folders.rend()); // deepest first
    for (const fs::path& folder : folders) {
        if (fs::is_empty(folder, error)) {
            fs::remove(folder, error);
        }
    }
}

} // namespace waymark
