#include "engine/report.hpp"

#include "base/csv.hpp"
#include "base/error.hpp"
#include "base/xml.hpp"
#include "engine/disrupt.hpp"
#include "engine/layer_writer.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/output_files.hpp"
#include "engine/report_html.hpp"
#include "engine/sha256.hpp"
#include "engine/triggers.hpp"

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace waymark {
namespace {

namespace fs = std::filesystem;
namespace m = waymark::model;

constexpr const char* seed_guidance = "000_099c7ccdb0e66a31.txt";
constexpr const char* seed_forms = "001_43008d521bb0a7ed.txt";
constexpr const char* seed_statutory = "002_9b42c44587f7d6ef.txt";

// ---- Local time --------------------------------------------------------------------

class LocalZone {
public:
    explicit LocalZone(const std::string& name) : m_zone(date::locate_zone(name)) {}

    date::local_seconds local(m::Timestamp utc) const {
        return date::make_zoned(m_zone, utc).get_local_time();
    }
    date::local_days day(m::Timestamp utc) const { return date::floor<date::days>(local(utc)); }
    /// The first second of a local day, in UTC (the earlier instant if the
    /// day starts in a repeated hour, the instant after a skipped one).
    m::Timestamp start_of(date::local_days day) const {
        return date::floor<std::chrono::seconds>(
            m_zone->to_sys(date::local_seconds(day.time_since_epoch()), date::choose::earliest));
    }

private:
    const date::time_zone* m_zone;
};

date::local_days local_day_of(const std::string& text) {
    return date::local_days(m::parse_date(text).time_since_epoch());
}

// "foster_care" → "Foster care".
std::string humanise(std::string_view code) {
    if (code == "childrens_home") {
        return "Children's home";
    }
    std::string text(code);
    std::replace(text.begin(), text.end(), '_', ' ');
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') {
        text[0] = static_cast<char>(text[0] - 'a' + 'A');
    }
    return text;
}

// ---- Tables ------------------------------------------------------------------------

struct Tally {
    std::int64_t records = 0;
    std::set<std::string> children;

    void add(const std::string& child) {
        ++records;
        if (!child.empty()) {
            children.insert(child);
        }
    }
    void merge(const Tally& other) {
        records += other.records;
        children.insert(other.children.begin(), other.children.end());
    }
    std::int64_t child_count() const { return static_cast<std::int64_t>(children.size()); }
};

// A table being counted: rows of tallies, one tally per group of columns
// (the episodes and children of one cell share a tally).
class TableBuilder {
public:
    struct Column {
        std::string name;
        std::size_t group = 0;
        bool children = false; ///< the group's distinct children, else its records
    };

    TableBuilder(FigureTable table, std::vector<Column> columns, std::size_t groups)
        : m_table(std::move(table)), m_columns(std::move(columns)), m_groups(groups) {
        for (const Column& column : m_columns) {
            m_table.columns.push_back(column.name);
        }
    }

    /// The row of `key`, made (in order of first use) if new.
    std::vector<Tally>& row(const std::string& key, const std::string& label) {
        const auto found = m_index.find(key);
        if (found != m_index.end()) {
            return m_rows[found->second].second;
        }
        m_index.emplace(key, m_rows.size());
        m_rows.push_back({{key, label}, std::vector<Tally>(m_groups)});
        return m_rows.back().second;
    }

    /// Sorts the rows by the first group's records, largest first.
    void sort_by_size() {
        std::stable_sort(m_rows.begin(), m_rows.end(), [](const auto& a, const auto& b) {
            return a.second[0].records > b.second[0].records;
        });
    }

    /// The table as the profile shows it. Partnership: a partition is
    /// suppressed with suppress_small_cells per group (its total shown if it
    /// has k children); other tables hide each row with fewer than k
    /// children. Every shown value then passes through ProfileStage::count.
    FigureTable finish(const ProfileStage& stage, bool total, bool drop_empty) {
        if (drop_empty) {
            std::erase_if(m_rows, [](const auto& r) {
                return std::all_of(r.second.begin(), r.second.end(),
                                   [](const Tally& t) { return t.records == 0; });
            });
        }
        const std::size_t n = m_rows.size();
        const bool partnership = stage.profile() == Profile::partnership;
        const int k = stage.settings().suppression_k;
        // suppressed[g][r]; r == n is the total row.
        std::vector<std::vector<bool>> suppressed(m_groups, std::vector<bool>(n + 1, false));
        std::vector<Tally> totals(m_groups);
        for (std::size_t g = 0; g < m_groups; ++g) {
            for (const auto& r : m_rows) {
                totals[g].merge(r.second[g]);
            }
            if (!partnership) {
                continue;
            }
            if (m_table.partition) {
                std::vector<AggregateCell> cells(n);
                for (std::size_t r = 0; r < n; ++r) {
                    cells[r].col = static_cast<std::int64_t>(r);
                    cells[r].episodes = m_rows[r].second[g].records;
                    cells[r].children = m_rows[r].second[g].child_count();
                }
                suppress_small_cells(cells, k);
                for (std::size_t r = 0; r < n; ++r) {
                    suppressed[g][r] = cells[r].suppression != AggregateCell::Suppression::none;
                }
            } else {
                for (std::size_t r = 0; r < n; ++r) {
                    suppressed[g][r] = m_rows[r].second[g].child_count() < k;
                }
            }
            suppressed[g][n] = totals[g].child_count() < k;
        }
        const auto value = [&](const Tally& tally, const Column& column, bool hidden) -> Figure {
            if (hidden) {
                return std::nullopt;
            }
            return stage.count(column.children ? tally.child_count() : tally.records);
        };
        FigureTable out = m_table;
        for (std::size_t r = 0; r < n; ++r) {
            FigureRow row{m_rows[r].first.first, m_rows[r].first.second, {}, false};
            for (const Column& column : m_columns) {
                row.values.push_back(
                    value(m_rows[r].second[column.group], column, suppressed[column.group][r]));
            }
            out.rows.push_back(std::move(row));
        }
        if (total) {
            FigureRow row{"total", "Total", {}, true};
            for (const Column& column : m_columns) {
                row.values.push_back(
                    value(totals[column.group], column, suppressed[column.group][n]));
            }
            out.rows.push_back(std::move(row));
        }
        return out;
    }

private:
    FigureTable m_table;
    std::vector<Column> m_columns;
    std::size_t m_groups;
    std::vector<std::pair<std::pair<std::string, std::string>, std::vector<Tally>>> m_rows;
    std::unordered_map<std::string, std::size_t> m_index;
};

FigureTable make_table(std::string id, std::string section, std::string title,
                       std::string definition, std::string source, std::string chart,
                       bool partition) {
    FigureTable t;
    t.id = std::move(id);
    t.section = std::move(section);
    t.title = std::move(title);
    t.definition = std::move(definition);
    t.source = std::move(source);
    t.chart = std::move(chart);
    t.partition = partition;
    return t;
}

// Episodes and children per row: the shape of most tables.
TableBuilder episodes_table(FigureTable table) {
    return TableBuilder(std::move(table), {{"episodes", 0, false}, {"children", 0, true}}, 1);
}

template <m::CodeEnum E>
std::string code_or(const std::optional<E>& value, std::string_view none = "not_recorded") {
    return value ? std::string(m::to_code(*value)) : std::string(none);
}

std::string yes_no(const std::optional<bool>& value) {
    return value ? (*value ? "yes" : "no") : "not_recorded";
}

// A reason as the pack may show it: a code as itself; free text only to
// analysts (it is the child's or parent's words), otherwise one row.
std::pair<std::string, std::string> reason_row(const std::string& reason, Profile profile) {
    std::string text = reason;
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.pop_back();
    }
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.erase(0, 1);
    }
    if (text.empty()) {
        return {"not_recorded", "No reason recorded"};
    }
    const bool code = text.size() <= 40 && std::all_of(text.begin(), text.end(), [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                      });
    if (code) {
        return {text, humanise(text)};
    }
    if (profile == Profile::analyst) {
        return {text, text};
    }
    return {"free_text", "Reason recorded as free text (shown in the analyst profile only)"};
}

