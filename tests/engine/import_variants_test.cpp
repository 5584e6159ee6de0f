// `waymark synth --as police|council` end to end: the episodes a source
// system would export, imported through the import spec shipped for it in
// data/specs/, give the store the same content as the canonical episodes.csv
// of the same world — episode by episode, over every column the spec maps or
// defaults, and over where each location was put on the map and how. Also:
// the layouts written in data/synth/export_layout.cpp are still the inverse
// of the JSON specs, a wrong value map entry is caught, Windows-1252 and the
// date-time formats round-trip (except the hour repeated in autumn, which no
// local time can name), and the command line writes the files.

#include "base/error.hpp"
#include "data/synth/export_layout.hpp"
#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/cli/app.hpp"
#include "engine/import.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/columns.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/store.hpp"
#include "importers/datetime.hpp"
#include "importers/spec.hpp"
#include "importers/text.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace waymark::synth {

// GoogleTest prints the parameter of a failing test with this.
void PrintTo(ExportLayout layout, std::ostream* out) {
    *out << to_string(layout);
}

} // namespace waymark::synth

namespace waymark {
namespace {

namespace fs = std::filesystem;
using synth::ExportLayout;
using waymark::testing::StoreRows;
using waymark::testing::TempDir;
using waymark::testing::testing_postgis;
using waymark::testing::TestStore;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

fs::path shipped_spec(ExportLayout layout) {
    return fs::path(WAYMARK_SOURCE_DIR) / "data/specs" /
           std::string(synth::export_layout_spec(layout).spec_file);
}

importers::ImportSpec load_spec(const fs::path& path) {
    return importers::load_import_spec(path, model::episode_columns, "episodes");
}

std::string layout_name(const ::testing::TestParamInfo<ExportLayout>& info) {
    return std::string(synth::to_string(info.param));
}

/// Non-ASCII endings for place labels, all of which Windows-1252 has (é, ë,
/// ’, –, Œ, €, ü, ™), so that the police export must really be encoded.
constexpr std::array<std::string_view, 4> label_endings = {" Café", " (Zoë’s)", " – Œuvre €",
                                                           " Müller™"};

/// A small world (fixed seed) in which every third place's label has
/// characters beyond ASCII: the generator's own names are ASCII.
synth::World test_world() {
    synth::World world = synth::build_world({.scale = synth::Scale::small, .seed = 23});
    for (std::size_t i = 0; i < world.places.size(); i += 3) {
        world.places[i].label += label_endings[(i / 3) % label_endings.size()];
    }
    // One episode in the night the clocks go back: last seen in the first
    // 01:05, reported in the second 01:10 (which the export, having no offset,
    // can only give as the first), returned at 04:00.
    for (date::sys_info info = world.zone->get_info(world.start); info.end < world.end;
         info = world.zone->get_info(info.end)) {
        const date::sys_info next = world.zone->get_info(info.end);
        if (next.offset >= info.offset) {
            continue;
        }
        const model::Timestamp back{info.end};
        auto it = std::find_if(world.episodes.begin(), world.episodes.end(),
                               [&](const synth::EpisodeSpec& e) { return e.reported > back; });
        EXPECT_NE(it, world.episodes.begin());
        --it;
        it->last_seen = back - std::chrono::minutes{55};
        it->reported = back + std::chrono::minutes{10};
        it->returned = back + std::chrono::hours{3};
        break;
    }
    return world;
}

// ---- the store, row by row ---------------------------------------------------

/// The store column of a canonical episodes column.
std::string store_expression(std::string_view column) {
    static const std::map<std::string_view, std::string_view> location = {
        {"x", "given_x"},         {"y", "given_y"},     {"crs", "given_crs"},
        {"lat", "given_lat"},     {"lon", "given_lon"}, {"place_id", "place_key"},
        {"postcode", "postcode"}, {"label", "label"},   {"type", "type"}};
    if (column.starts_with("from_")) {
        return "f." + std::string(location.at(column.substr(5)));
    }
    if (column.starts_with("found_")) {
        return "o." + std::string(location.at(column.substr(6)));
    }
    if (column == "missing_with") {
        if (testing_postgis()) {
            return "(SELECT string_agg(child_id, ';' ORDER BY child_id) FROM "
                   "episode_missing_with w WHERE w.episode_id = e.episode_id)";
        }
        return "(SELECT group_concat(child_id, ';') FROM (SELECT child_id FROM "
               "episode_missing_with w WHERE w.episode_id = e.episode_id ORDER BY child_id))";
    }
    return "e." + std::string(column);
}

struct Compared {
    std::string name;
    std::string sql;
};

/// What is compared: every canonical column the spec maps or defaults (in
/// canonical order), then where each location was placed and how — the
/// resolution, the gazetteer place, the point.
std::vector<Compared> compared_columns(const importers::ImportSpec& spec) {
    std::set<std::string> carried;
    for (const auto& [canonical, source] : spec.columns) {
        carried.insert(canonical);
    }
    for (const auto& [canonical, value] : spec.defaults) {
        carried.insert(canonical);
    }
    std::vector<Compared> columns;
    for (const std::string_view column : model::episode_columns) {
        if (carried.contains(std::string(column))) {
            columns.push_back({std::string(column), store_expression(column)});
        }
    }
    columns.push_back({"has_found", "e.found_location_id IS NOT NULL"});
    for (const auto& [block, alias] :
         std::vector<std::pair<std::string, std::string>>{{"from", "f"}, {"found", "o"}}) {
        columns.push_back({block + ".resolution", alias + ".resolution"});
        columns.push_back({block + ".resolved_place_key", alias + ".resolved_place_key"});
        columns.push_back({block + ".place",
                           "(SELECT key FROM places p WHERE p.place_id = " + alias + ".place_id)"});
        // X() and Y() are SpatiaLite's names; PostGIS has only ST_X() and ST_Y().
        const std::string st = testing_postgis() ? "ST_" : "";
        columns.push_back({block + ".point_x", st + "X(" + alias + ".geom)"});
        columns.push_back({block + ".point_y", st + "Y(" + alias + ".geom)"});
    }
    return columns;
}

using Rows = std::map<std::string, std::vector<std::string>>;

/// A compared value as SQLite's quote() gives it (so NULL, '' and a number
/// differ): SQLite quotes it in the query; PostgreSQL, whose columns each
/// have one type, has no quote(), so the value is quoted here, numbers as
/// text too (a column's values are only compared with the same column's).
std::string quoted_sql(const std::string& sql) {
    return testing_postgis() ? sql : "quote(" + sql + ")";
}
std::string quoted(const std::optional<std::string>& value) {
    if (!testing_postgis()) {
        return value.value_or("");
    }
    if (!value) {
        return "NULL";
    }
    std::string text = "'";
    for (const char c : *value) {
        text += c == '\'' ? "''" : std::string(1, c);
    }
    return text + "'";
}

/// Each episode's compared values, by episode_id, quoted (quoted()).
Rows episode_rows(const std::string& db, const std::vector<Compared>& columns) {
    std::string sql = "SELECT e.episode_id";
    for (const Compared& column : columns) {
        sql += ", " + quoted_sql(column.sql);
    }
    sql += " FROM episodes e JOIN locations f ON f.location_id = e.from_location_id "
           "LEFT JOIN locations o ON o.location_id = e.found_location_id";
    Rows rows;
    for (const waymark::testing::StoreRow& found : StoreRows(db).rows(sql)) {
        std::vector<std::string>& row = rows[found.at(0).value_or("")];
        for (std::size_t i = 0; i < columns.size(); ++i) {
            row.push_back(quoted(found.at(i + 1)));
        }
    }
    return rows;
}

Rows child_rows(const std::string& db) {
    Rows rows;
    for (const waymark::testing::StoreRow& found :
         StoreRows(db).rows("SELECT child_id, " + quoted_sql("date_of_birth") + ", " +
                            quoted_sql("sex") + " FROM children")) {
        rows[found.at(0).value_or("")] = {quoted(found.at(1)), quoted(found.at(2))};
    }
    return rows;
}

/// Every difference, as "E-0000012 risk_grade: canonical 'high', police 'medium'".
std::vector<std::string> differences(const Rows& canonical, const Rows& variant,
                                     const std::vector<std::string>& names, std::string_view as) {
    std::vector<std::string> found;
    for (const auto& [id, row] : canonical) {
        const auto other = variant.find(id);
        if (other == variant.end()) {
            found.push_back(id + ": missing from the " + std::string(as) + " store");
            continue;
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (row[i] != other->second[i]) {
                found.push_back(id + " " + names[i] + ": canonical " + row[i] + ", " +
                                std::string(as) + " " + other->second[i]);
            }
        }
    }
    for (const auto& [id, row] : variant) {
        if (!canonical.contains(id)) {
            found.push_back(id + ": only in the " + std::string(as) + " store");
        }
    }
    return found;
}

/// What the export of the canonical store's times reads back as. The export
/// writes local time without an offset, so a time in the hour repeated when
/// the clocks go back is read as the earlier of its two instants: the
/// canonical rows with such a time in a date-time column are changed to that
/// earlier instant (an hour early for the second occurrence, unchanged for the
/// first). Returns how many times were in that hour and how many moved.
struct ExportedTimes {
    std::int64_t ambiguous = 0;
    std::int64_t moved = 0;
};

ExportedTimes read_as_exported(Rows& rows, const std::vector<std::string>& names,
                               const date::time_zone* zone) {
    ExportedTimes counts;
    for (auto& [id, row] : rows) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (!names[i].ends_with("_at") || row[i] == "NULL") {
                continue;
            }
            EXPECT_TRUE(row[i].size() > 2 && row[i].front() == '\'' && row[i].back() == '\'')
                << id << " " << names[i] << ": " << row[i];
            const model::Timestamp utc =
                model::parse_timestamp_utc(std::string_view(row[i]).substr(1, row[i].size() - 2));
            const auto local = zone->to_local(utc);
            const date::local_info info = zone->get_info(local);
            if (info.result != date::local_info::ambiguous) {
                continue;
            }
            ++counts.ambiguous;
            const model::Timestamp earlier{local.time_since_epoch() - info.first.offset};
            if (earlier != utc) {
                // Only the second occurrence moves, and by the change of offset.
                EXPECT_EQ(utc - earlier, info.first.offset - info.second.offset);
                EXPECT_EQ(utc - earlier, std::chrono::hours{1}) << id << " " << names[i];
                ++counts.moved;
                row[i] = "'" + model::format_timestamp(earlier) + "'";
            }
        }
    }
    return counts;
}

