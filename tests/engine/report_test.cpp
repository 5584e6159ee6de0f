// The panel pack (issue 9): its figures against an independent computation
// from the synthetic files (tests/engine/reference/report_check.py), the
// partnership profile's suppression, the panel's pseudonyms, the triggers
// table against the triggers engine, and the HTML's escaping.

#include "base/error.hpp"
#include "engine/report.hpp"
#include "engine/report_html.hpp"
#include "engine/triggers.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"
#include "tests/support/world_store.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace waymark {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::TestStore;

constexpr const char* since = "2025-10-01";
constexpr const char* until = "2026-06-30";

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

const FigureTable* find_table(const ReportFigures& figures, const std::string& id) {
    for (const FigureTable& table : figures.tables) {
        if (table.id == id) {
            return &table;
        }
    }
    return nullptr;
}

class ReportWorld : public ::testing::Test {
protected:
    static inline TempDir* dir = nullptr;
    static inline TestStore* test_store = nullptr; // a SpatiaLite file or a PostGIS database
    static inline std::string db;
    static inline AreaSettings area;
    static inline ReportResult analyst_result;

    static void SetUpTestSuite() {
        dir = new TempDir();
        test_store = new TestStore(*dir, "waymark.db");
        db = test_store->location();
        waymark::testing::import_synthetic_world({.scale = synth::Scale::small, .seed = 23},
                                                 dir->path(), db);
        auto store = store::open_store(db, store::Access::write);
        ReportConfig config;
        config.since = since;
        config.until = until;
        config.out = dir->path() / "pack-analyst";
        analyst_result =
            run_report(*store, make_profile_stage(*store, Profile::analyst, area), area, config);
    }

    static void TearDownTestSuite() {
        delete test_store;
        test_store = nullptr;
        delete dir;
        dir = nullptr;
    }

    static ReportFigures figures(Profile profile) {
        const auto store = store::open_store(db, store::Access::read);
        return compute_report_figures(
            store->case_records(), make_profile_stage(*store, profile, area), area, since, until);
    }
};

TEST_F(ReportWorld, FiguresEqualTheIndependentComputation) {
    const fs::path script =
        fs::path(WAYMARK_SOURCE_DIR) / "tests" / "engine" / "reference" / "report_check.py";
    const fs::path log = dir->path() / "report_check.log";
    const std::string command = "/usr/bin/python3 '" + script.string() + "' '" +
                                (dir->path() / "world").string() + "' '" +
                                (dir->path() / "pack-analyst").string() + "' --since " + since +
                                " --until " + until + " > '" + log.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    EXPECT_EQ(status, 0) << read_text(log);
    EXPECT_NE(read_text(log).find("figures of 18 tables match"), std::string::npos)
        << read_text(log);
}

TEST_F(ReportWorld, WritesTheHtmlTheCsvsAndAManifest) {
    const fs::path out = dir->path() / "pack-analyst";
    ASSERT_TRUE(fs::exists(out / "report.html"));
    ASSERT_TRUE(fs::exists(out / "manifest.json"));
    EXPECT_GE(analyst_result.tables, 20);
    EXPECT_GT(analyst_result.analysis_run, 0);
    const auto manifest = nlohmann::json::parse(read_text(out / "manifest.json"));
    EXPECT_EQ(manifest["profile"], "analyst");
    EXPECT_EQ(manifest["period"]["since"], since);
    for (const auto& table : manifest["tables"]) {
        const std::string csv = read_text(out / table["csv"].get<std::string>());
        EXPECT_TRUE(csv.starts_with("# Waymark report: ")) << table["csv"];
        EXPECT_NE(csv.find("profile analyst"), std::string::npos) << table["csv"];
        EXPECT_TRUE(manifest["files"].contains(table["csv"].get<std::string>()));
    }
    EXPECT_TRUE(manifest["files"].contains("report.html"));
    EXPECT_TRUE(fs::exists(out / "csv" / "trigger_children.csv"));
}

