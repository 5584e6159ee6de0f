// `waymark export` on the force world (issue 7): one bundle per profile, a
// leak search through every byte of every file of each, the RFC 7946 GeoJSON,
// the manifest's checksums, stable pseudonyms, and QGIS itself opening the
// project and every layer styled.

#include "base/error.hpp"
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
#include "tests/support/test_store.hpp"
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
#include <tuple>

namespace waymark {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using waymark::testing::message_of;
using waymark::testing::read_file;
using waymark::testing::TempDir;
using waymark::testing::testing_postgis;
using waymark::testing::TestStore;

// Many needles searched for in a few hundred megabytes at once: each
// position's first six bytes are looked up in a bitmap of the needles' first
// six bytes, and only a hit is compared in full. (One std::string::find per
// needle and file would take hours.)
class Finder {
public:
    static constexpr std::size_t anchor = 6;

    explicit Finder(std::vector<std::string> needles)
        : m_needles(std::move(needles)), m_where(m_needles.size()), m_bits(1U << 24) {
        for (std::size_t i = 0; i < m_needles.size(); ++i) {
            if (m_needles[i].size() < anchor) {
                throw std::invalid_argument("needle shorter than the anchor: " + m_needles[i]);
            }
            const std::uint64_t key = key_at(m_needles[i].data());
            m_bits[hash(key)] = true;
            m_by_key[key].push_back(i);
        }
    }

    void scan(const fs::path& path, const std::string& bytes) {
        if (bytes.size() < anchor) {
            return;
        }
        for (std::size_t at = 0; at + anchor <= bytes.size(); ++at) {
            const std::uint64_t key = key_at(bytes.data() + at);
            if (!m_bits[hash(key)]) {
                continue;
            }
            const auto hit = m_by_key.find(key);
            if (hit == m_by_key.end()) {
                continue;
            }
            for (const std::size_t i : hit->second) {
                if (m_where[i].empty() &&
                    bytes.compare(at, m_needles[i].size(), m_needles[i]) == 0) {
                    m_where[i] = path.string();
                }
            }
        }
    }

    /// How many of the needles from `first` to `last` (exclusive) were found,
    /// with the first few for a failure message.
    std::pair<int, std::string> found(std::size_t first, std::size_t last) const {
        int count = 0;
        std::string examples;
        for (std::size_t i = first; i < last; ++i) {
            if (!m_where[i].empty() && ++count <= 5) {
                examples += "\n  '" + printable(m_needles[i]) + "' in " + m_where[i];
            }
        }
        return {count, examples};
    }

private:
    static std::uint64_t key_at(const char* p) {
        std::uint64_t key = 0;
        std::memcpy(&key, p, anchor);
        return key;
    }
    static std::size_t hash(std::uint64_t key) {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 40);
    }
    static std::string printable(const std::string& bytes) {
        std::string out;
        for (const char c : bytes) {
            out += (c >= 32 && c < 127) ? c : '.';
        }
        return out;
    }

    std::vector<std::string> m_needles;
    std::vector<std::string> m_where;
    std::vector<bool> m_bits;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> m_by_key;
};