// Partnership: a funnel stage that differs from the stage before it by fewer
// than k records would let the difference be read off; it is hidden too.
void suppress_funnel_differences(FigureTable& table, const std::vector<std::string>& chain, int k) {
    const auto find = [&table](const std::string& key) -> FigureRow* {
        for (FigureRow& row : table.rows) {
            if (row.key == key) {
                return &row;
            }
        }
        return nullptr;
    };
    for (std::size_t i = 1; i < chain.size(); ++i) {
        const FigureRow* parent = find(chain[i - 1]);
        FigureRow* child = find(chain[i]);
        if (parent == nullptr || child == nullptr || !parent->values[0] || !child->values[0]) {
            continue;
        }
        const std::int64_t difference = *parent->values[0] - *child->values[0];
        if (difference > 0 && difference < k) {
            for (Figure& value : child->values) {
                value.reset();
            }
        }
    }
}

constexpr std::array<std::string_view, 7> weekday_names = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

std::string two_digits(int value) {
    return (value < 10 ? "0" : "") + std::to_string(value);
}

} // namespace

// ---- The figures -------------------------------------------------------------------

ReportFigures compute_report_figures(const store::CaseRecords& records, const ProfileStage& stage,
                                     const AreaSettings& area, const std::string& since,
                                     const std::string& until) {
    const LocalZone zone(area.time_zone);
    const date::local_days first = local_day_of(since);
    const date::local_days last = local_day_of(until);
    if (first > last) {
        throw UsageError("--since " + since + " is after --until " + until);
    }
    const Profile profile = stage.profile();
    const TriggerSettings& thresholds = area.triggers;

    ReportFigures figures;
    figures.profile = profile;
    figures.since = since;
    figures.until = until;
    figures.time_zone = area.time_zone;
    figures.suppression_k = stage.settings().suppression_k;

    // The period's episodes: reported on a local date within [since, until].
    std::vector<const m::Episode*> episodes;
    std::unordered_map<std::string, const m::Episode*> by_id;
    for (const m::Episode& e : records.episodes) {
        const date::local_days day = zone.day(e.reported_at);
        if (day >= first && day <= last) {
            episodes.push_back(&e);
            by_id.emplace(e.episode_id, &e);
        }
    }
    // Their interviews.
    std::vector<std::pair<const m::ReturnInterview*, const m::Episode*>> rhis;
    for (const m::ReturnInterview& r : records.rhis) {
        const auto found = by_id.find(r.episode_id);
        if (found != by_id.end()) {
            rhis.emplace_back(&r, found->second);
        }
    }

    const std::string people_section = "Episodes and children";
    const std::string episode_definition =
        "Episodes reported in the period (local date of reported_at) and the distinct children "
        "they concern; a child counted in more than one row is counted once in the total.";

    // Setting, looked-after status, placement area, risk grade.
    {
        TableBuilder setting = episodes_table(make_table(
            "episodes_by_setting", people_section, "Episodes and children by setting",
            episode_definition + " Setting: where the child lived when they went missing.",
            std::string(seed_guidance) + " (Data collection on missing children, a)", "bars",
            true));
        TableBuilder looked_after = episodes_table(make_table(
            "episodes_by_looked_after", people_section,
            "Episodes and children by looked-after status",
            episode_definition + " Looked after: the episode's looked_after flag.",
            std::string(seed_guidance) + " (Looked after children who go missing)", "bars", true));
        TableBuilder placement = episodes_table(make_table(
            "episodes_by_placement_area", people_section, "Episodes and children by placement area",
            episode_definition +
                " Placement area: in_area, out_of_area (placed by us elsewhere), placed_in "
                "(placed here by another authority).",
            std::string(seed_guidance) +
                " (children missing from placements inside and outside the local authority)",
            "bars", true));
        TableBuilder risk = episodes_table(make_table(
            "episodes_by_risk_grade", people_section, "Episodes and children by police risk grade",
            episode_definition + " Risk grade: the police grade recorded on the episode.",
            std::string(seed_guidance) + " (Risk assessment); " + seed_forms + " (5.3.2)", "bars",
            true));
        for (const m::Setting s :
             {m::Setting::home, m::Setting::foster_care, m::Setting::childrens_home,
              m::Setting::supported_accommodation, m::Setting::health, m::Setting::care_leaver,
              m::Setting::other}) {
            setting.row(std::string(m::to_code(s)), humanise(m::to_code(s)));
        }
        looked_after.row("yes", "Looked after");
        looked_after.row("no", "Not looked after");
        looked_after.row("not_recorded", "Not recorded");
        for (const auto* code : {"in_area", "out_of_area", "placed_in"}) {
            placement.row(code, code == std::string("in_area")       ? "In area"
                                : code == std::string("out_of_area") ? "Placed out of area by us"
                                                                     : "Placed here by another "
                                                                       "authority");
        }
        placement.row("not_recorded", "Not recorded");
        for (const m::RiskGrade g : {m::RiskGrade::high, m::RiskGrade::medium, m::RiskGrade::low,
                                     m::RiskGrade::no_apparent_risk}) {
            risk.row(std::string(m::to_code(g)), humanise(m::to_code(g)));
        }
        risk.row("not_recorded", "Not recorded");
        for (const m::Episode* e : episodes) {
            setting.row(std::string(m::to_code(e->setting)), "")[0].add(e->child_id);
            looked_after.row(yes_no(e->looked_after), "")[0].add(e->child_id);
            placement.row(code_or(e->placement_area), "")[0].add(e->child_id);
            risk.row(code_or(e->risk_grade), "")[0].add(e->child_id);
        }
        figures.tables.push_back(setting.finish(stage, true, true));
        figures.tables.push_back(looked_after.finish(stage, true, true));
        figures.tables.push_back(placement.finish(stage, true, true));
        figures.tables.push_back(risk.finish(stage, true, true));
    }

    // Repeat missing: children by their number of episodes in the period.
    {
        TableBuilder repeat(
            make_table("repeat_missing", people_section, "Repeat missing: children by episodes",
                       "Distinct children by the number of episodes reported in the period (1, 2, "
                       "3-4, 5-9, 10 or more), with those children's episodes.",
                       std::string(seed_forms) + " (6.6.3: three episodes within 90 days); " +
                           seed_guidance,
                       "bars", true),
            {{"children", 0, true}, {"episodes", 0, false}}, 1);
        const std::vector<std::pair<std::string, std::string>> buckets = {
            {"1", "1 episode"},
            {"2", "2 episodes"},
            {"3-4", "3 or 4 episodes"},
            {"5-9", "5 to 9 episodes"},
            {"10+", "10 or more episodes"}};
        for (const auto& [key, label] : buckets) {
            repeat.row(key, label);
        }
        std::map<std::string, std::int64_t> per_child;
        for (const m::Episode* e : episodes) {
            ++per_child[e->child_id];
        }
        for (const auto& [child, count] : per_child) {
            const std::string key = count == 1   ? "1"
                                    : count == 2 ? "2"
                                    : count <= 4 ? "3-4"
                                    : count <= 9 ? "5-9"
                                                 : "10+";
            Tally& tally = repeat.row(key, "")[0];
            tally.records += count;
            tally.children.insert(child);
        }
        figures.tables.push_back(repeat.finish(stage, true, false));
    }

    // When children go missing.
    {
        const std::string when_section = "When children go missing";
        const std::string start =
            " The episode's start: last seen, else reported, in local time (" + area.time_zone +
            ").";
        TableBuilder hours = episodes_table(
            make_table("episodes_by_hour", when_section, "Episodes by hour of the day",
                       "Episodes reported in the period by the local hour they started." + start,
                       std::string(seed_forms) + " (11.4: recording times to discern a pattern); " +
                           seed_statutory + " (48: times of missing episodes)",
                       "columns", true));
        TableBuilder weekdays = episodes_table(make_table(
            "episodes_by_weekday", when_section, "Episodes by day of the week",
            "Episodes reported in the period by the local weekday they started." + start,
            std::string(seed_forms) + " (11.4); " + seed_statutory + " (48)", "columns", true));
        TableBuilder months = episodes_table(make_table(
            "episodes_by_month", when_section, "Episodes by month",
            "Episodes by the local month they were reported in, over the period.",
            std::string(seed_forms) + " (6.2.2: time of year); " + seed_statutory + " (48)",
            "columns", true));
        for (int h = 0; h < 24; ++h) {
            hours.row(two_digits(h), two_digits(h) + ":00");
        }
        for (std::size_t d = 0; d < weekday_names.size(); ++d) {
            weekdays.row(std::string(weekday_names[d]).substr(0, 3), std::string(weekday_names[d]));
        }
        const date::year_month first_month =
            date::year_month_day(first).year() / date::year_month_day(first).month();
        const date::year_month last_month =
            date::year_month_day(last).year() / date::year_month_day(last).month();
        const auto month_key = [](date::year_month ym) {
            return std::to_string(static_cast<int>(ym.year())) + "-" +
                   two_digits(static_cast<int>(static_cast<unsigned>(ym.month())));
        };
        for (date::year_month ym = first_month; ym <= last_month; ym += date::months(1)) {
            months.row(month_key(ym), month_key(ym));
        }
        for (const m::Episode* e : episodes) {
            const date::local_seconds begin = zone.local(e->last_seen_at.value_or(e->reported_at));
            const date::local_days day = date::floor<date::days>(begin);
            const int hour = static_cast<int>(date::floor<std::chrono::hours>(begin - day).count());
            const unsigned iso = date::weekday(day).iso_encoding();
            hours.row(two_digits(hour), "")[0].add(e->child_id);
            weekdays.row(std::string(weekday_names[iso - 1]).substr(0, 3), "")[0].add(e->child_id);
            const date::year_month_day reported(zone.day(e->reported_at));
            months.row(month_key(reported.year() / reported.month()), "")[0].add(e->child_id);
        }
        figures.tables.push_back(hours.finish(stage, true, false));
        figures.tables.push_back(weekdays.finish(stage, true, false));
        figures.tables.push_back(months.finish(stage, true, false));
    }

    // Return Home Interviews.
    const std::string rhi_section = "Return Home Interviews";
    const std::string due = std::to_string(thresholds.rhi_due_hours);
    const auto offered = [](const m::ReturnInterview& r) {
        return r.offered_at.has_value() ||
               (r.outcome &&
                (*r.outcome == m::RhiOutcome::completed || *r.outcome == m::RhiOutcome::declined ||
                 *r.outcome == m::RhiOutcome::parent_refused));
    };
    const auto accepted = [](const m::ReturnInterview& r) {
        return (r.outcome && *r.outcome == m::RhiOutcome::completed) || r.conducted_at.has_value();
    };
    const auto completed = [](const m::ReturnInterview& r) {
        return r.outcome && *r.outcome == m::RhiOutcome::completed;
    };
    const auto within_due = [&](const m::ReturnInterview& r, const m::Episode& e) {
        if (!completed(r) || !r.conducted_at) {
            return false;
        }
        const std::optional<m::Timestamp> clock = rhi_clock_start(thresholds, e.returned_at, &r);
        return clock && *r.conducted_at <= *clock + std::chrono::hours(thresholds.rhi_due_hours);
    };
    const std::string clock_text = thresholds.rhi_clock_starts == RhiClockStart::return_time
                                       ? "the child's return"
                                       : "the referral (else the return)";
    {
        TableBuilder funnel(
            make_table("rhi_funnel", rhi_section, "The Return Home Interview funnel",
                       "Episodes of the period that ended in a return, and the interviews recorded "
                       "for the period's episodes: offered (an offer date, or an outcome of "
                       "completed, declined or parent refused), accepted (completed, or a date "
                       "conducted), completed, completed within " +
                           due + " hours of " + clock_text +
                           ", declined by the child, refused by a parent, and the other outcomes.",
                       std::string(seed_guidance) +
                           " (RHIs offered, accepted, undertaken; within " + "72 hours); " +
                           seed_forms + " (7.9); " + seed_statutory + " (32)",
                       "bars", false),
            {{"count", 0, false}, {"children", 0, true}}, 1);
        const std::vector<std::pair<std::string, std::string>> stages = {
            {"returned", "Episodes ended in a return"},
            {"rhis", "Interviews recorded"},
            {"offered", "Offered"},
            {"accepted", "Accepted"},
            {"completed", "Completed"},
            {"within_due", "Completed within " + due + " hours"},
            {"declined", "Declined by the child"},
            {"parent_refused", "Refused by a parent"},
            {"not_offered", "Not offered"},
            {"unable_to_contact", "Unable to contact"},
            {"pending", "Pending"},
            {"no_outcome", "No outcome recorded"}};
        for (const auto& [key, label] : stages) {
            funnel.row(key, label);
        }
        for (const m::Episode* e : episodes) {
            if (e->returned_at) {
                funnel.row("returned", "")[0].add(e->child_id);
            }
        }
        for (const auto& [r, e] : rhis) {
            funnel.row("rhis", "")[0].add(r->child_id);
            if (offered(*r)) {
                funnel.row("offered", "")[0].add(r->child_id);
            }
            if (accepted(*r)) {
                funnel.row("accepted", "")[0].add(r->child_id);
            }
            if (completed(*r)) {
                funnel.row("completed", "")[0].add(r->child_id);
            }
            if (within_due(*r, *e)) {
                funnel.row("within_due", "")[0].add(r->child_id);
            }
            if (r->outcome && *r->outcome != m::RhiOutcome::completed) {
                funnel.row(std::string(m::to_code(*r->outcome)), "")[0].add(r->child_id);
            } else if (!r->outcome) {
                funnel.row("no_outcome", "")[0].add(r->child_id);
            }
        }
        FigureTable table = funnel.finish(stage, false, false);
        if (profile == Profile::partnership) {
            suppress_funnel_differences(table,
                                        {"rhis", "offered", "accepted", "completed", "within_due"},
                                        figures.suppression_k);
        }
        figures.tables.push_back(std::move(table));
    }
    {
        TableBuilder by_setting(
            make_table("rhi_by_setting", rhi_section, "Return Home Interviews by setting",
                       "The funnel's interviews by the setting of the episode they follow; each "
                       "column is counted (and, for partnership, suppressed) on its own.",
                       std::string(seed_guidance) +
                           " (Data collection on missing children, b, c, d: by setting)",
                       "", true),
            {{"offered", 0, false},
             {"accepted", 1, false},
             {"completed", 2, false},
             {"within_due", 3, false}},
            4);
        for (const auto& [r, e] : rhis) {
            std::vector<Tally>& row = by_setting.row(std::string(m::to_code(e->setting)),
                                                     humanise(m::to_code(e->setting)));
            if (offered(*r)) {
                row[0].add(r->child_id);
            }
            if (accepted(*r)) {
                row[1].add(r->child_id);
            }
            if (completed(*r)) {
                row[2].add(r->child_id);
            }
            if (within_due(*r, *e)) {
                row[3].add(r->child_id);
            }
        }
        figures.tables.push_back(by_setting.finish(stage, true, true));
    }
    {
        TableBuilder mode(
            make_table("rhi_mode", rhi_section, "Completed interviews by how they were held",
                       "Completed interviews of the period by mode: face to face, phone or video.",
                       std::string(seed_guidance) + " (Return interviews); " + seed_forms +
                           " (Appendix 8)",
                       "bars", true),
            {{"interviews", 0, false}, {"children", 0, true}}, 1);
        for (const auto* code : {"face_to_face", "phone", "video", "not_recorded"}) {
            mode.row(code, humanise(code));
        }
        TableBuilder declined(
            make_table("rhi_declined_reasons", rhi_section, "Interviews declined, by reason",
                       "Interviews of the period with the outcome declined (by the child), by the "
                       "reason recorded. Reasons written as free text are shown to analysts only.",
                       std::string(seed_guidance) +
                           " (the number of RHIs and the reasons for any refusals; e)",
                       "bars", true),
            {{"interviews", 0, false}, {"children", 0, true}}, 1);
        TableBuilder refused(
            make_table(
                "rhi_parent_refused_reasons", rhi_section,
                "Interviews refused by a parent, by reason",
                "Interviews of the period with the outcome parent_refused, by the reason recorded.",
                std::string(seed_guidance) + " (RHIs that do not take place due to lack of "
                                             "parental consent and the reasons)",
                "bars", true),
            {{"interviews", 0, false}, {"children", 0, true}}, 1);
        for (const auto& [r, e] : rhis) {
            if (completed(*r)) {
                mode.row(code_or(r->mode), "")[0].add(r->child_id);
            }
            if (r->outcome == m::RhiOutcome::declined) {
                const auto [key, label] = reason_row(r->decline_reason, profile);
                declined.row(key, label)[0].add(r->child_id);
            }
            if (r->outcome == m::RhiOutcome::parent_refused) {
                const auto [key, label] = reason_row(r->decline_reason, profile);
                refused.row(key, label)[0].add(r->child_id);
            }
        }
        declined.sort_by_size();
        refused.sort_by_size();
        figures.tables.push_back(mode.finish(stage, true, true));
        figures.tables.push_back(declined.finish(stage, true, true));
        figures.tables.push_back(refused.finish(stage, true, true));
    }

    // Safe-and-well checks.
    {
        TableBuilder checks = episodes_table(make_table(
            "safe_and_well", "Safe and well checks", "Safe and well checks after a return",
            "Episodes of the period that ended in a return, by whether the police safe and well "
            "check is recorded as done.",
            std::string(seed_guidance) +
                " (Does every returned missing child receive a safe and well check); " +
                seed_forms + " (5.7.3); " + seed_statutory + " (29)",
            "bars", true));
        checks.row("yes", "Done");
        checks.row("no", "Not done");
        checks.row("not_recorded", "Not recorded");
        for (const m::Episode* e : episodes) {
            if (e->returned_at) {
                checks.row(yes_no(e->safe_and_well), "")[0].add(e->child_id);
            }
        }
        figures.tables.push_back(checks.finish(stage, true, true));
    }

    // Push and pull factors, and the risks recorded.
    {
        const std::string section = "What the interviews found";
        const auto factor_table = [&](std::string id, std::string title, std::string what) {
            return TableBuilder(
                make_table(std::move(id), section, std::move(title),
                           "Interviews of the period recording each " + what +
                               " (an interview may record several), and their distinct children.",
                           std::string(seed_forms) + " (Appendix 8: push and pull factors; 9.4)",
                           "bars", false),
                {{"interviews", 0, false}, {"children", 0, true}}, 1);
        };
        TableBuilder push = factor_table("push_factors", "Push factors", "push factor");
        TableBuilder pull = factor_table("pull_factors", "Pull factors", "pull factor");
        TableBuilder risks(
            make_table("rhi_high_risk", section, "Risks recorded at the interview",
                       "Interviews of the period marking each high-risk category of the form as "
                       "present.",
                       std::string(seed_forms) + " (Appendix 8: high-risk indicators); " +
                           seed_guidance + " (f: the risks experienced)",
                       "bars", false),
            {{"interviews", 0, false}, {"children", 0, true}}, 1);
        for (const auto& [r, e] : rhis) {
            std::set<std::string> seen;
            for (const m::PushFactor f : r->push_factors) {
                const std::string code(m::to_code(f));
                if (seen.insert("push:" + code).second) {
                    push.row(code, humanise(code))[0].add(r->child_id);
                }
            }
            for (const m::PullFactor f : r->pull_factors) {
                const std::string code(m::to_code(f));
                if (seen.insert("pull:" + code).second) {
                    pull.row(code, humanise(code))[0].add(r->child_id);
                }
            }
            for (const auto& [category, present] : r->high_risk) {
                const std::string code(m::to_code(category));
                if (present && seen.insert("risk:" + code).second) {
                    risks.row(code, humanise(code))[0].add(r->child_id);
                }
            }
        }
        push.sort_by_size();
        pull.sort_by_size();
        risks.sort_by_size();
        figures.tables.push_back(push.finish(stage, false, true));
        figures.tables.push_back(pull.finish(stage, false, true));
        figures.tables.push_back(risks.finish(stage, false, true));
    }

    // Triggers met in the period, judged as the records stood at its end.
    TriggerResult triggers;
    {
        TriggerQuery query;
        query.since = zone.start_of(first);
        query.as_of = zone.start_of(last + date::days(1)) - std::chrono::seconds(1);
        triggers = evaluate_triggers(records, thresholds, query);
        TableBuilder met(
            make_table("triggers_met", "Escalation triggers",
                       "Children meeting escalation triggers",
                       "Distinct children for whom a trigger was met during the period, judged as "
                       "the records stood at the end of " +
                           until + " (docs/triggers.md); a child may meet several.",
                       std::string(seed_forms) + " (6.6.3, 9.3, 5.6.5, 7.9); " + seed_guidance,
                       "bars", false),
            {{"children", 0, true}}, 1);
        std::map<std::string, TriggerChild> per_child;
        for (const Trigger t : all_triggers) {
            met.row(std::string(to_code(t)), describe(t, thresholds));
        }
        met.row("any", "Any trigger");
        for (const TriggerHit& hit : triggers.hits) {
            const std::string code(to_code(hit.trigger));
            met.row(code, "")[0].add(hit.child_id);
            met.row("any", "")[0].children.insert(hit.child_id);
            TriggerChild& child = per_child[hit.child_id];
            if (std::find(child.triggers.begin(), child.triggers.end(), code) ==
                child.triggers.end()) {
                child.triggers.push_back(code);
            }
            for (const std::string& episode : hit.episodes) {
                child.episodes.push_back(episode);
            }
            const std::string first_met = m::format_timestamp(hit.first_met);
            const std::string last_met = m::format_timestamp(hit.last_met);
            child.first_met =
                child.first_met.empty() ? first_met : std::min(child.first_met, first_met);
            child.last_met = std::max(child.last_met, last_met);
            child.ongoing = child.ongoing || hit.ongoing;
        }
        {
            // "any" counts children, not hits.
            auto& any = met.row("any", "")[0];
            any.records = static_cast<std::int64_t>(any.children.size());
        }
        figures.tables.push_back(met.finish(stage, false, false));
        if (profile != Profile::partnership) {
            for (auto& [id, child] : per_child) {
                std::sort(child.episodes.begin(), child.episodes.end());
                child.episodes.erase(std::unique(child.episodes.begin(), child.episodes.end()),
                                     child.episodes.end());
                for (std::string& episode : child.episodes) {
                    episode = stage.id(episode);
                }
                child.child = stage.id(id);
                figures.trigger_children.push_back(std::move(child));
            }
            std::stable_sort(figures.trigger_children.begin(), figures.trigger_children.end(),
                             [](const TriggerChild& a, const TriggerChild& b) {
                                 if (a.triggers.size() != b.triggers.size()) {
                                     return a.triggers.size() > b.triggers.size();
                                 }
                                 return a.child < b.child;
                             });
        }
    }

    // Data quality.
    {
        TableBuilder quality(
            make_table("data_quality", "Data quality", "Data quality findings",
                       "Records of the period that break a rule the data should keep: a finding, "
                       "not an error. Findings of the triggers engine are judged as at the end of "
                       "the period (docs/triggers.md).",
                       std::string(seed_guidance) +
                           " (Is data collected used to identify operational problems?)",
                       "", false),
            {{"records", 0, false}}, 1);
        for (const m::Episode* e : episodes) {
            if (!e->returned_at) {
                quality.row("still_missing", "Episodes with no return recorded")[0].add(
                    e->child_id);
            }
            if (!e->risk_grade) {
                quality.row("no_risk_grade", "Episodes with no police risk grade")[0].add(
                    e->child_id);
            }
        }
        std::set<std::string> all_episodes;
        for (const m::Episode& e : records.episodes) {
            all_episodes.insert(e.episode_id);
        }
        for (const auto& [r, e] : rhis) {
            if (completed(*r) && !r->conducted_at) {
                quality.row("rhi_completed_undated", "Completed interviews with no date held")[0]
                    .add(r->child_id);
            }
            if (!r->outcome) {
                quality.row("rhi_no_outcome", "Interviews with no outcome")[0].add(r->child_id);
            }
            if (completed(*r) && !rhi_clock_start(thresholds, e->returned_at, r)) {
                quality
                    .row("rhi_no_clock_start",
                         "Completed interviews with no " + clock_text + " recorded")[0]
                    .add(r->child_id);
            }
        }
        for (const QualityFinding& finding : triggers.findings) {
            const auto found = by_id.find(finding.record);
            bool in_period = found != by_id.end();
            if (!in_period) {
                for (const auto& [r, e] : rhis) {
                    if (r->rhi_id == finding.record) {
                        in_period = true;
                        break;
                    }
                }
            }
            if (in_period) {
                quality.row(finding.code, humanise(finding.code))[0].add(finding.child_id);
            }
        }
        figures.tables.push_back(quality.finish(stage, false, true));
    }

    if (profile == Profile::partnership) {
        figures.notes.push_back(
            "Partnership profile: aggregates only. A value is left out (shown as *) when it "
            "concerns fewer than " +
            std::to_string(figures.suppression_k) +
            " children, and so are the smallest other rows of a table with a total, so that no "
            "hidden value can be worked out from the total.");
    }
    return figures;
}