std::string first_of(const std::vector<std::string>& items, std::size_t count = 20) {
    std::string text;
    for (std::size_t i = 0; i < items.size() && i < count; ++i) {
        text += "\n  " + items[i];
    }
    return text;
}

std::vector<std::string> examples_of(const ImportReport& report) {
    std::vector<std::string> examples;
    for (const ImportExample& e : report.examples) {
        examples.push_back("line " + std::to_string(e.line) + " " + e.code + ": " + e.message);
    }
    return examples;
}

// The stores are SpatiaLite files or PostGIS databases (test_store.hpp); their
// rows are read and compared on either backend (StoreRows).
class ImportVariantsTest : public ::testing::TestWithParam<ExportLayout> {
protected:
    TempDir dir;
    std::deque<TestStore> stores;
    AreaSettings area; // Europe/London, as the world's times

    std::string new_store(const std::string& name) {
        const std::string db = stores.emplace_back(dir, name).location();
        store::create_or_upgrade_store(db, 27700);
        return db;
    }

    ImportReport import(const std::string& db, const std::string& kind, const fs::path& file,
                        const fs::path& spec = {}) {
        auto store = store::open_store(db, store::Access::write);
        return import_file(*store, area, {kind, file, spec});
    }

    /// The world written with the layout; the canonical store (gazetteer and
    /// episodes.csv) and a store with only the gazetteer, for the export.
    struct Setup {
        fs::path world;
        synth::WriteSummary summary;
        std::int64_t episodes = 0;
        std::string canonical_db;
        ImportReport canonical;
    };

