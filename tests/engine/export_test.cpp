// `waymark export` on the force world (issue 7): one bundle per profile, a
// leak search through every byte of every file of each, the RFC 7946 GeoJSON,
// the manifest's checksums, stable pseudonyms, and QGIS itself opening the
// project and every layer styled.

#include "data/synth/world.hpp"
#include "engine/export.hpp"
#include "engine/network_output.hpp"
#include "engine/profile_stage.hpp"
#include "engine/settings.hpp"
#include "engine/sha256.hpp"
#include "engine/store/sqlite.hpp"
#include "geo/gdal.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/world_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace waymark {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using waymark::testing::message_of;
using waymark::testing::read_file;
using waymark::testing::TempDir;

// What must not leave the store, gathered from the world's own files (not
// through Waymark's readers) and, for the homes, from the store by SQL.
struct Secrets {
    std::set<std::string> child_ids;              ///< episodes.csv child_id
    std::set<std::string> person_ids;             ///< persons.csv person_id
    std::set<std::string> names;                  ///< full names: persons, RHI and CPI mentions
    std::set<std::string> source;                 ///< CPI source and submitter values
    std::set<std::string> free_text;              ///< RHI notes, CPI information
    std::vector<std::pair<double, double>> homes; ///< homes, placements, restricted places
};

std::vector<std::string> csv_row(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cells.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.emplace_back();
        } else if (c != '\r') {
            cells.back() += c;
        }
    }
    return cells;
}