// ---- Maps --------------------------------------------------------------------------

namespace {

// Keeps the approved layers of one run, in the working CRS.
class MapLayers final : public LayerSink {
public:
    explicit MapLayers(Profile profile) : m_profile(profile) {}

    void write(const ApprovedLayer& approved) override {
        if (approved.profile() != m_profile) {
            throw Error("layer " + approved.description().name +
                        " was approved for another "
                        "profile than the report's");
        }
        Kept kept{approved.description(), {approved.features().begin(), approved.features().end()}};
        m_layers[approved.description().name] = std::move(kept);
    }

    struct Kept {
        LayerDescription description;
        std::vector<LayerFeature> features;
        std::optional<std::size_t> field(std::string_view name) const {
            for (std::size_t i = 0; i < description.fields.size(); ++i) {
                if (description.fields[i].name == name) {
                    return i;
                }
            }
            return std::nullopt;
        }
    };
    const Kept* find(const std::string& name) const {
        const auto found = m_layers.find(name);
        return found == m_layers.end() ? nullptr : &found->second;
    }

private:
    Profile m_profile;
    std::map<std::string, Kept> m_layers;
};

std::int64_t integer(const LayerValue& value) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        return *i;
    }
    return 0;
}

} // namespace

ReportMaps compute_report_maps(const store::Store& store, const ProfileStage& stage,
                               const AreaSettings& area, const ReportConfig& config) {
    ReportMaps maps;
    maps.working_crs = store.working_crs();
    HotspotConfig hc;
    hc.roles = {HotspotRole::from, HotspotRole::found, HotspotRole::visited, HotspotRole::concern};
    hc.methods = {HotspotMethod::dbscan, HotspotMethod::gistar};
    hc.filter.since = config.since;
    hc.filter.until = config.until;
    hc.count = CountMode::children;
    hc.seed = config.seed;
    hc.threads = config.threads;
    hc.permutations = 0; // the bins come from the analytic p-values either way
    hc.extent = area.extent;
    hc.time_zone = area.time_zone;
    const ProfiledIncidents incidents = select_incidents(store, hc, stage);

    double min_x = std::numeric_limits<double>::max(), min_y = min_x;
    double max_x = std::numeric_limits<double>::lowest(), max_y = max_x;
    const auto extend = [&](const geo::Point& p) {
        min_x = std::min(min_x, p.x);
        min_y = std::min(min_y, p.y);
        max_x = std::max(max_x, p.x);
        max_y = std::max(max_y, p.y);
    };

    const std::vector<std::string> roles = {"from", "found", "visited", "concern"};
    if (stage.profile() == Profile::partnership) {
        for (const std::string& role : roles) {
            RoleMap map;
            map.role = role;
            for (const AggregateCell& cell : stage.aggregate(incidents, role)) {
                RoleMap::Shape shape;
                shape.rings.push_back(cell.corners);
                shape.suppressed = cell.suppression != AggregateCell::Suppression::none;
                if (!shape.suppressed) {
                    shape.children = stage.count(cell.children);
                    shape.episodes = stage.count(cell.episodes);
                }
                for (const geo::Point& p : cell.corners) {
                    extend(p);
                }
                map.cells.push_back(std::move(shape));
            }
            maps.roles.push_back(std::move(map));
        }
    } else {
        MapLayers layers(stage.profile());
        const HotspotLayers written = write_hotspot_layers(incidents, hc, stage, layers, {},
                                                           maps.working_crs, {}, [](Surface) {});
        for (const std::string& role : roles) {
            RoleMap map;
            map.role = role;
            std::set<std::string> children;
            for (const store::Incident& incident : incidents.incidents()) {
                if (incident.role == role) {
                    map.points.push_back({incident.point.x, incident.point.y});
                    extend(map.points.back());
                    ++map.incidents;
                    if (!incident.child_id.empty()) {
                        children.insert(incident.child_id);
                    }
                }
            }
            map.children = static_cast<std::int64_t>(children.size());
            if (const MapLayers::Kept* clusters = layers.find("clusters_" + role)) {
                const auto rank = clusters->field("cluster");
                const auto episodes = clusters->field("episodes");
                const auto children_field = clusters->field("children");
                const auto places = clusters->field("places");
                const auto top = clusters->field("top_places");
                for (const LayerFeature& feature : clusters->features) {
                    RoleMap::Shape shape;
                    shape.rings = feature.rings;
                    shape.rank = rank ? static_cast<int>(integer(feature.values[*rank])) : 0;
                    map.clusters.push_back(std::move(shape));
                    if (static_cast<int>(map.top_clusters.size()) < config.top_clusters) {
                        RoleMap::Cluster c;
                        c.rank = map.clusters.back().rank;
                        c.episodes = episodes ? integer(feature.values[*episodes]) : 0;
                        c.children = children_field ? integer(feature.values[*children_field]) : 0;
                        c.places = places ? integer(feature.values[*places]) : 0;
                        if (top) {
                            if (const auto* text =
                                    std::get_if<std::string>(&feature.values[*top])) {
                                c.top_places = *text;
                            }
                        }
                        map.top_clusters.push_back(std::move(c));
                    }
                }
            }
            if (const MapLayers::Kept* gistar = layers.find("gistar_" + role)) {
                const auto bin = gistar->field("gi_bin");
                for (const LayerFeature& feature : gistar->features) {
                    const int b = bin ? static_cast<int>(integer(feature.values[*bin])) : 0;
                    if (b > 0) {
                        RoleMap::Shape shape;
                        shape.rings = feature.rings;
                        shape.bin = b;
                        map.hot.push_back(std::move(shape));
                    }
                }
            }
            for (const RoleSummary& summary : written.roles) {
                if (summary.role == role) {
                    map.notes = summary.notes;
                }
            }
            maps.roles.push_back(std::move(map));
        }
    }
    // The frame: the area's extent, else the middle 90 % of the incidents
    // (or cells) in each direction, widened by a sixth: children placed far
    // away would otherwise shrink the town to a few pixels. What falls outside
    // is counted under the map.
    std::vector<double> xs;
    std::vector<double> ys;
    for (const RoleMap& map : maps.roles) {
        for (const geo::Point& p : map.points) {
            xs.push_back(p.x);
            ys.push_back(p.y);
        }
    }
    if (stage.profile() == Profile::partnership) {
        // The frame only: the points themselves are never drawn.
        for (const store::Incident& incident : incidents.incidents()) {
            xs.push_back(incident.point.x);
            ys.push_back(incident.point.y);
        }
    }
    if (!area.extent && xs.size() >= 50) {
        const auto quantile = [](std::vector<double>& v, double q) {
            const auto at =
                v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
            std::nth_element(v.begin(), at, v.end());
            return *at;
        };
        min_x = quantile(xs, 0.05);
        max_x = quantile(xs, 0.95);
        min_y = quantile(ys, 0.05);
        max_y = quantile(ys, 0.95);
    }
    if (area.extent) {
        maps.extent = *area.extent;
    } else if (min_x <= max_x) {
        const double pad = std::max({(max_x - min_x) / 6, (max_y - min_y) / 6, 200.0});
        maps.extent = {min_x - pad, min_y - pad, max_x + pad, max_y + pad};
        if (stage.profile() == Profile::partnership) {
            // Whole cells: out to the cell boundaries around the frame.
            const double cell = stage.partnership_cell_metres();
            maps.extent = {std::floor(min_x / cell) * cell, std::floor(min_y / cell) * cell,
                           std::ceil(max_x / cell) * cell, std::ceil(max_y / cell) * cell};
        }
    } else {
        maps.extent = {0, 0, 1000, 1000};
    }
    return maps;
}

