// waymark hotspots: clusters, Gi* hotspots and density surfaces by role.

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/cli/progress.hpp"
#include "engine/hotspots.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/store.hpp"

#include <charconv>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace waymark::cli {
namespace {

// The options as typed; turned into a HotspotConfig once the area is known.
struct HotspotOptions {
    std::vector<std::string> roles{"all"};
    std::vector<std::string> methods{"all"};
    std::string since;
    std::string until;
    std::vector<std::string> settings;
    std::string looked_after;
    std::vector<std::string> risk_grades;
    std::string age;
    bool cse = false;
    bool cce = false;
    std::string count = "episodes";
    std::uint64_t seed = 1;
    double eps = 100;
    std::string min_points = "auto";
    std::string grid = "hexagon";
    std::string cell_size = "auto";
    std::string band = "auto";
    int permutations = 999;
    std::string bins = "analytic";
    std::string bandwidth = "auto";
    std::string raster_cell = "auto";
    int threads = 0;
    std::string out;
    std::string profile;
    bool json = false;
};

// "auto" → 0, else a positive number (`what` names it in the message).
double positive_or_auto(const std::string& text, const char* option, const char* what) {
    if (text == "auto") {
        return 0;
    }
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !(value > 0)) {
        throw UsageError(std::string(option) + ": '" + text + "' is neither 'auto' nor " + what);
    }
    return value;
}

double metres_or_auto(const std::string& text, const char* option) {
    return positive_or_auto(text, option, "a positive number of metres");
}

// "12-15", "12-" or "-15".
void parse_age_band(const std::string& text, IncidentFilter& filter) {
    const auto dash = text.find('-');
    const auto bound = [&text](std::string_view part) -> std::optional<int> {
        if (part.empty()) {
            return std::nullopt;
        }
        int value = 0;
        const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (error != std::errc() || end != part.data() + part.size() || value < 0 || value > 25) {
            throw UsageError("--age: '" + text + "' is not an age band like 12-15, 12- or -15");
        }
        return value;
    };
    if (dash == std::string::npos) {
        throw UsageError("--age: '" + text + "' is not an age band like 12-15, 12- or -15");
    }
    const std::string_view view(text);
    filter.min_age = bound(view.substr(0, dash));
    filter.max_age = bound(view.substr(dash + 1));
    if (!filter.min_age && !filter.max_age) {
        throw UsageError("--age: '" + text + "' is not an age band like 12-15, 12- or -15");
    }
    if (filter.min_age && filter.max_age && *filter.min_age > *filter.max_age) {
        throw UsageError("--age: '" + text + "' starts after it ends");
    }
}

template <class E>
std::vector<std::string> checked_codes(const std::vector<std::string>& codes, const char* option) {
    for (const std::string& code : codes) {
        if (!model::try_parse_code<E>(code)) {
            std::string allowed;
            for (const std::string_view known : model::all_codes<E>()) {
                allowed += (allowed.empty() ? "" : ", ") + std::string(known);
            }
            throw UsageError(std::string(option) + ": '" + code + "' is not one of " + allowed);
        }
    }
    return codes;
}

HotspotConfig make_config(const HotspotOptions& o, const AreaSettings& area) {
    HotspotConfig c;
    c.roles.clear();
    for (const std::string& role : o.roles) {
        c.roles.push_back(parse_hotspot_role(role));
    }
    c.methods.clear();
    for (const std::string& method : o.methods) {
        if (method == "all") {
            c.methods = {HotspotMethod::dbscan, HotspotMethod::gistar, HotspotMethod::kde};
            break;
        }
        c.methods.push_back(parse_hotspot_method(method));
    }
    c.filter.since = checked_date(o.since, "--since");
    c.filter.until = checked_date(o.until, "--until");
    if (!c.filter.since.empty() && !c.filter.until.empty() && c.filter.since > c.filter.until) {
        throw UsageError("--since " + o.since + " is after --until " + o.until);
    }
    c.filter.settings = checked_codes<model::Setting>(o.settings, "--setting");
    c.filter.risk_grades = checked_codes<model::RiskGrade>(o.risk_grades, "--risk");
    if (!o.looked_after.empty()) {
        c.filter.looked_after = o.looked_after == "yes";
    }
    if (!o.age.empty()) {
        parse_age_band(o.age, c.filter);
    }
    c.filter.cse = o.cse;
    c.filter.cce = o.cce;
    c.count = parse_count_mode(o.count);
    c.seed = o.seed;
    c.threads = o.threads;
    c.eps = o.eps;
    c.min_points = positive_or_auto(o.min_points, "--min-points", "a positive number");
    c.shape = o.grid == "square" ? geo::GridShape::square : geo::GridShape::hexagon;
    c.cell_size = o.cell_size == "area" ? static_cast<double>(area.grids.hotspot_cell_metres)
                                        : metres_or_auto(o.cell_size, "--cell-size");
    c.distance_band = metres_or_auto(o.band, "--band");
    c.permutations = o.permutations;
    c.bins_from_permutations = o.bins == "permutation";
    c.extent = area.extent;
    c.bandwidth = metres_or_auto(o.bandwidth, "--bandwidth");
    c.raster_cell = metres_or_auto(o.raster_cell, "--raster-cell");
    c.time_zone = area.time_zone;
    c.out = o.out;
    return c;
}