// What must not leave the store, gathered from the world's own files (not
// through Waymark's readers) and, for the homes, from the store by SQL.
struct Secrets {
    std::set<std::string> child_ids;              ///< episodes.csv child_id
    std::set<std::string> person_ids;             ///< persons.csv person_id
    std::set<std::string> names;                  ///< full names: persons, RHI and CPI mentions
    std::set<std::string> source;                 ///< CPI source and submitter values
    std::set<std::string> free_text;              ///< RHI notes, CPI information
    std::vector<std::pair<double, double>> homes; ///< homes, placements, restricted places
    /// Children with a trafficking or UASC indicator or an NRM referral.
    std::set<std::string> protected_children;
    std::vector<std::string> key; ///< the store's pseudonymisation key: raw, and as hex
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
        if (row.at("trafficking") == "Y" || row.at("uasc") == "Y") {
            s.protected_children.insert(row.at("child_id"));
        }
    }
    for (const auto& row : read_csv(world / "persons.csv")) {
        s.person_ids.insert(row.at("person_id"));
        add_name({{"name", row.at("name")}}, s.names);
    }
    std::ifstream rhis(world / "rhi.jsonl");
    std::string line;
    while (std::getline(rhis, line)) {
        const auto rhi = nlohmann::json::parse(line);
        if (rhi.value("nrm_referral", nlohmann::json()) == true && rhi["child_id"].is_string()) {
            s.protected_children.insert(rhi["child_id"].get<std::string>());
        }
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
    // Everything the world says outside the source and submitter blocks: a
    // source's address that is also a place in the records is not a leak of
    // the source when it appears as that place.
    std::string elsewhere;
    for (const char* name : {"episodes.csv", "rhi.jsonl", "persons.csv", "gazetteer.csv"}) {
        elsewhere += read_file(world / name);
    }
    std::ifstream cpis(world / "cpi.jsonl");
    while (std::getline(cpis, line)) {
        auto cpi = nlohmann::json::parse(line);
        cpi.erase("source");
        cpi.erase("submitter");
        elsewhere += cpi.dump();
    }
    cpis.clear();
    cpis.seekg(0);
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
    {
        const std::vector<std::string> values(s.source.begin(), s.source.end());
        Finder finder(values);
        finder.scan(world, elsewhere);
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (finder.found(i, i + 1).first != 0) {
                s.source.erase(values[i]);
            }
        }
    }
    // Homes: every location of a home or placement and every restricted
    // place, where it was put on the map, except points within a metre of a
    // public place (a postcode's centre stands for the home and the shop
    // alike; a flat above a shop is where the shop is).
    // Read from the SQLite file; on PostGIS through the Store: the locations
    // the records reference (network_evidence), which on SpatiaLite must be
    // the same points.
    std::set<std::tuple<double, double, bool>> located;
    if (!testing_postgis()) {
        auto store = sqlite::Database::open(db, sqlite::OpenMode::read_only);
        sqlite::Statement query(store, R"sql(
            SELECT DISTINCT X(l.geom), Y(l.geom),
                   COALESCE(p.place_type, l.type) IN ('home', 'placement')
                   OR COALESCE(p.restricted, 0) = 1
            FROM locations l LEFT JOIN places p ON p.place_id = l.place_id
            WHERE l.geom IS NOT NULL)sql");
        while (query.step()) {
            located.emplace(query.column_double(0), query.column_double(1),
                            query.column_int64(2) != 0);
        }
    }
    std::set<std::tuple<double, double, bool>> evidence;
    for (const auto& [id, location] :
         store::open_store(db, store::Access::read)->network_evidence().locations) {
        if (location.point) {
            evidence.emplace(location.point->x, location.point->y,
                             location.type == "home" || location.type == "placement" ||
                                 location.restricted);
        }
    }
    if (testing_postgis()) {
        located = evidence;
    } else {
        EXPECT_EQ(evidence, located) << "the Store's locations are the file's";
    }
    std::vector<std::pair<double, double>> homes;
    std::set<std::pair<long long, long long>> public_metres;
    for (const auto& [x, y, home] : located) {
        if (home) {
            homes.emplace_back(x, y);
        } else {
            for (const long long dx : {-1, 0, 1}) {
                for (const long long dy : {-1, 0, 1}) {
                    public_metres.emplace(std::llround(x) + dx, std::llround(y) + dy);
                }
            }
        }
    }
    for (const auto& [x, y] : homes) {
        if (public_metres.count({std::llround(x), std::llround(y)}) == 0) {
            s.homes.emplace_back(x, y);
        }
    }
    const std::vector<unsigned char> key =
        store::open_store(db, store::Access::read)->pseudonym_key();
    s.key.emplace_back(key.begin(), key.end());
    std::string lower;
    std::string upper;
    for (const unsigned char byte : key) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", byte);
        lower += hex;
        std::snprintf(hex, sizeof hex, "%02X", byte);
        upper += hex;
    }
    s.key.push_back(lower);
    s.key.push_back(upper);
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