// ---- The whole pack ----------------------------------------------------------------

namespace {

// The top clusters of each role (analyst, panel), as tables.
std::vector<FigureTable> cluster_tables(const ReportMaps& maps, const ProfileStage& stage) {
    std::vector<FigureTable> tables;
    if (stage.profile() == Profile::partnership) {
        return tables;
    }
    for (const RoleMap& map : maps.roles) {
        FigureTable table = make_table(
            "hotspots_" + map.role, "Hotspot maps", "Largest clusters: " + map.role,
            "DBSCAN clusters of the places where children's incidents of this role lie "
            "(docs/hotspots.md), counting distinct children, largest first, with their three "
            "busiest places.",
            std::string(seed_guidance) + " (potential hotspots); " + seed_forms +
                " (Appendix 4: hotspots and associations)",
            "", false);
        table.columns = {"episodes", "children", "places"};
        for (const RoleMap::Cluster& c : map.top_clusters) {
            table.rows.push_back(
                {std::to_string(c.rank),
                 "Cluster " + std::to_string(c.rank) +
                     (c.top_places.empty() ? "" : ": " + c.top_places),
                 {stage.count(c.episodes), stage.count(c.children), stage.count(c.places)},
                 false});
        }
        tables.push_back(std::move(table));
    }
    return tables;
}

FigureTable network_table(const store::NetworkEvidence& evidence, const ProfileStage& stage,
                          const NetworkBuildParams& params) {
    FigureTable table = make_table(
        "network_summary", "The peer and associate network", "Network summary",
        "Entities (children, adults, unidentified people, places, vehicles) and links of the "
        "peer network built from the evidence dated in the period (docs/network.md), after the "
        "profile's rules.",
        std::string(seed_forms) + " (Appendix 8: who the child was with; Appendix 6: CPI); " +
            seed_guidance + " (individuals who target specific areas)",
        "", false);
    table.columns = {"count"};
    Network network = build_network(evidence, params);
    if (stage.profile() == Profile::partnership) {
        for (const auto& [key, value] : stage.network_summary(network, evidence)) {
            table.rows.push_back({key,
                                  humanise(key.substr(key.find('.') + 1)) +
                                      (key.starts_with("entities.") ? " (entities)" : " (links)"),
                                  {value},
                                  false});
        }
        return table;
    }
    const ProfiledNetwork profiled = stage.network(std::move(network), evidence);
    std::map<std::string, std::int64_t> entities;
    std::map<std::string, std::int64_t> links;
    for (const Entity& e : profiled.network().entities) {
        ++entities[std::string(to_string(e.kind))];
    }
    for (const Link& l : profiled.network().links) {
        ++links[std::string(to_string(l.type))];
    }
    for (const auto& [kind, count] : entities) {
        table.rows.push_back(
            {"entities." + kind, humanise(kind) + " (entities)", {stage.count(count)}, false});
    }
    for (const auto& [type, count] : links) {
        table.rows.push_back(
            {"links." + type, humanise(type) + " (links)", {stage.count(count)}, false});
    }
    return table;
}

} // namespace