std::string optional_number(const std::optional<double>& value) {
    if (!value) {
        return "-";
    }
    std::ostringstream text;
    text << std::setprecision(6) << *value;
    return text.str();
}

template <class T>
std::string optional_count(const std::optional<T>& value) {
    return value ? std::to_string(*value) : "-";
}

void write_text(const HotspotResult& result, const HotspotConfig& config, Profile profile,
                std::ostream& out) {
    out << "Hotspots (" << to_string(config.count) << ", profile " << to_string(profile)
        << ") written to " << config.out.string() << "\n\n";
    out << std::left << std::setw(9) << "role" << std::right << std::setw(10) << "incidents"
        << std::setw(10) << "children" << std::setw(8) << "places" << std::setw(10) << "clusters"
        << std::setw(6) << "hot" << std::setw(6) << "cold" << std::setw(10) << "cell m"
        << std::setw(10) << "band m" << std::setw(11) << "radius m" << '\n';
    for (const RoleSummary& s : result.roles) {
        out << std::left << std::setw(9) << s.role << std::right << std::setw(10) << s.incidents
            << std::setw(10) << s.children << std::setw(8) << s.places << std::setw(10)
            << optional_count(s.clusters) << std::setw(6) << optional_count(s.hot_cells)
            << std::setw(6) << optional_count(s.cold_cells) << std::setw(10)
            << optional_number(s.cell_size) << std::setw(10) << optional_number(s.distance_band)
            << std::setw(11) << optional_number(s.bandwidth) << '\n';
    }
    bool any_note = false;
    for (const RoleSummary& s : result.roles) {
        for (const std::string& note : s.notes) {
            out << (any_note ? "" : "\nNotes\n") << "  " << s.role << ": " << note << '\n';
            any_note = true;
        }
    }
    out << "\nFiles\n";
    for (const auto& file : result.files) {
        out << "  " << file.string() << '\n';
    }
    out << "\nOpen hotspots.gpkg in QGIS (Layer > Add Layer > Add Vector Layer) and the "
           "density_*.tif files as raster layers; hotspots.json records the parameters "
           "(analysis run "
        << result.analysis_run << " in the store).\n";
}

class HotspotsCommand final : public Command {
public:
    HotspotOptions options;

    void run(const Context& context) override {
        const HotspotConfig config = make_config(options, context.area);
        const Profile profile = parse_profile(options.profile); // before anything is read
        const auto store = store::open_store(context.options.db, store::Access::write);
        const ProfileStage stage = make_profile_stage(*store, profile, context.area);
        ProgressBar bar(context.err, !context.options.quiet);
        const HotspotResult result =
            run_hotspots(*store, config, stage, [&bar](std::string_view name, double fraction) {
                bar.update(name, fraction);
            });
        if (options.json) {
            std::ifstream summary(config.out / "hotspots.json");
            context.out << summary.rdbuf();
        } else if (!context.options.quiet) {
            write_text(result, config, profile, context.out);
        }
    }
};

} // namespace

