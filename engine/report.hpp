#pragma once

// `waymark report` (issue 9): the panel pack. The figures a safeguarding
// partnership and a risk panel scrutinise (seed 000, "Data collection on
// missing children"; seed 001, the RHI form of Appendix 8): episodes and
// children by setting, looked-after status and placement area, repeat
// missing, when children go missing, the Return Home Interview funnel,
// safe-and-well checks, push and pull factors, triggers met, hotspot maps per
// role, the network and the top disruption targets, and data quality.
//
// Every figure is counted from the store's structured fields
// (store::CaseRecords: no free text, locations or people) and passes through
// the profile stage: partnership gets aggregates only, with tables suppressed
// as hotspot cells are (suppress_small_cells: fewer than k children hidden,
// then the smallest other rows until no hidden count can be worked out from
// the total). docs/report.md defines each figure and the seed it answers.
//
// compute_report_figures() counts; build_report() adds the maps, the network
// and the disruption list; run_report() writes report.html (report_html.hpp),
// one CSV per table and manifest.json, and records the run in the store.

#include "engine/hotspots.hpp"
#include "engine/network.hpp"
#include "engine/profile_stage.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"
#include "geo/point.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

/// A count as the profile shows it; nullopt: suppressed.
using Figure = std::optional<std::int64_t>;

struct FigureRow {
    std::string key;            ///< stable code: "foster_care", "3-4", "08", "total"
    std::string label;          ///< as shown ("Foster care", "3 or 4 episodes")
    std::vector<Figure> values; ///< one per column
    bool total = false;         ///< the table's total row (the sum of the rows above)
};

/// One table of the pack; each becomes <id>.csv and a table (with a chart) in the HTML.
struct FigureTable {
    std::string id;                   ///< the CSV's stem: "episodes_by_setting"
    std::string section;              ///< the heading it is shown under
    std::string title;                ///< "Episodes and children by setting"
    std::string definition;           ///< how it is counted, one or two sentences
    std::string source;               ///< the seed documents it answers (file names)
    std::vector<std::string> columns; ///< the value columns: "episodes", "children"
    std::vector<FigureRow> rows;
    /// How the HTML draws it: "bars" (horizontal bars of the first column),
    /// "columns" (vertical, for hours, weekdays and months), "" (table only).
    std::string chart;
    /// Partnership: whether the rows were suppressed together with secondary
    /// suppression (a partition with a total) or each on its own.
    bool partition = false;
};

/// A child meeting escalation triggers in the period (analyst and panel).
struct TriggerChild {
    std::string child;                 ///< as the profile shows it
    std::vector<std::string> triggers; ///< trigger codes
    std::vector<std::string> episodes; ///< as the profile shows them
    std::string first_met;             ///< UTC
    std::string last_met;              ///< UTC
    bool ongoing = false;
};

/// What a role's map shows, in the working CRS.
struct RoleMap {
    std::string role; ///< from, found, visited, concern
    std::int64_t incidents = 0;
    std::int64_t children = 0;
    std::vector<geo::Point>
        points; ///< analyst, panel: the incidents (panel: private places snapped)
    struct Shape {
        std::vector<std::vector<geo::Point>> rings;
        int rank = 0;    ///< clusters: 1 = largest
        int bin = 0;     ///< Gi* cells: 1..3 hot (90, 95, 99 % confidence)
        Figure children; ///< partnership cells: nullopt when suppressed
        Figure episodes;
        bool suppressed = false;
    };
    std::vector<Shape> clusters; ///< DBSCAN outlines
    std::vector<Shape> hot;      ///< Gi* hot cells
    std::vector<Shape> cells;    ///< partnership: the aggregate cells
    /// Analyst, panel: the largest clusters (by distinct children).
    struct Cluster {
        int rank = 0;
        std::int64_t episodes = 0;
        std::int64_t children = 0;
        std::int64_t places = 0;
        std::string top_places; ///< the three labels with the most children
    };
    std::vector<Cluster> top_clusters;
    std::vector<std::string> notes;
};

struct ReportMaps {
    std::vector<RoleMap> roles;
    std::array<double, 4> extent{}; ///< min x, min y, max x, max y (working CRS)
    int working_crs = 27700;
};

struct ReportFigures {
    Profile profile = Profile::analyst;
    std::string since; ///< YYYY-MM-DD, local
    std::string until;
    std::string time_zone;
    int suppression_k = 5;
    std::vector<FigureTable> tables;            ///< in the pack's order
    std::vector<TriggerChild> trigger_children; ///< analyst, panel; by triggers met, then id
    std::vector<std::string> notes;             ///< said once at the top of the pack
};

/// The top disruption targets as the pack lists them (analyst, panel).
struct ReportTarget {
    int rank = 0;
    std::string id;
    std::string kind;
    std::string label;
    std::int64_t children = 0;
    double risk = 0;
    double fragmentation = 0;
    bool hotspot = false;
    double score = 0;
};

struct ReportConfig {
    std::string since; ///< YYYY-MM-DD, inclusive, in the area's time zone; required
    std::string until; ///< YYYY-MM-DD, inclusive; required
    int top_targets = 10;
    int top_clusters = 5;
    bool maps = true;
    bool network = true; ///< the network summary and the disruption targets
    std::uint64_t seed = 1;
    int threads = 0;
    std::filesystem::path overrides_file; ///< entity-resolution overrides (network)
    std::filesystem::path out;
};

/// Everything the pack shows.
struct Report {
    ReportFigures figures;
    ReportMaps maps;
    std::vector<ReportTarget> targets; ///< analyst, panel
    std::vector<std::string> target_notes;
    std::string area_name;
    std::string generated_at;                         ///< UTC
    std::map<std::string, std::string> profile_rules; ///< ProfileStage::metadata()
};

/// Counts the tables from the records (no store access): every table of
/// docs/report.md but the network summary and the hotspot tables.
ReportFigures compute_report_figures(const store::CaseRecords& records, const ProfileStage& stage,
                                     const AreaSettings& area, const std::string& since,
                                     const std::string& until);

/// The hotspot maps of the period, through the profile stage.
ReportMaps compute_report_maps(const store::Store& store, const ProfileStage& stage,
                               const AreaSettings& area, const ReportConfig& config);

using ReportProgress = std::function<void(std::string_view stage, double fraction)>;

/// Reads the store and makes the whole pack, without writing anything.
Report build_report(const store::Store& store, const ProfileStage& stage, const AreaSettings& area,
                    const ReportConfig& config, const ReportProgress& progress = {});

/// A table as CSV (RFC 4180, CRLF): the profile and period in `#` comment
/// lines, then key, label, the columns; suppressed values empty.
std::string table_csv(const FigureTable& table, const ReportFigures& figures);

struct ReportResult {
    std::vector<std::filesystem::path> files; ///< manifest.json last
    std::int64_t analysis_run = 0;
    std::int64_t tables = 0;
};

/// Writes report.html, the CSVs (csv/<id>.csv) and manifest.json into
/// config.out and records the run. The folder must be new, empty, or an
/// earlier report (its manifest.json lists the files that are replaced);
/// anything else is refused with UsageError, so that no file of another
/// profile is left beside the new ones. Throws UsageError for a bad period.
ReportResult run_report(store::Store& store, const ProfileStage& stage, const AreaSettings& area,
                        const ReportConfig& config, const ReportProgress& progress = {});

} // namespace waymark