namespace {

// The top disruption targets (analyst, panel): kept apart so that the pack
// stands without them.
std::vector<ReportTarget> report_disruption_targets(const store::Store& store,
                                                    const ProfileStage& stage,
                                                    const NetworkBuildParams& params,
                                                    const ReportConfig& config) {
    DisruptConfig disrupt;
    disrupt.top = config.top_targets;
    disrupt.build = params;
    disrupt.seed = config.seed;
    disrupt.overrides_file = config.overrides_file;
    const DisruptionResult result = rank_disruption_targets(store, stage, disrupt);
    std::vector<ReportTarget> targets;
    for (const DisruptionTarget& t : result.targets) {
        targets.push_back({t.rank, t.id, t.kind, t.label, t.children, t.risk, t.fragmentation,
                           t.hotspot, t.score});
    }
    return targets;
}

} // namespace

Report build_report(const store::Store& store, const ProfileStage& stage, const AreaSettings& area,
                    const ReportConfig& config, const ReportProgress& progress) {
    const auto report = [&progress](std::string_view name, double fraction) {
        if (progress) {
            progress(name, fraction);
        }
    };
    Report r;
    r.area_name = area.name;
    r.generated_at = m::format_timestamp(m::now_utc());
    r.profile_rules = stage.metadata();

    report("reading the records", 0.0);
    const store::CaseRecords records = store.case_records();
    report("counting", 0.1);
    r.figures = compute_report_figures(records, stage, area, config.since, config.until);

    // Whole-store data quality: what the import could not place or use.
    {
        const store::StoreStatus status = store.status();
        for (FigureTable& table : r.figures.tables) {
            if (table.id != "data_quality") {
                continue;
            }
            table.rows.push_back({"unresolved_locations",
                                  "Locations not placed on the map (whole store)",
                                  {stage.count(status.unresolved_locations)},
                                  false});
            table.rows.push_back({"quarantined_rows",
                                  "Rows quarantined at import (whole store)",
                                  {stage.count(status.quarantined_rows)},
                                  false});
        }
    }

    if (config.maps) {
        report("hotspot maps", 0.2);
        r.maps = compute_report_maps(store, stage, area, config);
        for (FigureTable& table : cluster_tables(r.maps, stage)) {
            r.figures.tables.push_back(std::move(table));
        }
    }
    if (config.network) {
        report("the network", 0.6);
        NetworkBuildParams params;
        params.since = config.since;
        params.until = config.until;
        if (!config.overrides_file.empty()) {
            params.overrides = graph::read_overrides(config.overrides_file.string());
        }
        const store::NetworkEvidence evidence = store.network_evidence();
        r.figures.tables.push_back(network_table(evidence, stage, params));
        if (stage.profile() != Profile::partnership) {
            report("disruption targets", 0.8);
            try {
                r.targets = report_disruption_targets(store, stage, params, config);
            } catch (const UsageError&) {
                throw;
            } catch (const InputError& refused) {
                r.target_notes.push_back(std::string("no disruption targets: ") + refused.what());
            }
        }
    }
    report("done", 1.0);
    return r;
}