std::unique_ptr<Command> make_hotspots_command(CLI::App& sub) {
    auto command = std::make_unique<HotspotsCommand>();
    auto& o = command->options;
    const auto list = [](CLI::Option* option) { return option->delimiter(',')->expected(1, -1); };
    list(sub.add_option("--role", o.roles,
                        "Which locations: from, found, visited, concern, or all (each role and "
                        "their union); a comma-separated list")
             ->capture_default_str());
    list(sub.add_option("--method", o.methods,
                        "dbscan (clusters), gistar (hot and cold spots on a grid), kde (density "
                        "surfaces), or all; a comma-separated list")
             ->capture_default_str());
    sub.add_option("--since", o.since, "Only incidents on or after this date")
        ->type_name("YYYY-MM-DD");
    sub.add_option("--until", o.until, "Only incidents on or before this date")
        ->type_name("YYYY-MM-DD");
    list(sub.add_option("--setting", o.settings,
                        "Only children living in these settings (home, foster_care, "
                        "childrens_home, supported_accommodation, health, care_leaver, other)"));
    sub.add_option("--looked-after", o.looked_after,
                   "Only looked-after children (yes) or others (no)")
        ->check(CLI::IsMember({"yes", "no"}));
    list(sub.add_option("--risk", o.risk_grades,
                        "Only episodes graded at these risks (no_apparent_risk, low, medium, "
                        "high)"));
    sub.add_option("--age", o.age, "Only children of these ages, e.g. 12-15, 16- or -11")
        ->type_name("MIN-MAX");
    sub.add_flag("--cse", o.cse, "Only incidents with child sexual exploitation indicators");
    sub.add_flag("--cce", o.cce, "Only incidents with child criminal exploitation indicators");
    sub.add_option("--count", o.count,
                   "What the statistics count: episodes, or distinct children (each child once "
                   "per place or cell); outputs always show both")
        ->check(CLI::IsMember({"episodes", "children"}))
        ->capture_default_str();
    sub.add_option("--seed", o.seed, "Seed of the Gi* permutations")->capture_default_str();
    sub.add_option("--eps", o.eps, "DBSCAN: neighbourhood radius in metres")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub.add_option("--min-points", o.min_points,
                   "DBSCAN: episodes (or children) within --eps that make a core place, or "
                   "'auto' (what such a disc holds where incidents are spread evenly)")
        ->capture_default_str();
    sub.add_option("--grid", o.grid, "Gi*: cell shape")
        ->check(CLI::IsMember({"hexagon", "square"}))
        ->capture_default_str();
    sub.add_option("--cell-size", o.cell_size,
                   "Gi*: cell size in metres, 'auto' (as ArcGIS's Optimized Hot Spot Analysis) "
                   "or 'area' (the area settings' hotspot_cell_metres)")
        ->capture_default_str();
    sub.add_option("--band", o.band, "Gi*: distance band in metres, or 'auto'")
        ->capture_default_str();
    sub.add_option("--permutations", o.permutations,
                   "Gi*: conditional permutations for pseudo p-values (0: analytic only)")
        ->check(CLI::Range(0, 99999))
        ->capture_default_str();
    sub.add_option("--bins", o.bins,
                   "Gi*: the p-values the false discovery rate correction bins: analytic (as "
                   "ArcGIS) or permutation")
        ->check(CLI::IsMember({"analytic", "permutation"}))
        ->capture_default_str();
    sub.add_option("--bandwidth", o.bandwidth,
                   "Density: search radius in metres, or 'auto' (ArcGIS's default)")
        ->capture_default_str();
    sub.add_option("--raster-cell", o.raster_cell,
                   "Density: raster cell size in metres, or 'auto' (shorter side / 250, at most a "
                   "fifth of the radius)")
        ->capture_default_str();
    add_threads_option(sub, o.threads);
    sub.add_option("--out", o.out, "Folder to write the layers, surfaces and hotspots.json to")
        ->required()
        ->type_name("DIR");
    sub.add_option("--profile", o.profile,
                   "Who the outputs are for: analyst, panel (pseudonymised, homes snapped) or "
                   "partnership (suppressed cell counts only); docs/export.md")
        ->required()
        ->type_name("PROFILE");
    sub.add_flag("--json", o.json, "Print hotspots.json instead of the summary table");
    return command;
}

} // namespace waymark::cli