// What a search through every byte of a bundle found, by kind of secret.
struct LeakReport {
    std::map<std::string, std::pair<int, std::string>> by_kind;
    int count(const std::string& kind) const { return by_kind.at(kind).first; }
    const std::string& examples(const std::string& kind) const { return by_kind.at(kind).second; }
};

LeakReport search_bundle(const fs::path& bundle, const Secrets& s) {
    std::vector<std::string> needles;
    std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>> kinds;
    const auto add = [&](const std::string& kind, const auto& values) {
        const std::size_t first = needles.size();
        needles.insert(needles.end(), values.begin(), values.end());
        kinds.push_back({kind, {first, needles.size()}});
    };
    add("child ids", s.child_ids);
    add("person ids", s.person_ids);
    add("names", s.names);
    add("cpi source", s.source);
    add("free text", s.free_text);
    add("homes", home_patterns(s.homes));
    add("key", s.key);
    Finder finder(std::move(needles));
    for (const fs::path& file : files_under(bundle)) {
        finder.scan(file, read_file(file));
    }
    LeakReport report;
    for (const auto& [kind, range] : kinds) {
        report.by_kind[kind] = finder.found(range.first, range.second);
    }
    return report;
}

// The force world imported once, then exported for each profile.
class ExportForceWorld : public ::testing::Test {
protected:
    static inline TempDir* dir = nullptr;
    static inline TestStore* test_store = nullptr; // a SpatiaLite file or a PostGIS database
    static inline std::string db;
    static inline Secrets secrets;
    static inline std::map<std::string, ExportResult> results;
    static inline std::map<std::string, LeakReport> leaks; ///< by profile
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
        test_store = new TestStore(*dir, "waymark.db");
        db = test_store->location();
        waymark::testing::import_synthetic_world({.scale = synth::Scale::force, .seed = 11},
                                                 dir->path(), db);
        secrets = read_secrets(dir->path() / "world", db);
        auto store = store::open_store(db, store::Access::write);
        for (const Profile profile : {Profile::analyst, Profile::panel, Profile::partnership}) {
            const std::string name(to_string(profile));
            results[name] = run_export(*store, config(dir->path() / name),
                                       make_profile_stage(*store, profile, area));
            leaks[name] = search_bundle(dir->path() / name, secrets);
        }
    }

    static void TearDownTestSuite() {
        delete test_store;
        test_store = nullptr;
        delete dir;
        dir = nullptr;
    }

    static fs::path bundle(const std::string& profile) { return dir->path() / profile; }
};

TEST_F(ExportForceWorld, TheSecretsAreThereToBeFound) {
    // The search below proves nothing unless there is something to find.
    EXPECT_GT(secrets.child_ids.size(), 500u);
    EXPECT_GT(secrets.names.size(), 100u);
    EXPECT_GT(secrets.source.size(), 50u);
    EXPECT_GT(secrets.free_text.size(), 500u);
    EXPECT_GT(secrets.homes.size(), 100u);
    EXPECT_GT(secrets.protected_children.size(), 20u);
    ASSERT_EQ(secrets.key.size(), 3u);
    EXPECT_EQ(secrets.key[0].size(), 32u);
    // And the analyst bundle, which may hold ids, names and exact homes,
    // does: the search finds what is there.
    const LeakReport& analyst = leaks.at("analyst");
    EXPECT_GT(analyst.count("child ids"), 500);
    EXPECT_GT(analyst.count("names"), 50);
    EXPECT_GT(analyst.count("homes"), 100);
    std::printf("[ searched ] analyst bundle: %d child ids, %d person ids, %d names, %d home "
                "coordinates found (allowed)\n",
                analyst.count("child ids"), analyst.count("person ids"), analyst.count("names"),
                analyst.count("homes"));
}