// ---- Files -------------------------------------------------------------------------

namespace {

// One cell (base/csv.hpp: formula guard, quoting).
std::string csv_field(std::string_view raw) {
    return csv::cell(raw);
}

} // namespace

std::string table_csv(const FigureTable& table, const ReportFigures& figures) {
    std::string out = "# Waymark report: " + csv_field(table.title) + "; profile " +
                      std::string(to_string(figures.profile)) + "; period " + figures.since +
                      " to " + figures.until + " (" + figures.time_zone + ")";
    if (figures.profile == Profile::partnership) {
        out += "; empty values suppressed (fewer than " + std::to_string(figures.suppression_k) +
               " children)";
    }
    out += "\r\nkey,label";
    for (const std::string& column : table.columns) {
        out += "," + csv_field(column);
    }
    out += "\r\n";
    for (const FigureRow& row : table.rows) {
        out += csv_field(row.key) + "," + csv_field(row.label);
        for (const Figure& value : row.values) {
            out += ",";
            if (value) {
                out += std::to_string(*value);
            }
        }
        out += "\r\n";
    }
    return out;
}

ReportResult run_report(store::Store& store, const ProfileStage& stage, const AreaSettings& area,
                        const ReportConfig& config, const ReportProgress& progress) {
    if (config.since.empty() || config.until.empty()) {
        throw UsageError("report: --since and --until are required");
    }
    const std::string started_at = m::format_timestamp(m::now_utc());
    const Report report = build_report(store, stage, area, config, progress);
    prepare_output_folder(config.out, "report", "pack");
    std::error_code error;
    fs::create_directories(config.out / "csv", error);
    if (error) {
        throw IoError("cannot create " + (config.out / "csv").string() + ": " + error.message());
    }

    std::vector<fs::path> files;
    nlohmann::json tables = nlohmann::json::array();
    for (const FigureTable& table : report.figures.tables) {
        const fs::path path = config.out / "csv" / (table.id + ".csv");
        write_output_file(path, table_csv(table, report.figures));
        files.push_back(path);
        tables.push_back({{"id", table.id},
                          {"title", table.title},
                          {"source", table.source},
                          {"csv", "csv/" + table.id + ".csv"}});
    }
    if (report.figures.profile != Profile::partnership) {
        // The children meeting triggers, as the profile names them.
        std::string text = "# Waymark report: children meeting triggers; profile " +
                           std::string(to_string(report.figures.profile)) + "; period " +
                           report.figures.since + " to " + report.figures.until +
                           "\r\nchild,triggers,first_met,last_met,ongoing,episodes\r\n";
        for (const TriggerChild& child : report.figures.trigger_children) {
            std::string triggers;
            for (const std::string& t : child.triggers) {
                triggers += (triggers.empty() ? "" : ";") + t;
            }
            std::string episodes;
            for (const std::string& e : child.episodes) {
                episodes += (episodes.empty() ? "" : ";") + e;
            }
            text += csv_field(child.child) + "," + csv_field(triggers) + "," + child.first_met +
                    "," + child.last_met + "," + (child.ongoing ? "Y" : "N") + "," +
                    csv_field(episodes) + "\r\n";
        }
        const fs::path path = config.out / "csv" / "trigger_children.csv";
        write_output_file(path, text);
        files.push_back(path);
        if (!report.targets.empty()) {
            std::string targets = "# Waymark report: top disruption targets; profile " +
                                  std::string(to_string(report.figures.profile)) +
                                  "\r\nrank,id,kind,label,children,risk,fragmentation,hotspot,"
                                  "score\r\n";
            for (const ReportTarget& t : report.targets) {
                char numbers[96];
                std::snprintf(numbers, sizeof numbers, "%.3f,%.3f,%s,%.3f", t.risk, t.fragmentation,
                              t.hotspot ? "Y" : "N", t.score);
                targets += std::to_string(t.rank) + "," + csv_field(t.id) + "," +
                           csv_field(t.kind) + "," + csv_field(t.label) + "," +
                           std::to_string(t.children) + "," + numbers + "\r\n";
            }
            const fs::path tpath = config.out / "csv" / "disruption_targets.csv";
            write_output_file(tpath, targets);
            files.push_back(tpath);
        }
    }
    const fs::path html = config.out / "report.html";
    write_output_file(html, render_report_html(report));
    files.insert(files.begin(), html);

    nlohmann::json file_list = nlohmann::json::object();
    for (const fs::path& file : files) {
        file_list[fs::relative(file, config.out).generic_string()] = sha256_of_file(file);
    }
    const nlohmann::json parameters = {
        {"since", config.since},
        {"until", config.until},
        {"time_zone", area.time_zone},
        {"top_targets", config.top_targets},
        {"maps", config.maps},
        {"network", config.network},
        {"seed", config.seed},
        {"out", config.out.string()},
        {"triggers", nlohmann::json::parse(to_json(area))["triggers"]}};
    ReportResult result;
    result.analysis_run = store.record_analysis({"report", std::string(to_string(stage.profile())),
                                                 started_at, parameters.dump(), file_list.dump()});
    const nlohmann::json manifest = {{"generator", "Waymark report"},
                                     {"software", "Waymark " WAYMARK_VERSION_STRING},
                                     {"profile", std::string(to_string(stage.profile()))},
                                     {"profile_rules", stage.metadata()},
                                     {"generated_at", started_at},
                                     {"area", area.name},
                                     {"period", {{"since", config.since}, {"until", config.until}}},
                                     {"time_zone", area.time_zone},
                                     {"parameters", parameters},
                                     {"tables", tables},
                                     {"files", file_list},
                                     {"analysis_run", result.analysis_run}};
    const fs::path manifest_path = config.out / "manifest.json";
    write_output_file(manifest_path, manifest.dump(2) + "\n");
    files.push_back(manifest_path);
    result.files = std::move(files);
    result.tables = static_cast<std::int64_t>(report.figures.tables.size());
    return result;
}

} // namespace waymark