    Setup set_up(ExportLayout layout) {
        Setup s;
        const synth::World world = test_world();
        s.world = dir.path() / "world";
        s.summary = synth::write_world(world, s.world, layout);
        s.episodes = static_cast<std::int64_t>(world.episodes.size());
        s.canonical_db = new_store("canonical.db");
        import(s.canonical_db, "gazetteer", s.world / "gazetteer.csv");
        s.canonical = import(s.canonical_db, "episodes", s.world / "episodes.csv");
        return s;
    }

    /// A store with the same gazetteer and the export imported through `spec`.
    std::pair<std::string, ImportReport> import_export(const Setup& s, ExportLayout layout,
                                                       const fs::path& spec,
                                                       const std::string& name) {
        const std::string db = new_store(name);
        import(db, "gazetteer", s.world / "gazetteer.csv");
        const fs::path file = s.world / std::string(synth::export_layout_spec(layout).file_name);
        return {db, import(db, "episodes", file, spec)};
    }
};

TEST_P(ImportVariantsTest, TheExportImportsToTheSameStoreContentAsTheCanonicalFile) {
    const ExportLayout layout = GetParam();
    const std::string as(synth::to_string(layout));
    const Setup s = set_up(layout);
    EXPECT_EQ(s.summary.variant_episodes, s.episodes);
    EXPECT_EQ(s.summary.variant_replaced_characters, 0);

    // The export is what its spec says it is.
    const synth::ExportLayoutSpec& spec = synth::export_layout_spec(layout);
    const std::string bytes = read_file(s.world / std::string(spec.file_name));
    if (layout == ExportLayout::police) {
        EXPECT_NE(bytes.find("Occurrence Ref,Incident Ref,Subject ID,"), std::string::npos);
        EXPECT_NE(bytes.find(" Caf\xE9"), std::string::npos) << "é in Windows-1252";
        EXPECT_NE(bytes.find("\x80"), std::string::npos) << "€ in Windows-1252";
        EXPECT_NE(bytes.find("\x92"), std::string::npos) << "’ in Windows-1252";
        EXPECT_EQ(importers::first_invalid_utf8(bytes).has_value(), true) << "not UTF-8";
        EXPECT_EQ(bytes.find("Café"), std::string::npos) << "no UTF-8 left";
        EXPECT_NE(bytes.find("\r\n"), std::string::npos);
    } else {
        EXPECT_TRUE(bytes.starts_with("\xEF\xBB\xBF"
                                      "Child ID,Episode No,Missing/Absent,"));
        EXPECT_NE(bytes.find(" Caf\xC3\xA9"), std::string::npos);
        EXPECT_FALSE(importers::first_invalid_utf8(bytes).has_value());
    }

    const auto [variant_db, variant] = import_export(s, layout, shipped_spec(layout), as + ".db");
    EXPECT_EQ(s.canonical.rows_read, s.episodes);
    EXPECT_EQ(variant.rows_read, s.episodes);
    EXPECT_EQ(s.canonical.inserted, s.episodes);
    EXPECT_EQ(variant.inserted, s.episodes);
    EXPECT_EQ(s.canonical.quarantined, 0) << first_of(examples_of(s.canonical));
    EXPECT_EQ(variant.quarantined, 0) << first_of(examples_of(variant));
    EXPECT_TRUE(variant.unknown_columns.empty()) << variant.unknown_columns.front();
    EXPECT_EQ(variant.unresolved_locations, s.canonical.unresolved_locations);
    EXPECT_EQ(variant.unresolved_locations, 0);
    // The canonical file writes a time in the hour the clocks go back with its
    // offset, so it names one instant and is read without a warning; the
    // export's formats have no offset, so each such time is read as the
    // earlier instant with an ambiguous_time warning. No other warnings.
    EXPECT_FALSE(s.canonical.warnings_by_reason.contains("ambiguous_time"));
    std::map<std::string, std::int64_t> expected_warnings = s.canonical.warnings_by_reason;
    if (s.summary.variant_ambiguous_times > 0) {
        expected_warnings["ambiguous_time"] = s.summary.variant_ambiguous_times;
    }
    EXPECT_EQ(variant.warnings_by_reason, expected_warnings);

    const importers::ImportSpec shipped = load_spec(shipped_spec(layout));
    const std::vector<Compared> columns = compared_columns(shipped);
    std::vector<std::string> names;
    for (const Compared& c : columns) {
        names.push_back(c.name);
    }
    Rows canonical_rows = episode_rows(s.canonical_db, columns);
    const Rows variant_rows = episode_rows(variant_db, columns);
    ASSERT_EQ(canonical_rows.size(), static_cast<std::size_t>(s.episodes));
    // Everything equal, but for a time in the repeated hour, which the export
    // can only give as the earlier instant.
    const ExportedTimes exported =
        read_as_exported(canonical_rows, names, date::locate_zone("Europe/London"));
    EXPECT_EQ(exported.ambiguous, s.summary.variant_ambiguous_times);
    EXPECT_GE(exported.moved, 1) << "test_world() puts one in the second 01:xx";
    EXPECT_LE(exported.moved, exported.ambiguous);
    const auto found = differences(canonical_rows, variant_rows, names, as);
    EXPECT_TRUE(found.empty()) << found.size() << " differences:" << first_of(found);
    const auto children = differences(child_rows(s.canonical_db), child_rows(variant_db),
                                      {"date_of_birth", "sex"}, as);
    EXPECT_TRUE(children.empty()) << children.size() << " differences:" << first_of(children);

    // The comparison means something: every mapped column is there, and the
    // coded ones hold several codes (so the value maps were exercised).
    EXPECT_GE(columns.size(), 18U + 11U);
    for (const auto& [field, map] : shipped.values) {
        const auto at = std::find(names.begin(), names.end(), field);
        ASSERT_NE(at, names.end()) << field;
        std::set<std::string> seen;
        for (const auto& [id, row] : canonical_rows) {
            seen.insert(row[static_cast<std::size_t>(at - names.begin())]);
        }
        EXPECT_GE(seen.size(), field == "category" ? 1U : 2U) << field;
    }
    std::set<std::string> resolutions;
    for (const auto& [id, row] : canonical_rows) {
        resolutions.insert(row[static_cast<std::size_t>(
            std::find(names.begin(), names.end(), "from.resolution") - names.begin())]);
    }
    EXPECT_GE(resolutions.size(), 3U) << "locations given in several ways";
}