TEST_F(ReportWorld, TriggersTableCountsWhatTheTriggersEngineFinds) {
    const ReportFigures analyst = figures(Profile::analyst);
    const FigureTable* table = find_table(analyst, "triggers_met");
    ASSERT_NE(table, nullptr);
    const auto store = store::open_store(db, store::Access::read);
    const date::time_zone* zone = date::locate_zone(area.time_zone);
    TriggerQuery query;
    query.since = date::floor<std::chrono::seconds>(
        zone->to_sys(date::local_days(model::parse_date(since).time_since_epoch())));
    query.as_of = date::floor<std::chrono::seconds>(zone->to_sys(date::local_days(
                      (model::parse_date(until) + date::days(1)).time_since_epoch()))) -
                  std::chrono::seconds(1);
    const TriggerResult result = evaluate_triggers(store->case_records(), area.triggers, query);
    for (const FigureRow& row : table->rows) {
        ASSERT_TRUE(row.values[0].has_value());
        if (row.key == "any") {
            EXPECT_EQ(*row.values[0], result.children_meeting_any());
            continue;
        }
        bool matched = false;
        for (const Trigger t : all_triggers) {
            if (to_code(t) == row.key) {
                EXPECT_EQ(*row.values[0], result.children_meeting(t)) << row.key;
                matched = true;
            }
        }
        EXPECT_TRUE(matched) << row.key;
    }
    EXPECT_GT(result.children_meeting_any(), 0);
    EXPECT_EQ(analyst.trigger_children.size(),
              static_cast<std::size_t>(result.children_meeting_any()));
}

TEST_F(ReportWorld, PartnershipSuppressesSmallCountsSoThatTotalsRevealNothing) {
    const ReportFigures partnership = figures(Profile::partnership);
    const ReportFigures analyst = figures(Profile::analyst);
    const int k = partnership.suppression_k;
    EXPECT_TRUE(partnership.trigger_children.empty());
    int suppressed = 0;
    for (const FigureTable& table : partnership.tables) {
        for (const FigureRow& row : table.rows) {
            for (const Figure& value : row.values) {
                if (value) {
                    EXPECT_GE(*value, k) << table.id << " " << row.key;
                } else {
                    ++suppressed;
                }
            }
        }
        if (!table.partition) {
            continue;
        }
        // A column with a shown total never hides exactly one row.
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            int hidden = 0;
            bool total_shown = false;
            for (const FigureRow& row : table.rows) {
                if (row.total) {
                    total_shown = row.values[c].has_value();
                } else if (!row.values[c]) {
                    ++hidden;
                }
            }
            if (total_shown) {
                EXPECT_NE(hidden, 1) << table.id << " column " << table.columns[c];
            }
        }
    }
    EXPECT_GT(suppressed, 0) << "the small world has small cells to suppress";
    // Shown figures are the analyst's figures.
    for (const FigureTable& table : partnership.tables) {
        const FigureTable* full = find_table(analyst, table.id);
        ASSERT_NE(full, nullptr) << table.id;
        for (const FigureRow& row : table.rows) {
            for (const FigureRow& other : full->rows) {
                if (other.key != row.key) {
                    continue;
                }
                for (std::size_t c = 0; c < row.values.size(); ++c) {
                    if (row.values[c]) {
                        EXPECT_EQ(row.values[c], other.values[c]) << table.id << " " << row.key;
                    }
                }
            }
        }
    }
}

TEST_F(ReportWorld, PartnershipPackHoldsNoIdsAndNoPoints) {
    const auto store = store::open_store(db, store::Access::write);
    const ProfileStage stage = make_profile_stage(*store, Profile::partnership, area);
    ReportConfig config;
    config.since = since;
    config.until = until;
    config.out = dir->path() / "pack-partnership";
    run_report(*store, stage, area, config);
    const Report report = build_report(*store, stage, area, config);
    ASSERT_EQ(report.maps.roles.size(), 4u);
    for (const RoleMap& map : report.maps.roles) {
        EXPECT_TRUE(map.points.empty()) << map.role;
        EXPECT_TRUE(map.clusters.empty()) << map.role;
        EXPECT_TRUE(map.hot.empty()) << map.role;
        for (const RoleMap::Shape& cell : map.cells) {
            if (cell.children) {
                EXPECT_GE(*cell.children, stage.settings().suppression_k);
            }
        }
    }
    EXPECT_TRUE(report.targets.empty());
    const std::string html = read_text(config.out / "report.html");
    for (const char* pattern : {"C-0", "E-0", "R-0", "ps-"}) {
        EXPECT_EQ(html.find(pattern), std::string::npos) << pattern;
    }
    EXPECT_FALSE(fs::exists(config.out / "csv" / "trigger_children.csv"));
}