// Rows of a CSV without newlines inside quotes (as the synthetic world writes).
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    const std::vector<std::string> header = csv_row(line);
    std::vector<std::map<std::string, std::string>> rows;
    while (std::getline(in, line)) {
        const std::vector<std::string> cells = csv_row(line);
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) {
            row[header[i]] = cells[i];
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

void strings_of(const nlohmann::json& j, std::set<std::string>& out) {
    if (j.is_string()) {
        out.insert(j.get<std::string>());
    } else if (j.is_structured()) {
        for (const auto& item : j) {
            strings_of(item, out);
        }
    }
}

// A name worth searching for: a full name (two words or more). A lone given
// name ("Dan") also occurs inside ordinary words and place names.
void add_name(const nlohmann::json& person, std::set<std::string>& names) {
    if (person.contains("name") && person["name"].is_string()) {
        const std::string name = person["name"];
        if (name.find(' ') != std::string::npos && name.size() >= 6) {
            names.insert(name);
        }
    }
}

Secrets read_secrets(const fs::path& world, const std::string& db) {
    Secrets s;
    for (const auto& row : read_csv(world / "episodes.csv")) {
        s.child_ids.insert(row.at("child_id"));
    }
    for (const auto& row : read_csv(world / "persons.csv")) {
        s.person_ids.insert(row.at("person_id"));
        add_name({{"name", row.at("name")}}, s.names);
    }
    std::ifstream rhis(world / "rhi.jsonl");
    std::string line;
    while (std::getline(rhis, line)) {
        const auto rhi = nlohmann::json::parse(line);
        for (const char* part : {"with", "people_of_concern", "young_people_of_concern"}) {
            for (const auto& person : rhi.value(part, nlohmann::json::array())) {
                add_name(person, s.names);
            }
        }
        std::set<std::string> notes;
        strings_of(rhi.value("notes", nlohmann::json::object()), notes);
        for (const std::string& note : notes) {
            if (note.size() >= 20) {
                s.free_text.insert(note);
            }
        }
    }
    std::ifstream cpis(world / "cpi.jsonl");
    while (std::getline(cpis, line)) {
        const auto cpi = nlohmann::json::parse(line);
        for (const auto& subject : cpi.value("subjects", nlohmann::json::array())) {
            add_name(subject, s.names);
        }
        std::set<std::string> restricted;
        strings_of(cpi.value("source", nlohmann::json::object()), restricted);
        strings_of(cpi.value("submitter", nlohmann::json::object()), restricted);
        for (const std::string& value : restricted) {
            // "school" or "The same day" are not what identifies a source.
            if (value.size() >= 8 && value.find(' ') != std::string::npos) {
                s.source.insert(value);
            } else if (value.find('@') != std::string::npos) {
                s.source.insert(value);
            }
        }
        if (cpi.contains("information") && cpi["information"].is_string()) {
            s.free_text.insert(cpi["information"].get<std::string>());
        }
    }
    // Homes: every location of a home or placement and every restricted
    // place, where it was put on the map, except points that a public place
    // shares (a postcode's centre stands for the home and the shop alike).
    auto store = store::sqlite::Database::open(db, store::sqlite::OpenMode::read_only);
    store::sqlite::Statement homes(store, R"sql(
        WITH typed AS (
            SELECT X(l.geom) AS x, Y(l.geom) AS y,
                   COALESCE(p.place_type, l.type) IN ('home', 'placement')
                   OR COALESCE(p.restricted, 0) = 1 AS private
            FROM locations l LEFT JOIN places p ON p.place_id = l.place_id
            WHERE l.geom IS NOT NULL)
        SELECT DISTINCT x, y FROM typed WHERE private
        EXCEPT SELECT x, y FROM typed WHERE NOT private)sql");
    while (homes.step()) {
        s.homes.emplace_back(homes.column_double(0), homes.column_double(1));
    }
    return s;
}

std::vector<fs::path> files_under(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// How many of `needles` occur in any of the files, with the first few, for
// the failure message.
struct Found {
    int count = 0;
    std::string examples;
};

template <class Needles>
Found search(const std::vector<std::pair<fs::path, std::string>>& files, const Needles& needles) {
    Found found;
    for (const auto& needle : needles) {
        for (const auto& [path, bytes] : files) {
            if (bytes.find(needle) != std::string::npos) {
                if (++found.count <= 5) {
                    found.examples += "\n  '" + std::string(needle) + "' in " + path.string();
                }
                break;
            }
        }
    }
    return found;
}

// A home's coordinates as they would be written: two little-endian doubles
// side by side (GeoPackage points, GeoTIFF never) or as text.
std::vector<std::string> home_patterns(const std::vector<std::pair<double, double>>& homes) {
    std::vector<std::string> patterns;
    for (const auto& [x, y] : homes) {
        char bytes[16];
        std::memcpy(bytes, &x, 8);
        std::memcpy(bytes + 8, &y, 8);
        patterns.emplace_back(bytes, 16);
        char text[64];
        std::snprintf(text, sizeof text, "%.0f,%.0f", x, y);
        patterns.emplace_back(text);
        std::snprintf(text, sizeof text, "%.1f, %.1f", x, y);
        patterns.emplace_back(text);
    }
    return patterns;
}

// Every vertex of the point and line layers of a GeoPackage, in its CRS: where
// a place would be drawn. (Polygons are cluster outlines widened around
// their places and grid cells: their corners are never a place.)
std::vector<std::pair<double, double>> vertices(const fs::path& gpkg) {
    std::vector<std::pair<double, double>> out;
    auto dataset = gdal::Dataset::open(gpkg.string());
    const std::function<void(OGRGeometryH)> walk = [&](OGRGeometryH g) {
        const int parts = OGR_G_GetGeometryCount(g);
        if (parts > 0) {
            for (int i = 0; i < parts; ++i) {
                walk(OGR_G_GetGeometryRef(g, i));
            }
            return;
        }
        for (int i = 0; i < OGR_G_GetPointCount(g); ++i) {
            out.emplace_back(OGR_G_GetX(g, i), OGR_G_GetY(g, i));
        }
    };
    for (int l = 0; l < dataset.layer_count(); ++l) {
        OGRLayerH layer = dataset.layer(l);
        const OGRwkbGeometryType type = OGR_GT_Flatten(OGR_L_GetGeomType(layer));
        if (type != wkbPoint && type != wkbLineString) {
            continue;
        }
        OGR_L_ResetReading(layer);
        while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
            if (OGRGeometryH g = OGR_F_GetGeometryRef(feature)) {
                walk(g);
            }
            OGR_F_Destroy(feature);
        }
    }
    return out;
}

// The force world imported once, then exported for each profile.
class ExportForceWorld : public ::testing::Test {
protected:
    static inline TempDir* dir = nullptr;
    static inline std::string db;
    static inline Secrets secrets;
    static inline std::map<std::string, ExportResult> results;
    static inline AreaSettings area;

    static ExportConfig config(const fs::path& out) {
        ExportConfig c;
        c.out = out;
        c.area_name = "Waymark Bay";
        c.hotspots.permutations = 99; // the bins come from the analytic p-values
        return c;
    }

    static void SetUpTestSuite() {
        dir = new TempDir();
        db = dir->file("waymark.db");
        waymark::testing::import_synthetic_world({.scale = synth::Scale::force, .seed = 11},
                                                 dir->path(), db);
        secrets = read_secrets(dir->path() / "world", db);
        auto store = store::open_store(db, store::Access::write);
        for (const Profile profile : {Profile::analyst, Profile::panel, Profile::partnership}) {
            const std::string name(to_string(profile));
            results[name] = run_export(*store, config(dir->path() / name),
                                       make_profile_stage(*store, profile, area));
        }
    }

    static void TearDownTestSuite() {
        delete dir;
        dir = nullptr;
    }

    static fs::path bundle(const std::string& profile) { return dir->path() / profile; }

    static std::vector<std::pair<fs::path, std::string>> contents(const std::string& profile) {
        std::vector<std::pair<fs::path, std::string>> out;
        for (const fs::path& file : files_under(bundle(profile))) {
            out.emplace_back(file, read_file(file));
        }
        return out;
    }
};

TEST_F(ExportForceWorld, TheSecretsAreThereToBeFound) {
    // The search below proves nothing unless there is something to find.
    EXPECT_GT(secrets.child_ids.size(), 500u);
    EXPECT_GT(secrets.names.size(), 100u);
    EXPECT_GT(secrets.source.size(), 50u);
    EXPECT_GT(secrets.free_text.size(), 500u);
    EXPECT_GT(secrets.homes.size(), 100u);
    // And the analyst bundle, which may hold ids and exact homes, does: the
    // search finds what is there.
    const auto analyst = contents("analyst");
    EXPECT_GT(search(analyst, secrets.child_ids).count, 500);
    EXPECT_GT(search(analyst, home_patterns(secrets.homes)).count, 100);
}

TEST_F(ExportForceWorld, NoBundleHoldsCpiSourcesOrFreeText) {
    for (const char* profile : {"analyst", "panel", "partnership"}) {
        SCOPED_TRACE(profile);
        const auto files = contents(profile);
        const Found source = search(files, secrets.source);
        EXPECT_EQ(source.count, 0) << source.examples;
        const Found text = search(files, secrets.free_text);
        EXPECT_EQ(text.count, 0) << text.examples;
    }
}

TEST_F(ExportForceWorld, PanelAndPartnershipHoldNoIdNameOrHome) {
    for (const char* profile : {"panel", "partnership"}) {
        SCOPED_TRACE(profile);
        const auto files = contents(profile);
        for (const auto* needles : {&secrets.child_ids, &secrets.person_ids, &secrets.names}) {
            const Found found = search(files, *needles);
            EXPECT_EQ(found.count, 0) << found.examples;
        }
        const Found homes = search(files, home_patterns(secrets.homes));
        EXPECT_EQ(homes.count, 0) << homes.examples;
        // Nor any vertex within a metre of a home, whatever its encoding.
        std::set<std::pair<long long, long long>> near;
        for (const auto& [x, y] : secrets.homes) {
            near.emplace(std::llround(x), std::llround(y));
        }
        int close = 0;
        for (const auto& [x, y] : vertices(bundle(profile) / "waymark.gpkg")) {
            close += near.count({std::llround(x), std::llround(y)}) != 0 ? 1 : 0;
        }
        EXPECT_EQ(close, 0);
    }
}

TEST_F(ExportForceWorld, PartnershipHasOnlySuppressedCellCounts) {
    const int k = area.privacy.suppression_k;
    auto gpkg = gdal::Dataset::open((bundle("partnership") / "waymark.gpkg").string());
    int layers = 0;
    for (int l = 0; l < gpkg.layer_count(); ++l) {
        OGRLayerH layer = gpkg.layer(l);
        const std::string name = OGR_L_GetName(layer);
        if (name == "layer_styles") {
            continue;
        }
        SCOPED_TRACE(name);
        ++layers;
        EXPECT_EQ(name.rfind("cells_", 0), 0u);
        EXPECT_EQ(OGR_GT_Flatten(OGR_L_GetGeomType(layer)), wkbPolygon);
        OGRFeatureDefnH definition = OGR_L_GetLayerDefn(layer);
        const int children = OGR_FD_GetFieldIndex(definition, "children");
        const int episodes = OGR_FD_GetFieldIndex(definition, "episodes");
        const int suppressed = OGR_FD_GetFieldIndex(definition, "suppressed");
        ASSERT_GE(children, 0);
        int hidden = 0;
        std::int64_t hidden_children = 0;
        OGR_L_ResetReading(layer);
        while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
            if (OGR_F_IsFieldSetAndNotNull(feature, children)) {
                EXPECT_GE(OGR_F_GetFieldAsInteger64(feature, children), k);
                EXPECT_EQ(std::string(OGR_F_GetFieldAsString(feature, suppressed)), "");
            } else {
                EXPECT_FALSE(OGR_F_IsFieldSetAndNotNull(feature, episodes));
                ++hidden;
            }
            OGR_F_Destroy(feature);
        }
        // Secondary suppression: never exactly one hidden cell.
        EXPECT_NE(hidden, 1);
        (void)hidden_children;
    }
    EXPECT_EQ(layers, 4); // from, found, visited, concern; never their union
    EXPECT_FALSE(fs::exists(bundle("partnership") / "network"));
    const auto manifest = nlohmann::json::parse(read_file(bundle("partnership") / "manifest.json"));
    for (const auto& [key, value] : manifest["records"]["network"]["counts"].items()) {
        if (!value.is_null()) {
            EXPECT_GE(value.get<int>(), k) << key;
        }
    }
}