TEST_P(ImportVariantsTest, AWrongValueMapEntryInTheSpecIsCaught) {
    const ExportLayout layout = GetParam();
    const Setup s = set_up(layout);
    // The spec with "high" read as "medium".
    auto json = nlohmann::ordered_json::parse(read_file(shipped_spec(layout)));
    const std::string high = layout == ExportLayout::police ? "H" : "High";
    ASSERT_EQ(json["values"]["risk_grade"][high], "high");
    json["values"]["risk_grade"][high] = "medium";
    const fs::path wrong = dir.path() / "wrong-spec.json";
    std::ofstream(wrong) << json.dump(2);

    const auto [db, report] = import_export(s, layout, wrong, "wrong.db");
    EXPECT_EQ(report.quarantined, 0);
    const std::vector<Compared> columns = compared_columns(load_spec(shipped_spec(layout)));
    std::vector<std::string> names;
    for (const Compared& c : columns) {
        names.push_back(c.name);
    }
    Rows canonical_rows = episode_rows(s.canonical_db, columns);
    read_as_exported(canonical_rows, names, date::locate_zone("Europe/London"));
    const auto found =
        differences(canonical_rows, episode_rows(db, columns), names, synth::to_string(layout));
    ASSERT_FALSE(found.empty()) << "the comparison did not notice the wrong entry";
    for (const std::string& difference : found) {
        EXPECT_NE(difference.find(" risk_grade: canonical 'high', "), std::string::npos)
            << difference;
    }
    EXPECT_EQ(static_cast<std::int64_t>(found.size()),
              StoreRows(s.canonical_db)
                  .int64("SELECT count(*) FROM episodes WHERE risk_grade = "
                         "'high'"));
}