TEST_F(ExportForceWorld, NoBundleHoldsCpiSourcesFreeTextOrTheKey) {
    for (const char* profile : {"analyst", "panel", "partnership"}) {
        SCOPED_TRACE(profile);
        const LeakReport& report = leaks.at(profile);
        EXPECT_EQ(report.count("key"), 0);
        EXPECT_EQ(report.count("cpi source"), 0) << report.examples("cpi source");
        EXPECT_EQ(report.count("free text"), 0) << report.examples("free text");
    }
}

TEST_F(ExportForceWorld, PanelAndPartnershipHoldNoIdNameOrHome) {
    for (const char* profile : {"panel", "partnership"}) {
        SCOPED_TRACE(profile);
        const LeakReport& report = leaks.at(profile);
        for (const char* kind : {"child ids", "person ids", "names", "homes"}) {
            EXPECT_EQ(report.count(kind), 0) << kind << report.examples(kind);
        }
        // Nor any point or line vertex within a metre of a home.
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

// Trafficked and UASC children: never below area level for the panel. Their
// pseudonyms appear in no incident point and no placed network node, and no
// network link of theirs leads to a place.
TEST_F(ExportForceWorld, PanelPlacesNoTraffickedOrUnaccompaniedChild) {
    auto store = store::open_store(db, store::Access::read);
    const auto key = store->pseudonym_key();
    std::set<std::string> hidden;
    for (const std::string& child : secrets.protected_children) {
        hidden.insert(pseudonym(key, child));
    }
    auto gpkg = gdal::Dataset::open((bundle("panel") / "waymark.gpkg").string());
    int points = 0;
    int checked = 0;
    for (int l = 0; l < gpkg.layer_count(); ++l) {
        OGRLayerH layer = gpkg.layer(l);
        const std::string name = OGR_L_GetName(layer);
        const char* field = name.rfind("points_", 0) == 0 ? "child"
                            : name == "network_nodes"     ? "entity"
                                                          : nullptr;
        if (field == nullptr) {
            continue;
        }
        const int index = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), field);
        ASSERT_GE(index, 0) << name;
        OGR_L_ResetReading(layer);
        while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
            ++checked;
            points += hidden.count(OGR_F_GetFieldAsString(feature, index)) != 0 ? 1 : 0;
            OGR_F_Destroy(feature);
        }
    }
    EXPECT_GT(checked, 10000);
    EXPECT_EQ(points, 0);
    // In the analyst bundle they are there (the check can fail).
    auto analyst = gdal::Dataset::open((bundle("analyst") / "waymark.gpkg").string());
    OGRLayerH from = GDALDatasetGetLayerByName(analyst.get(), "points_from");
    const int child = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(from), "child");
    int shown = 0;
    OGR_L_ResetReading(from);
    while (OGRFeatureH feature = OGR_L_GetNextFeature(from)) {
        shown += secrets.protected_children.count(OGR_F_GetFieldAsString(feature, child));
        OGR_F_Destroy(feature);
    }
    EXPECT_GT(shown, 0);
    // No link of theirs to a place in the panel's graph files, and no link
    // resting on RHI intelligence without consent (the area does not allow it).
    const auto edges = read_csv(bundle("panel") / "network" / "edges.csv");
    ASSERT_GT(edges.size(), 1000u);
    for (const auto& edge : edges) {
        for (const char* end : {"source", "target"}) {
            if (hidden.count(edge.at(end)) != 0) {
                const std::string other =
                    edge.at(std::string(end) == "source" ? "target" : "source");
                EXPECT_FALSE(other.rfind("place:", 0) == 0 || other.rfind("point:", 0) == 0 ||
                             other.rfind("label:", 0) == 0)
                    << edge.at("id");
            }
        }
        EXPECT_EQ(edge.at("consent_restricted"), "false") << edge.at("id");
    }
}