TEST_F(ReportWorld, WritingOverAnotherProfilesPackLeavesNoneOfItsFiles) {
    const auto store = store::open_store(db, store::Access::write);
    ReportConfig config;
    config.since = since;
    config.until = until;
    config.network = false;
    config.maps = false;
    config.out = dir->path() / "pack-reused";
    run_report(*store, make_profile_stage(*store, Profile::analyst, area), area, config);
    ASSERT_TRUE(fs::exists(config.out / "csv" / "trigger_children.csv"));
    run_report(*store, make_profile_stage(*store, Profile::partnership, area), area, config);
    EXPECT_FALSE(fs::exists(config.out / "csv" / "trigger_children.csv"));
    EXPECT_EQ(nlohmann::json::parse(read_text(config.out / "manifest.json"))["profile"],
              "partnership");
    // A folder holding anything else is refused.
    const fs::path other = dir->path() / "other";
    fs::create_directories(other);
    std::ofstream(other / "notes.txt") << "keep";
    config.out = other;
    try {
        run_report(*store, make_profile_stage(*store, Profile::panel, area), area, config);
        FAIL() << "expected UsageError";
    } catch (const UsageError& error) {
        EXPECT_NE(std::string(error.what()).find("holds no earlier Waymark report"),
                  std::string::npos)
            << error.what();
    }
}

TEST_F(ReportWorld, PanelNamesChildrenByPseudonymAndKeepsFreeTextOut) {
    const ReportFigures panel = figures(Profile::panel);
    ASSERT_FALSE(panel.trigger_children.empty());
    for (const TriggerChild& child : panel.trigger_children) {
        EXPECT_TRUE(child.child.starts_with("ps-")) << child.child;
        for (const std::string& episode : child.episodes) {
            EXPECT_TRUE(episode.starts_with("ps-")) << episode;
        }
    }
    const FigureTable* reasons = find_table(panel, "rhi_declined_reasons");
    ASSERT_NE(reasons, nullptr);
    for (const FigureRow& row : reasons->rows) {
        EXPECT_TRUE(row.key == "free_text" || row.key == "not_recorded" || row.key == "total")
            << row.key;
    }
}

TEST_F(ReportWorld, APeriodEndingBeforeItStartsIsAUsageError) {
    const auto store = store::open_store(db, store::Access::read);
    const ProfileStage stage = make_profile_stage(*store, Profile::analyst, area);
    try {
        compute_report_figures(store->case_records(), stage, area, "2026-02-01", "2026-01-31");
        FAIL() << "expected UsageError";
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "--since 2026-02-01 is after --until 2026-01-31");
    }
}

TEST(ReportHtml, EscapesEveryTextAndReferencesNothingOutside) {
    Report report;
    report.figures.since = "2026-01-01";
    report.figures.until = "2026-01-31";
    report.figures.time_zone = "Europe/London";
    report.area_name = "<b>Town</b> & \"Co\"";
    FigureTable table;
    table.id = "t";
    table.section = "S";
    table.title = "<script>alert(1)</script>";
    table.definition = "a < b";
    table.source = "000";
    table.columns = {"episodes"};
    table.chart = "bars";
    table.rows.push_back({"k", "<img src=x onerror=alert(1)>", {7}, false});
    report.figures.tables.push_back(table);
    const std::string html = render_report_html(report);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<b>Town"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("&lt;b&gt;Town&lt;/b&gt; &amp;"), std::string::npos);
    EXPECT_EQ(html.find("http"), std::string::npos);
    EXPECT_EQ(html.find("src=\""), std::string::npos);
}

TEST(ReportCsv, QuotesLabelsAndLeavesSuppressedValuesEmpty) {
    ReportFigures figures;
    figures.profile = Profile::partnership;
    figures.since = "2026-01-01";
    figures.until = "2026-01-31";
    figures.time_zone = "Europe/London";
    FigureTable table;
    table.id = "t";
    table.title = "T";
    table.columns = {"episodes", "children"};
    table.rows.push_back({"a", "Said \"no\", twice", {12, std::nullopt}, false});
    const std::string csv = table_csv(table, figures);
    EXPECT_NE(csv.find("\r\nkey,label,episodes,children\r\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("a,\"Said \"\"no\"\", twice\",12,\r\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("profile partnership"), std::string::npos);
}

} // namespace
} // namespace waymark