TEST_F(ExportForceWorld, TheManifestNamesTheProfileAndChecksEveryFile) {
    for (const char* profile : {"analyst", "panel", "partnership"}) {
        SCOPED_TRACE(profile);
        const auto manifest = nlohmann::json::parse(read_file(bundle(profile) / "manifest.json"));
        EXPECT_EQ(manifest["profile"], profile);
        EXPECT_EQ(manifest["working_crs"], "EPSG:27700");
        EXPECT_THAT(manifest["software"].get<std::string>(), ::testing::StartsWith("Waymark "));
        EXPECT_FALSE(manifest["data_window"]["first"].get<std::string>().empty());
        std::set<std::string> listed;
        for (const auto& [name, checksum] : manifest["files"].items()) {
            EXPECT_EQ(sha256_of_file(bundle(profile) / name), checksum) << name;
            listed.insert(name);
        }
        // Every file of the bundle is listed, but the manifest itself.
        for (const fs::path& file : files_under(bundle(profile))) {
            const std::string name = fs::relative(file, bundle(profile)).generic_string();
            if (name != "manifest.json") {
                EXPECT_TRUE(listed.count(name)) << name;
            }
        }
        EXPECT_TRUE(listed.count("waymark.gpkg"));
        EXPECT_TRUE(listed.count("waymark.qgs"));
        // The profile is written into every file that can carry it.
        for (const fs::path& file : files_under(bundle(profile))) {
            const std::string ext = file.extension().string();
            if (ext == ".geojson" || ext == ".gexf" || ext == ".graphml" || ext == ".anx" ||
                ext == ".qgs" || ext == ".json" || ext == ".gpkg" || ext == ".tif") {
                EXPECT_THAT(read_file(file), HasSubstr(profile)) << file;
            }
        }
    }
}