// Every file GDAL can read opens with ogrinfo or gdalinfo without an error.
TEST_F(ExportForceWorld, OgrinfoAndGdalinfoReadEveryFile) {
    for (const char* profile : {"analyst", "panel", "partnership"}) {
        for (const fs::path& file : files_under(bundle(profile))) {
            const std::string ext = file.extension().string();
            const char* tool = ext == ".tif"                         ? "gdalinfo -nomd"
                               : ext == ".gpkg" || ext == ".geojson" ? "ogrinfo -ro -so -al"
                                                                     : nullptr;
            if (tool == nullptr) {
                continue;
            }
            const std::string command = std::string(tool) + " '" + file.string() + "' 2>&1";
            FILE* pipe = popen(command.c_str(), "r");
            ASSERT_NE(pipe, nullptr);
            std::string output;
            char buffer[4096];
            while (const std::size_t read = fread(buffer, 1, sizeof buffer, pipe)) {
                output.append(buffer, read);
            }
            EXPECT_EQ(pclose(pipe), 0) << file << "\n" << output;
            EXPECT_EQ(output.find("ERROR"), std::string::npos) << file << "\n" << output;
        }
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
                        // (The synthetic area lies off East Anglia: longitude
                        // about 1.5 to 3.5, latitude about 52.5.)
                        EXPECT_GT(c[0].get<double>(), -10.0);
                        EXPECT_LT(c[0].get<double>(), 10.0);
                        EXPECT_GT(c[1].get<double>(), 45.0);
                        EXPECT_LT(c[1].get<double>(), 65.0);
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
    EXPECT_EQ(search_bundle(reused, secrets).count("child ids"), 0);
}

// What QGIS itself (headless) makes of a bundle: tests/engine/reference/
// qgis_check_bundle.py prints it as JSON.
nlohmann::json qgis_sees(const fs::path& project, const fs::path& render = {}) {
    std::string command = "QT_QPA_PLATFORM=offscreen /usr/bin/python3 " WAYMARK_SOURCE_DIR
                          "/tests/engine/reference/qgis_check_bundle.py '" +
                          project.string() + "'";
    if (!render.empty()) {
        command += " --render '" + render.string() + "'";
    }
    command += " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return nullptr;
    }
    std::string output;
    char buffer[4096];
    while (const std::size_t read = fread(buffer, 1, sizeof buffer, pipe)) {
        output.append(buffer, read);
    }
    if (pclose(pipe) != 0) {
        ADD_FAILURE() << "QGIS could not be run (make test installs python3-qgis): " << output;
        return nullptr;
    }
    return nlohmann::json::parse(output);
}

// A short period leaves some layers empty (no cluster of a role that day):
// they get one symbol, there being nothing to classify, and the export goes
// on (it failed: "a graduated style needs a field and at least one range").
TEST_F(ExportForceWorld, AShortPeriodWithEmptyLayersStillExports) {
    auto store = store::open_store(db, store::Access::write);
    ExportConfig day = config(dir->path() / "one-day");
    day.hotspots.filter.since = "2026-03-04";
    day.hotspots.filter.until = "2026-03-04";
    day.network.build.since = day.hotspots.filter.since;
    day.network.build.until = day.hotspots.filter.until;
    const ExportResult result =
        run_export(*store, day, make_profile_stage(*store, Profile::panel, area));
    EXPECT_GT(result.layers, 0);
    auto gpkg = gdal::Dataset::open((dir->path() / "one-day" / "waymark.gpkg").string());
    int empty_clusters = 0;
    for (int i = 0; i < gpkg.layer_count(); ++i) {
        const std::string name = OGR_L_GetName(gpkg.layer(i));
        if (name.rfind("clusters_", 0) == 0 && OGR_L_GetFeatureCount(gpkg.layer(i), TRUE) == 0) {
            ++empty_clusters;
        }
    }
    EXPECT_GT(empty_clusters, 0) << "the day chosen must leave a clusters layer empty";
}