TEST_P(ImportVariantsTest, TheLayoutIsTheInverseOfTheShippedSpec) {
    const ExportLayout layout = GetParam();
    const synth::ExportLayoutSpec& written = synth::export_layout_spec(layout);
    const importers::ImportSpec spec = load_spec(shipped_spec(layout));
    EXPECT_EQ(written.layout, layout);
    EXPECT_EQ(written.encoding, spec.encoding);
    EXPECT_EQ(written.delimiter, spec.delimiter);

    // The same columns, in the same order.
    std::vector<std::pair<std::string, std::string>> columns;
    for (const synth::ExportColumn& column : written.columns) {
        columns.emplace_back(column.canonical, column.source);
    }
    EXPECT_EQ(columns, spec.columns);

    std::map<std::string, std::string> defaults;
    for (const synth::ExportDefault& d : written.defaults) {
        defaults.emplace(d.canonical, d.value);
    }
    EXPECT_EQ(defaults, spec.defaults);

    // The date-time format is the spec's first; dates are its date part.
    ASSERT_FALSE(spec.datetime_formats.empty());
    EXPECT_EQ(written.datetime_format, spec.datetime_formats.front());
    EXPECT_TRUE(std::string_view(spec.datetime_formats.front()).starts_with(written.date_format));
    EXPECT_NE(
        std::find(spec.datetime_formats.begin(), spec.datetime_formats.end(), written.date_format),
        spec.datetime_formats.end());

    // Every word written is read back as the value it stands for...
    std::set<std::pair<std::string, std::string>> written_values; // field, canonical
    for (const synth::ExportValue& entry : written.values) {
        ASSERT_TRUE(spec.values.contains(std::string(entry.field))) << entry.field;
        const auto& map = spec.values.at(std::string(entry.field));
        const auto word = map.find(std::string(entry.source));
        ASSERT_NE(word, map.end()) << entry.field << " '" << entry.source << "'";
        EXPECT_EQ(word->second, entry.canonical) << entry.field << " '" << entry.source << "'";
        EXPECT_TRUE(written_values.emplace(entry.field, entry.canonical).second)
            << entry.field << " '" << entry.canonical << "' has two words";
    }
    // ...and every value the spec has a word for is written with one.
    for (const auto& [field, map] : spec.values) {
        for (const auto& [source, canonical] : map) {
            EXPECT_TRUE(written_values.contains({field, canonical}))
                << field << ": no word written for '" << canonical << "' (the spec reads '"
                << source << "')";
        }
    }
    // A code the spec has no word for is written as it is: it must not be a
    // word of the map, or it would be read as something else.
    const std::map<std::string, std::vector<std::string_view>> codes = {
        {"sex", {model::all_codes<model::Sex>().begin(), model::all_codes<model::Sex>().end()}},
        {"category",
         {model::all_codes<model::EpisodeCategory>().begin(),
          model::all_codes<model::EpisodeCategory>().end()}},
        {"setting",
         {model::all_codes<model::Setting>().begin(), model::all_codes<model::Setting>().end()}},
        {"placement_area",
         {model::all_codes<model::PlacementArea>().begin(),
          model::all_codes<model::PlacementArea>().end()}},
        {"risk_grade",
         {model::all_codes<model::RiskGrade>().begin(),
          model::all_codes<model::RiskGrade>().end()}},
        {"returned_by",
         {model::all_codes<model::ReturnedBy>().begin(),
          model::all_codes<model::ReturnedBy>().end()}},
    };
    for (const auto& [field, map] : spec.values) {
        std::vector<std::string_view> all = {"Y", "N"};
        if (codes.contains(field)) {
            all = codes.at(field);
        }
        for (const std::string_view code : all) {
            if (!written_values.contains({field, std::string(code)})) {
                EXPECT_FALSE(map.contains(std::string(code)))
                    << field << ": the code '" << code << "' would be misread";
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Layouts, ImportVariantsTest,
                         ::testing::Values(ExportLayout::police, ExportLayout::council),
                         layout_name);

TEST(ExportLayout, TheOtherFilesOfTheWorldDoNotChange) {
    TempDir dir;
    const synth::World world = synth::build_world({.scale = synth::Scale::small, .seed = 4});
    synth::write_world(world, dir.path() / "plain");
    synth::write_world(world, dir.path() / "police", ExportLayout::police);
    synth::write_world(world, dir.path() / "canonical", ExportLayout::canonical);
    for (const char* file :
         {"gazetteer.csv", "persons.csv", "rhi.jsonl", "cpi.jsonl", "truth.json"}) {
        EXPECT_EQ(read_file(dir.path() / "plain" / file), read_file(dir.path() / "police" / file))
            << file;
    }
    for (const char* file :
         {"gazetteer.csv", "persons.csv", "episodes.csv", "rhi.jsonl", "cpi.jsonl", "truth.json"}) {
        EXPECT_EQ(read_file(dir.path() / "plain" / file),
                  read_file(dir.path() / "canonical" / file))
            << file;
    }
    EXPECT_FALSE(fs::exists(dir.path() / "plain" / "episodes-police.csv"));
    EXPECT_FALSE(fs::exists(dir.path() / "canonical" / "episodes-police.csv"));
    EXPECT_TRUE(fs::exists(dir.path() / "police" / "episodes-police.csv"));
    // With --as the canonical episodes give what the export can carry: no
    // age-only rows, no lat/lon, and for the police no UPRNs.
    EXPECT_NE(read_file(dir.path() / "plain" / "episodes.csv"),
              read_file(dir.path() / "police" / "episodes.csv"));
    int age_only = 0;
    for (const synth::EpisodeSpec& spec : world.episodes) {
        age_only += synth::to_episode(world, spec).date_of_birth ? 0 : 1;
        const model::Episode e = synth::to_episode(world, spec, ExportLayout::police);
        EXPECT_TRUE(e.date_of_birth && !e.age) << e.episode_id;
        for (const model::Location* l : {&e.from, e.found ? &*e.found : nullptr}) {
            if (l != nullptr) {
                EXPECT_TRUE(!l->lat && !l->lon && l->place_id.empty()) << e.episode_id;
            }
        }
        EXPECT_TRUE(!e.found || !e.found->x) << e.episode_id << ": police have no found x/y";
        const model::Episode c = synth::to_episode(world, spec, ExportLayout::council);
        EXPECT_TRUE(!c.from.x && !c.from.lat) << c.episode_id;
        EXPECT_TRUE(!c.found || c.found->postcode.empty()) << c.episode_id;
    }
    EXPECT_GT(age_only, 0) << "the canonical world gives some ages only";
}

TEST(ExportLayout, EveryWindows1252CharacterRoundTripsAndTheRestBecomeQuestionMarks) {
    for (int byte = 0; byte < 256; ++byte) {
        if (byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 || byte == 0x9D) {
            continue; // not defined in Windows-1252
        }
        const std::string original(1, static_cast<char>(byte));
        std::string utf8;
        ASSERT_TRUE(importers::append_windows_1252_as_utf8(utf8, original));
        std::string back;
        EXPECT_EQ(synth::append_utf8_as_windows_1252(back, utf8), 0U) << byte;
        EXPECT_EQ(back, original) << byte;
    }
    std::string out;
    EXPECT_EQ(synth::append_utf8_as_windows_1252(out, "Łódź Café"), 2U);
    EXPECT_EQ(out, "?\xF3"
                   "d? Caf\xE9");
    out.clear();
    // A C1 control (U+0081), a character beyond the BMP, invalid UTF-8.
    EXPECT_EQ(synth::append_utf8_as_windows_1252(out, "a\xC2\x81"
                                                      "b\xF0\x9F\x98\x80"
                                                      "c\xFF\xC3"),
              4U);
    EXPECT_EQ(out, "a?b?c??");
}

TEST(ExportLayout, DateTimesRoundTripExceptInTheHourRepeatedInAutumn) {
    const date::time_zone* london = date::locate_zone("Europe/London");
    for (const ExportLayout layout : {ExportLayout::police, ExportLayout::council}) {
        const synth::ExportLayoutSpec& written = synth::export_layout_spec(layout);
        const importers::DateTimeParser parser(london,
                                               load_spec(shipped_spec(layout)).datetime_formats);
        // Every quarter of an hour over two years, both clock changes included.
        const auto start = model::Timestamp{
            std::chrono::sys_days{std::chrono::year{2025} / std::chrono::January / 1}};
        const auto end = model::Timestamp{
            std::chrono::sys_days{std::chrono::year{2027} / std::chrono::January / 1}};
        int ambiguous = 0;
        int earlier = 0;
        for (auto t = start; t < end; t += std::chrono::minutes{15}) {
            std::string text;
            const bool repeated =
                synth::append_export_time(text, t, london, written.datetime_format);
            const importers::ParsedTime parsed = parser.parse(text);
            if (!repeated) {
                EXPECT_EQ(model::format_timestamp(parsed.utc), model::format_timestamp(t)) << text;
                EXPECT_TRUE(parsed.warning.empty()) << text;
                continue;
            }
            ++ambiguous;
            EXPECT_FALSE(parsed.warning.empty()) << text;
            // The first 01:xx is right; the second is read an hour early.
            if (parsed.utc != t) {
                EXPECT_EQ(model::format_timestamp(parsed.utc),
                          model::format_timestamp(t - std::chrono::hours{1}))
                    << text;
                ++earlier;
            }
        }
        // Two autumns, an hour happening twice, four quarters each time.
        EXPECT_EQ(ambiguous, 2 * 2 * 4) << synth::to_string(layout);
        EXPECT_EQ(earlier, 2 * 4) << synth::to_string(layout);

        for (auto day = std::chrono::sys_days{std::chrono::year{1995} / 1 / 1};
             day < std::chrono::sys_days{std::chrono::year{2027} / 1 / 1};
             day += std::chrono::days{1}) {
            std::string text;
            synth::append_export_date(text, day, written.date_format);
            const auto parsed = parser.parse_date(text);
            ASSERT_TRUE(parsed.has_value()) << text;
            EXPECT_EQ(model::format_date(*parsed), model::format_date(day)) << text;
        }
    }
    std::string text;
    synth::append_export_time(
        text,
        model::Timestamp{std::chrono::sys_days{std::chrono::year{2026} / std::chrono::March / 14}} +
            std::chrono::hours{21} + std::chrono::minutes{40},
        london, "%d-%b-%Y %H:%M");
    EXPECT_EQ(text, "14-Mar-2026 21:40");
}

model::Episode one_episode() {
    using namespace std::chrono;
    model::Episode e;
    e.episode_id = "E-1";
    e.child_id = "C-1";
    e.reported_at = sys_days{year{2026} / March / 14} + hours{21} + minutes{40};
    e.date_of_birth = sys_days{year{2010} / November / 2};
    e.sex = model::Sex::female;
    e.setting = model::Setting::childrens_home;
    e.risk_grade = model::RiskGrade::high;
    e.from.label = "Café, \"Zoë’s\"";
    e.from.postcode = "ZZ1 4AB";
    e.cse = true;
    return e;
}

std::string written(ExportLayout layout, const model::Episode& e) {
    std::ostringstream out;
    synth::EpisodeExportWriter writer(out, layout, date::locate_zone("Europe/London"));
    writer.header();
    writer.write(e);
    return out.str();
}

TEST(ExportLayout, ARecordIsWrittenInTheLayoutsWordsEncodingAndDates) {
    EXPECT_EQ(written(ExportLayout::police, one_episode()),
              "Occurrence Ref,Incident Ref,Subject ID,Reported,Last Seen,Returned,DOB,Gender,"
              "Missing From Type,Risk,Missing From Address,Missing From Postcode,Missing From "
              "Easting,Missing From Northing,Found Location,Found Postcode,Return Method,Missing "
              "With,S&W Check,CSE Flag,CCE Flag\r\n"
              "E-1,,C-1,14/03/2026 21:40,,,02/11/2010,Female,Childrens Home,H,"
              "\"Caf\xE9, \"\"Zo\xEB\x92s\"\"\",ZZ1 4AB,,,,,,,,Yes,\r\n");
    EXPECT_EQ(written(ExportLayout::council, one_episode()),
              "\xEF\xBB\xBF"
              "Child ID,Episode No,Missing/Absent,Date Reported,Date Went Missing,Date Returned,"
              "Date of Birth,Sex,Placement Type,LAC,Placement Location,Placing Authority,Police "
              "Risk Level,Police Ref,Missing From (Address Label),Missing From (UPRN),Missing From "
              "(Postcode),Found At (Address Label),Found At (UPRN),Returned By,CSE Concern,CCE "
              "Concern,Trafficking Concern,UASC\n"
              "C-1,E-1,Missing,14-Mar-2026 21:40,,,02-Nov-2010,Female,Residential,,,,High,,"
              "\"Café, \"\"Zoë’s\"\"\",,ZZ1 4AB,,,,Yes,Not Known,Not Known,\n");
}

TEST(ExportLayout, ARecordTheLayoutCannotCarryIsRefused) {
    using waymark::testing::message_of;
    model::Episode e = one_episode();
    e.from.lat = 52.1;
    e.from.lon = 1.9;
    EXPECT_EQ(message_of<Error>([&] { written(ExportLayout::police, e); }),
              "writing episodes-police.csv: episode E-1: from_lat cannot be written: the police "
              "layout has no column for it");
    e = one_episode();
    e.from.x = 700000;
    e.from.y = 300000;
    EXPECT_EQ(message_of<Error>([&] { written(ExportLayout::council, e); }),
              "writing episodes-council.csv: episode E-1: from_x cannot be written: the council "
              "layout has no column for it");
    e.from.crs = 4326;
    EXPECT_EQ(message_of<Error>([&] { written(ExportLayout::police, e); }),
              "writing episodes-police.csv: episode E-1: from_crs 4326 cannot be written: the "
              "police layout has no column for it");
    e = one_episode();
    e.date_of_birth.reset();
    e.age = 15;
    EXPECT_EQ(message_of<Error>([&] { written(ExportLayout::council, e); }),
              "writing episodes-council.csv: episode E-1: only the age is given, and the council "
              "layout has no age column (write the date of birth)");
    e = one_episode();
    e.category = model::EpisodeCategory::absent;
    EXPECT_EQ(message_of<Error>([&] { written(ExportLayout::police, e); }),
              "writing episodes-police.csv: episode E-1: category absent cannot be written: the "
              "police layout has no category column");
    EXPECT_NE(written(ExportLayout::council, e).find(",Absent,"), std::string::npos);
    e = one_episode();
    e.reported_at += std::chrono::seconds{5};
    EXPECT_EQ(message_of<Error>([&] { written(ExportLayout::police, e); }),
              "writing episodes-police.csv: episode E-1: reported_at 2026-03-14T21:40:05Z has "
              "seconds, which %d/%m/%Y %H:%M cannot write");
    // Whole columns the layout lacks are left out, as documented.
    e = one_episode();
    e.looked_after = true;
    e.missing_with = {"C-2"};
    EXPECT_EQ(written(ExportLayout::police, e).find(",Y,"), std::string::npos);
    EXPECT_EQ(written(ExportLayout::council, e).find("C-2"), std::string::npos);
    // Every code has a word in the police export.
    e.sex = model::Sex::other;
    e.setting = model::Setting::care_leaver;
    EXPECT_NE(written(ExportLayout::police, e).find(",Not Specified,Care Leaver Accommodation,H,"),
              std::string::npos);
}

// ---- the command line ----------------------------------------------------------

using Outcome = waymark::testing::CliOutcome;
using waymark::testing::run_cli;

TEST(ExportLayout, SynthAsWritesTheExportAndSaysHowToImportIt) {
    TempDir dir;
    const std::string out = dir.file("world");
    const Outcome result = run_cli({"synth", "--out", out, "--seed", "3", "--as", "council"});
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_NE(result.out.find("  episodes-council.csv  the "), std::string::npos) << result.out;
    EXPECT_NE(result.out.find(" episodes as a council export (import it with "
                              "data/specs/council-episodes.json)\n"),
              std::string::npos)
        << result.out;
    EXPECT_TRUE(fs::exists(fs::path(out) / "episodes-council.csv"));
    EXPECT_TRUE(fs::exists(fs::path(out) / "episodes.csv"));

    const Outcome wrong = run_cli({"synth", "--out", out, "--as", "nhs"});
    EXPECT_EQ(wrong.code, 2);
    EXPECT_EQ(wrong.err, "waymark: error: --as: nhs not in {canonical,police,council} (see "
                         "'waymark synth --help')\n");
    const Outcome help = run_cli({"synth", "--help"});
    EXPECT_NE(help.out.find("--as"), std::string::npos);
}

} // namespace
} // namespace waymark