TEST_F(ExportForceWorld, EveryGeoJsonIsRfc7946InWgs84) {
    for (const char* profile : {"analyst", "panel", "partnership"}) {
        for (const fs::path& file : files_under(bundle(profile) / "geojson")) {
            SCOPED_TRACE(file.string());
            const auto json = nlohmann::json::parse(read_file(file));
            EXPECT_EQ(json["type"], "FeatureCollection");
            EXPECT_FALSE(json.contains("crs")); // RFC 7946 §4: no CRS member
            for (const auto& feature : json["features"]) {
                const auto& g = feature["geometry"];
                // Longitude first, latitude second, in the area (England).
                std::function<void(const nlohmann::json&)> check = [&](const nlohmann::json& c) {
                    if (c.is_array() && !c.empty() && c[0].is_number()) {
                        ASSERT_EQ(c.size(), 2u);
                        EXPECT_GT(c[0].get<double>(), -8.0);
                        EXPECT_LT(c[0].get<double>(), 3.0);
                        EXPECT_GT(c[1].get<double>(), 49.0);
                        EXPECT_LT(c[1].get<double>(), 61.0);
                        return;
                    }
                    for (const auto& item : c) {
                        check(item);
                    }
                };
                check(g["coordinates"]);
                if (g["type"] == "Polygon") {
                    // §3.1.6: exterior rings counter-clockwise.
                    const auto& ring = g["coordinates"][0];
                    double area2 = 0;
                    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
                        area2 += ring[i][0].get<double>() * ring[i + 1][1].get<double>() -
                                 ring[i + 1][0].get<double>() * ring[i][1].get<double>();
                    }
                    EXPECT_GT(area2, 0);
                }
            }
        }
    }
}