std::string expected_renderer(const std::string& name) {
    if (name.rfind("points_", 0) == 0) {
        return "singleSymbol";
    }
    if (name.rfind("clusters_", 0) == 0 || name.rfind("cells_", 0) == 0) {
        return "graduatedSymbol";
    }
    return "categorizedSymbol"; // gistar_*, network_*
}

// The issue's acceptance: QGIS opens each bundle's project, every layer
// valid, in EPSG:27700, with GDAL's feature counts and its style applied;
// each GeoPackage table opened on its own gets its stored style and shows
// its metadata. The panel bundle is rendered to a PNG (docs/export.md shows
// it) and must not be blank.
TEST_F(ExportForceWorld, QgisOpensTheProjectStyled) {
    for (const char* profile : {"analyst", "panel", "partnership"}) {
        SCOPED_TRACE(profile);
        // Kept beside the test binary as an artefact (docs/images/ holds a copy).
        const fs::path render = fs::absolute("export-" + std::string(profile) + ".png");
        const nlohmann::json seen = qgis_sees(
            bundle(profile) / "waymark.qgs", std::string(profile) == "panel" ? render : fs::path());
        ASSERT_TRUE(seen.is_object());
        EXPECT_TRUE(seen["all_valid"].get<bool>());
        EXPECT_EQ(seen["crs"], "EPSG:27700");
        auto gpkg = gdal::Dataset::open((bundle(profile) / "waymark.gpkg").string());
        std::size_t vectors = 0;
        for (const auto& layer : seen["layers"]) {
            const std::string id = layer.value("id", "");
            SCOPED_TRACE(id);
            EXPECT_TRUE(layer["valid"].get<bool>());
            EXPECT_EQ(layer["crs"], "EPSG:27700");
            EXPECT_THAT(layer["keywords"]["profile"].dump(), HasSubstr(profile));
            EXPECT_FALSE(layer["title"].get<std::string>().empty());
            if (layer["kind"] == "raster") {
                EXPECT_EQ(layer["renderer"], "singlebandpseudocolor");
                continue;
            }
            ++vectors;
            const std::string table = layer["source"].get<std::string>().substr(
                layer["source"].get<std::string>().find("layername=") + 10);
            OGRLayerH ogr = GDALDatasetGetLayerByName(gpkg.get(), table.c_str());
            ASSERT_NE(ogr, nullptr);
            EXPECT_EQ(layer["featureCount"].get<std::int64_t>(), OGR_L_GetFeatureCount(ogr, TRUE));
            EXPECT_EQ(layer["renderer"], expected_renderer(table));
            const auto& direct = seen["gpkg"]["waymark.gpkg"][table];
            EXPECT_EQ(direct["renderer"], expected_renderer(table));
            EXPECT_EQ(direct["title"], layer["title"]);
        }
        const auto manifest = nlohmann::json::parse(read_file(bundle(profile) / "manifest.json"));
        EXPECT_EQ(vectors, manifest["layers"].size());
        if (std::string(profile) == "panel") {
            EXPECT_TRUE(seen["render_errors"].empty()) << seen["render_errors"].dump();
            // Not blank: a good share of the picture is drawn on.
            auto png = gdal::Dataset::open(render.string(), GDAL_OF_RASTER | GDAL_OF_READONLY);
            const int width = GDALGetRasterXSize(png.get());
            const int height = GDALGetRasterYSize(png.get());
            std::vector<unsigned char> red(static_cast<std::size_t>(width) * height);
            ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(png.get(), 1), GF_Read, 0, 0, width, height,
                                   red.data(), width, height, GDT_Byte, 0, 0),
                      CE_None);
            const auto drawn =
                std::count_if(red.begin(), red.end(), [](unsigned char v) { return v < 250; });
            EXPECT_GT(static_cast<double>(drawn) / static_cast<double>(red.size()), 0.05);
            std::printf("[ rendered ] %s\n", render.string().c_str());
        }
    }
}

} // namespace
} // namespace waymark