TEST_F(ExportForceWorld, PseudonymsAreStableForOneKeyAndDifferWithAnother) {
    auto store = store::open_store(db, store::Access::read);
    const store::NetworkEvidence evidence = store->network_evidence();
    const auto people = [&](const ProfileStage& stage) {
        std::set<std::string> ids;
        const NetworkAnalysis analysis = analyse_network(evidence, {}, stage);
        for (const Entity& e : analysis.network.network().entities) {
            if (e.kind == EntityKind::child || e.kind == EntityKind::adult) {
                ids.insert(e.id);
            }
        }
        return ids;
    };
    const auto once = people(make_profile_stage(*store, Profile::panel, area));
    const auto again = people(make_profile_stage(*store, Profile::panel, area));
    std::vector<unsigned char> other_key = store->pseudonym_key();
    other_key[0] ^= 1;
    const auto other = people(ProfileStage(Profile::panel, area.privacy, other_key));
    EXPECT_GT(once.size(), 500u);
    EXPECT_EQ(once, again);
    std::vector<std::string> shared;
    std::set_intersection(once.begin(), once.end(), other.begin(), other.end(),
                          std::back_inserter(shared));
    EXPECT_TRUE(shared.empty());
    // And the bundle's network nodes are those of the same key.
    const std::string nodes = read_file(bundle("panel") / "network" / "nodes.csv");
    EXPECT_THAT(nodes, HasSubstr(*once.begin()));
}

TEST_F(ExportForceWorld, AFolderHoldingOtherFilesIsRefusedAndAnEarlierExportReplaced) {
    auto store = store::open_store(db, store::Access::write);
    const fs::path foreign = dir->path() / "foreign";
    fs::create_directories(foreign);
    std::ofstream(foreign / "notes.txt") << "mine";
    const ProfileStage partnership = make_profile_stage(*store, Profile::partnership, area);
    EXPECT_EQ(message_of<UsageError>([&] { run_export(*store, config(foreign), partnership); }),
              "--out " + foreign.string() +
                  " is not empty and holds no earlier Waymark export; choose a new folder, so "
                  "that no other file ends up in this bundle");
    // An analyst bundle written over by a partnership one keeps nothing of it.
    const fs::path reused = dir->path() / "reused";
    fs::copy(bundle("analyst"), reused, fs::copy_options::recursive);
    run_export(*store, config(reused), partnership);
    EXPECT_FALSE(fs::exists(reused / "network"));
    for (const fs::path& file : files_under(reused)) {
        EXPECT_EQ(file.filename().string().rfind("points_", 0), std::string::npos) << file;
    }
    const auto files = [&] {
        std::vector<std::pair<fs::path, std::string>> out;
        for (const fs::path& file : files_under(reused)) {
            out.emplace_back(file, read_file(file));
        }
        return out;
    }();
    EXPECT_EQ(search(files, secrets.child_ids).count, 0);
}

} // namespace
} // namespace waymark
