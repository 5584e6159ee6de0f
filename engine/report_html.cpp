#include "engine/report_html.hpp"

#include "base/xml.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>

namespace waymark {
namespace {

// Element text and attribute values (between double quotes), escaped.
std::string text(std::string_view raw) {
    std::string out;
    xml::append_text(out, raw);
    return out;
}

std::string attr(std::string_view raw) {
    std::string out;
    xml::append_attribute(out, raw);
    return out;
}

std::string number(double value, int decimals = 1) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

// Thousands separated: 12,345.
std::string count_text(std::int64_t value) {
    std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

std::string figure_text(const Figure& value) {
    return value ? count_text(*value) : "*";
}

const char* const style = R"css(
:root { --ink: #1d2733; --muted: #5b6776; --rule: #d5dbe3; --accent: #1f5f8b; --hot: #c0392b; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 190mm; padding: 12mm 0; font-size: 10.5pt; line-height: 1.4; }
h1 { font-size: 20pt; margin: 0 0 4mm; color: var(--accent); }
h2 { font-size: 14pt; margin: 8mm 0 3mm; padding-bottom: 1mm; border-bottom: 2px solid var(--accent);
     color: var(--accent); }
h3 { font-size: 11.5pt; margin: 5mm 0 1mm; }
p { margin: 1mm 0 2mm; }
.muted, .definition, .source { color: var(--muted); font-size: 9pt; }
.source { font-style: italic; }
.cover { border: 1px solid var(--rule); padding: 5mm; margin-bottom: 6mm; }
.cover dl { display: grid; grid-template-columns: 40mm 1fr; gap: 1mm 4mm; margin: 0; }
.cover dt { font-weight: bold; }
.cover dd { margin: 0; }
.notes { background: #f4f6f9; border-left: 3px solid var(--accent); padding: 2mm 4mm; }
nav ol { columns: 2; margin: 0; padding-left: 6mm; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 9pt; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.8mm 2mm; text-align: left;
         vertical-align: top; }
th { background: #eef2f6; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { white-space: nowrap; font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
tr.total td { font-weight: bold; border-top: 1.5px solid var(--ink); }
.figure { break-inside: avoid; page-break-inside: avoid; margin-bottom: 4mm; }
.chart { display: block; max-width: 100%; height: auto; }
.map { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
.maps { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
.legend { font-size: 8.5pt; color: var(--muted); }
.swatch { display: inline-block; width: 3mm; height: 3mm; margin: 0 1mm 0 3mm;
          vertical-align: middle; border: 1px solid #7f8c8d; }
section.part { break-before: page; page-break-before: always; }
section.part:first-of-type { break-before: auto; page-break-before: auto; }
footer { margin-top: 8mm; font-size: 8.5pt; color: var(--muted); border-top: 1px solid var(--rule);
         padding-top: 2mm; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav { break-after: page; }
  a { color: inherit; text-decoration: none; }
}
)css";

// ---- Charts ------------------------------------------------------------------------

// Horizontal bars of the first column (a bar per row, total rows left out).
std::string bar_chart(const FigureTable& table) {
    std::vector<const FigureRow*> rows;
    for (const FigureRow& row : table.rows) {
        if (!row.total) {
            rows.push_back(&row);
        }
    }
    if (rows.empty() || table.columns.empty()) {
        return "";
    }
    std::int64_t largest = 1;
    for (const FigureRow* row : rows) {
        if (row->values[0]) {
            largest = std::max(largest, *row->values[0]);
        }
    }
    const int width = 640, label_width = 230, bar_height = 14, gap = 5;
    const int plot = width - label_width - 70;
    const int height = static_cast<int>(rows.size()) * (bar_height + gap) + gap;
    std::string out = "<svg class=\"chart\" viewBox=\"0 0 " + std::to_string(width) + " " +
                      std::to_string(height) + "\" width=\"" + std::to_string(width) +
                      "\" height=\"" + std::to_string(height) + "\" role=\"img\" aria-label=\"" +
                      attr(table.title + ": " + table.columns[0]) + "\">";
    int y = gap;
    for (const FigureRow* row : rows) {
        std::string label = row->label;
        if (label.size() > 40) {
            label = label.substr(0, 37);
            while (!label.empty() && (static_cast<unsigned char>(label.back()) & 0xC0) == 0x80) {
                label.pop_back(); // not inside a UTF-8 sequence
            }
            if (!label.empty()) {
                label.pop_back();
            }
            label += "…";
        }
        out += "<text x=\"" + std::to_string(label_width - 6) + "\" y=\"" +
               std::to_string(y + bar_height - 3) +
               "\" font-size=\"10\" text-anchor=\"end\" fill=\"#1d2733\">" + text(label) +
               "</text>";
        if (row->values[0]) {
            const double w = static_cast<double>(plot) * static_cast<double>(*row->values[0]) /
                             static_cast<double>(largest);
            out += "<rect x=\"" + std::to_string(label_width) + "\" y=\"" + std::to_string(y) +
                   "\" width=\"" + number(std::max(w, 0.5)) + "\" height=\"" +
                   std::to_string(bar_height) + "\" fill=\"#1f5f8b\"/>";
            out += "<text x=\"" + number(label_width + w + 4) + "\" y=\"" +
                   std::to_string(y + bar_height - 3) + "\" font-size=\"10\" fill=\"#1d2733\">" +
                   count_text(*row->values[0]) + "</text>";
        } else {
            out += "<text x=\"" + std::to_string(label_width + 2) + "\" y=\"" +
                   std::to_string(y + bar_height - 3) +
                   "\" font-size=\"10\" fill=\"#5b6776\">* suppressed</text>";
        }
        y += bar_height + gap;
    }
    return out + "</svg>";
}

// Vertical columns of the first column (hours, weekdays, months).
std::string column_chart(const FigureTable& table) {
    std::vector<const FigureRow*> rows;
    for (const FigureRow& row : table.rows) {
        if (!row.total) {
            rows.push_back(&row);
        }
    }
    if (rows.empty() || table.columns.empty()) {
        return "";
    }
    std::int64_t largest = 1;
    for (const FigureRow* row : rows) {
        if (row->values[0]) {
            largest = std::max(largest, *row->values[0]);
        }
    }
    const int width = 640, height = 200, left = 40, bottom = 30, top = 10;
    const double slot = static_cast<double>(width - left - 10) / static_cast<double>(rows.size());
    const double plot = height - bottom - top;
    std::string out = "<svg class=\"chart\" viewBox=\"0 0 640 200\" width=\"640\" height=\"200\" "
                      "role=\"img\" aria-label=\"" +
                      attr(table.title) + "\">";
    out += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(height - bottom) +
           "\" x2=\"" + std::to_string(width - 10) + "\" y2=\"" + std::to_string(height - bottom) +
           "\" stroke=\"#5b6776\" stroke-width=\"1\"/>";
    out += "<text x=\"" + std::to_string(left - 4) + "\" y=\"" + std::to_string(top + 8) +
           "\" font-size=\"9\" text-anchor=\"end\" fill=\"#5b6776\">" + count_text(largest) +
           "</text><text x=\"" + std::to_string(left - 4) + "\" y=\"" +
           std::to_string(height - bottom) +
           "\" font-size=\"9\" text-anchor=\"end\" fill=\"#5b6776\">0</text>";
    const std::size_t label_every = rows.size() > 16 ? 3 : 1;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double x = left + slot * static_cast<double>(i);
        const Figure& value = rows[i]->values[0];
        if (value) {
            const double h = plot * static_cast<double>(*value) / static_cast<double>(largest);
            out += "<rect x=\"" + number(x + slot * 0.12) + "\" y=\"" +
                   number(height - bottom - h) + "\" width=\"" + number(slot * 0.76) +
                   "\" height=\"" + number(std::max(h, 0.5)) + "\" fill=\"#1f5f8b\"><title>" +
                   text(rows[i]->label + ": " + count_text(*value)) + "</title></rect>";
        } else {
            out += "<text x=\"" + number(x + slot / 2) + "\" y=\"" +
                   std::to_string(height - bottom - 3) +
                   "\" font-size=\"9\" text-anchor=\"middle\" fill=\"#5b6776\">*</text>";
        }
        if (i % label_every == 0) {
            std::string label = rows[i]->key;
            out += "<text x=\"" + number(x + slot / 2) + "\" y=\"" +
                   std::to_string(height - bottom + 13) +
                   "\" font-size=\"9\" text-anchor=\"middle\" fill=\"#1d2733\">" + text(label) +
                   "</text>";
        }
    }
    return out + "</svg>";
}

std::string table_html(const FigureTable& table) {
    std::string out = "<table><thead><tr><th>" +
                      text(table.id.starts_with("hotspots_") ? "cluster" : "") + "</th>";
    for (const std::string& column : table.columns) {
        out += "<th class=\"n\">" + text(column == "within_due" ? "within due time" : column) +
               "</th>";
    }
    out += "</tr></thead><tbody>";
    for (const FigureRow& row : table.rows) {
        out += row.total ? "<tr class=\"total\">" : "<tr>";
        out += "<td>" + text(row.label) + "</td>";
        for (const Figure& value : row.values) {
            out += "<td class=\"n\">" + figure_text(value) + "</td>";
        }
        out += "</tr>";
    }
    if (table.rows.empty()) {
        out += "<tr><td colspan=\"" + std::to_string(table.columns.size() + 1) +
               "\">Nothing recorded in the period.</td></tr>";
    }
    return out + "</tbody></table>";
}

// The funnel's rates, where both figures are shown.
std::string funnel_rates(const FigureTable& table) {
    const auto value = [&table](std::string_view key) -> Figure {
        for (const FigureRow& row : table.rows) {
            if (row.key == key && !row.values.empty()) {
                return row.values[0];
            }
        }
        return std::nullopt;
    };
    std::string rates;
    const auto rate = [&](std::string_view of, std::string_view part, const std::string& what) {
        const Figure a = value(part);
        const Figure b = value(of);
        if (a && b && *b > 0) {
            rates += (rates.empty() ? "" : "; ") +
                     number(100.0 * static_cast<double>(*a) / static_cast<double>(*b), 0) + " % " +
                     what;
        }
    };
    rate("rhis", "offered", "of interviews recorded were offered");
    rate("offered", "accepted", "of offers were accepted");
    rate("completed", "within_due", "of completed interviews were held within the due time");
    rate("offered", "declined", "of offers were declined by the child");
    return rates.empty() ? "" : "<p class=\"muted\">Rates: " + text(rates) + ".</p>";
}

std::string figure_html(const FigureTable& table) {
    std::string out = "<div class=\"figure\" id=\"" + attr(table.id) + "\"><h3>" +
                      text(table.title) + "</h3><p class=\"definition\">" + text(table.definition) +
                      "</p>";
    if (table.chart == "bars") {
        out += bar_chart(table);
    } else if (table.chart == "columns") {
        out += column_chart(table);
    }
    out += table_html(table);
    if (table.id == "rhi_funnel") {
        out += funnel_rates(table);
    }
    out += "<p class=\"source\">Source: " + text(table.source) + ". Table: csv/" + text(table.id) +
           ".csv</p></div>";
    return out;
}

// ---- Maps --------------------------------------------------------------------------

// A round length near `target` metres: 1, 2 or 5 × 10^n.
double nice_length(double target) {
    const double power = std::pow(10.0, std::floor(std::log10(std::max(target, 1.0))));
    for (const double step : {5.0, 2.0, 1.0}) {
        if (step * power <= target) {
            return step * power;
        }
    }
    return power;
}

const char* hot_colour(int bin) {
    return bin >= 3 ? "#b2182b" : bin == 2 ? "#ef8a62" : "#fddbc7";
}

const char* cell_colour(std::int64_t children) {
    return children >= 40   ? "#08519c"
           : children >= 20 ? "#3182bd"
           : children >= 10 ? "#6baed6"
                            : "#bdd7e7";
}

} // namespace

std::string render_map_svg(const RoleMap& map, const ReportMaps& maps) {
    const auto [min_x, min_y, max_x, max_y] = maps.extent;
    const double span_x = std::max(max_x - min_x, 1.0);
    const double span_y = std::max(max_y - min_y, 1.0);
    const double width = 400;
    const double height = std::clamp(width * span_y / span_x, 200.0, 520.0);
    const double scale = std::min(width / span_x, height / span_y);
    const double off_x = (width - span_x * scale) / 2;
    const double off_y = (height - span_y * scale) / 2;
    const auto px = [&](double x) { return off_x + (x - min_x) * scale; };
    const auto py = [&](double y) { return off_y + (max_y - y) * scale; };
    const auto path = [&](const std::vector<std::vector<geo::Point>>& rings) {
        std::string d;
        for (const auto& ring : rings) {
            for (std::size_t i = 0; i < ring.size(); ++i) {
                d += (i == 0 ? "M" : "L") + number(px(ring[i].x)) + " " + number(py(ring[i].y));
            }
            d += "Z";
        }
        return d;
    };
    const std::string id = "hatch-" + map.role;
    std::string out = "<svg class=\"map\" viewBox=\"0 0 " + number(width, 0) + " " +
                      number(height, 0) + "\" role=\"img\" aria-label=\"" +
                      attr("Map of incidents: " + map.role) + "\">";
    out += "<defs><pattern id=\"" + attr(id) +
           "\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
           "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eceff1\"/>"
           "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9aa5b1\" stroke-width=\"2\"/>"
           "</pattern></defs>";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#fbfcfd\"/>";
    for (const RoleMap::Shape& cell : map.cells) {
        const std::string fill =
            cell.suppressed || !cell.children ? "url(#" + id + ")" : cell_colour(*cell.children);
        out += "<path d=\"" + path(cell.rings) + "\" fill=\"" + attr(fill) +
               "\" stroke=\"#ffffff\" stroke-width=\"0.4\"/>";
    }
    for (const RoleMap::Shape& cell : map.hot) {
        out += "<path d=\"" + path(cell.rings) + "\" fill=\"" + hot_colour(cell.bin) +
               "\" fill-opacity=\"0.85\" stroke=\"none\"/>";
    }
    // Incidents: one dot per pixel, so that a large force stays a small file.
    std::set<std::pair<int, int>> drawn;
    std::string dots;
    for (const geo::Point& p : map.points) {
        const int x = static_cast<int>(std::lround(px(p.x)));
        const int y = static_cast<int>(std::lround(py(p.y)));
        if (drawn.insert({x, y}).second) {
            dots += "M" + std::to_string(x) + " " + std::to_string(y) + "h0.01";
        }
    }
    if (!dots.empty()) {
        out += "<path d=\"" + dots +
               "\" stroke=\"#34495e\" stroke-width=\"1.6\" stroke-linecap=\"round\" "
               "stroke-opacity=\"0.55\" fill=\"none\"/>";
    }
    for (const RoleMap::Shape& cluster : map.clusters) {
        out += "<path d=\"" + path(cluster.rings) +
               "\" fill=\"none\" stroke=\"#1f5f8b\" stroke-width=\"1.4\"/>";
        if (cluster.rank > 0 && cluster.rank <= 5 && !cluster.rings.empty() &&
            !cluster.rings[0].empty()) {
            double top_x = cluster.rings[0][0].x, top_y = cluster.rings[0][0].y;
            for (const geo::Point& p : cluster.rings[0]) {
                if (p.y > top_y) {
                    top_x = p.x;
                    top_y = p.y;
                }
            }
            out += "<text x=\"" + number(px(top_x)) + "\" y=\"" + number(py(top_y) - 3) +
                   "\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"middle\" "
                   "fill=\"#1f5f8b\" stroke=\"#ffffff\" stroke-width=\"2.5\" "
                   "paint-order=\"stroke\">" +
                   std::to_string(cluster.rank) + "</text>";
        }
    }
    // Scale bar, bottom left.
    const double metres = nice_length(span_x / 4);
    const double bar = metres * scale;
    const double base_y = height - 12;
    out += "<rect x=\"10\" y=\"" + number(base_y - 6) + "\" width=\"" + number(bar / 2) +
           "\" height=\"5\" fill=\"#1d2733\"/><rect x=\"" + number(10 + bar / 2) + "\" y=\"" +
           number(base_y - 6) + "\" width=\"" + number(bar / 2) +
           "\" height=\"5\" fill=\"#ffffff\" stroke=\"#1d2733\" stroke-width=\"0.8\"/>";
    const std::string scale_label =
        metres >= 1000 ? number(metres / 1000, metres >= 10000 ? 0 : 1).append(" km")
                       : number(metres, 0).append(" m");
    out += "<text x=\"" + number(12 + bar) + "\" y=\"" + number(base_y - 1) +
           "\" font-size=\"10\" fill=\"#1d2733\">" + text(scale_label) + "</text>";
    // North arrow, top right (grid north of the working CRS).
    const double nx = width - 22;
    out += "<path d=\"M" + number(nx) + " 10L" + number(nx + 7) + " 32L" + number(nx) + " 27L" +
           number(nx - 7) + " 32Z\" fill=\"#1d2733\"/><text x=\"" + number(nx) +
           "\" y=\"45\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"middle\" "
           "fill=\"#1d2733\">N</text>";
    return out + "</svg>";
}

namespace {

std::string role_title(const std::string& role) {
    if (role == "from") {
        return "Where children went missing from";
    }
    if (role == "found") {
        return "Where children were found";
    }
    if (role == "visited") {
        return "Where children went while missing (RHI places)";
    }
    return "Places of concern (RHIs and CPI forms)";
}

std::string maps_html(const Report& report) {
    const ReportMaps& maps = report.maps;
    const bool partnership = report.figures.profile == Profile::partnership;
    std::string out = "<p class=\"definition\">One map per role over the same extent, north up "
                      "(grid north of EPSG:" +
                      std::to_string(maps.working_crs) +
                      "), no basemap. Incidents dated in the period (UTC date). ";
    if (partnership) {
        out += "Square cells of the partnership grid shaded by distinct children; hatched cells "
               "are suppressed (fewer than " +
               std::to_string(report.figures.suppression_k) +
               " children, or hidden so that a suppressed cell cannot be worked out).</p>";
        out += "<p class=\"legend\">Children per cell:<span class=\"swatch\" "
               "style=\"background:#bdd7e7\"></span>" +
               std::to_string(report.figures.suppression_k) +
               "–9<span class=\"swatch\" style=\"background:#6baed6\"></span>10–19<span "
               "class=\"swatch\" style=\"background:#3182bd\"></span>20–39<span class=\"swatch\" "
               "style=\"background:#08519c\"></span>40 or more<span class=\"swatch\" "
               "style=\"background:#cfd6dc\"></span>suppressed</p>";
    } else {
        out += "Dots are incidents";
        out += report.figures.profile == Profile::panel
                   ? " (homes, placements and restricted places snapped to the panel grid; "
                     "trafficked and UASC children's locations left out)"
                   : "";
        out += "; outlines are DBSCAN clusters numbered by size (distinct children); shaded "
               "cells are Getis-Ord Gi* hot spots (docs/hotspots.md).</p>";
        out += "<p class=\"legend\">Gi* hot spot:<span class=\"swatch\" "
               "style=\"background:#fddbc7\"></span>90 %<span class=\"swatch\" "
               "style=\"background:#ef8a62\"></span>95 %<span class=\"swatch\" "
               "style=\"background:#b2182b\"></span>99 % confidence<span class=\"swatch\" "
               "style=\"background:#fff;border-color:#1f5f8b\"></span>cluster outline</p>";
    }
    out += "<div class=\"maps\">";
    for (const RoleMap& map : maps.roles) {
        out += "<div class=\"figure\" id=\"map-" + attr(map.role) + "\"><h3>" +
               text(role_title(map.role)) + "</h3>" + render_map_svg(map, maps);
        if (!partnership) {
            std::int64_t outside = 0;
            for (const geo::Point& p : map.points) {
                outside += (p.x < maps.extent[0] || p.y < maps.extent[1] || p.x > maps.extent[2] ||
                            p.y > maps.extent[3])
                               ? 1
                               : 0;
            }
            out += "<p class=\"muted\">" + count_text(map.incidents) + " incidents (" +
                   count_text(outside) + " outside the frame), " + count_text(map.children) +
                   " children, " + std::to_string(map.clusters.size()) + " clusters, " +
                   std::to_string(map.hot.size()) + " hot cells.</p>";
            for (const std::string& note : map.notes) {
                out += "<p class=\"legend\">" + text(note) + "</p>";
            }
        } else {
            std::size_t hidden = 0;
            for (const RoleMap::Shape& cell : map.cells) {
                hidden += cell.suppressed ? 1 : 0;
            }
            out += "<p class=\"muted\">" + std::to_string(map.cells.size()) + " cells, " +
                   std::to_string(hidden) + " suppressed.</p>";
        }
        out += "</div>";
    }
    return out + "</div>";
}

std::string triggers_list_html(const Report& report) {
    const auto& children = report.figures.trigger_children;
    std::string out = "<div class=\"figure\" id=\"trigger_children\"><h3>Children meeting "
                      "triggers</h3><p class=\"definition\">Each child meeting a trigger in the "
                      "period, with the triggers met and the episodes behind them";
    out += report.figures.profile == Profile::panel ? " (pseudonyms: the panel profile)" : "";
    out += ". Most triggers first. Full list: csv/trigger_children.csv</p>";
    out += "<table><thead><tr><th>child</th><th>triggers</th><th>first met</th><th>last "
           "met</th><th>episodes</th></tr></thead><tbody>";
    const std::size_t shown = std::min<std::size_t>(children.size(), 60);
    for (std::size_t i = 0; i < shown; ++i) {
        const TriggerChild& c = children[i];
        std::string triggers;
        for (const std::string& t : c.triggers) {
            triggers += (triggers.empty() ? "" : ", ") + t;
        }
        out += "<tr><td class=\"id\">" + text(c.child) + "</td><td>" + text(triggers) +
               (c.ongoing ? " (ongoing)" : "") + "</td><td>" + text(c.first_met.substr(0, 10)) +
               "</td><td>" + text(c.last_met.substr(0, 10)) + "</td><td class=\"n\">" +
               std::to_string(c.episodes.size()) + "</td></tr>";
    }
    if (children.empty()) {
        out += "<tr><td colspan=\"5\">No child met a trigger in the period.</td></tr>";
    }
    out += "</tbody></table>";
    if (children.size() > shown) {
        out += "<p class=\"muted\">" + std::to_string(children.size() - shown) +
               " more in csv/trigger_children.csv.</p>";
    }
    return out + "</div>";
}

std::string targets_html(const Report& report) {
    std::string out =
        "<div class=\"figure\" id=\"disruption_targets\"><h3>Top disruption targets</h3><p "
        "class=\"definition\">Adults, places and vehicles ranked by how much disrupting them "
        "would protect children: linked children, their risk, the share of child-to-adult-of-"
        "concern connections removing the target cuts, and found or visited hotspots "
        "(docs/disrupt.md). The evidence behind each is in `waymark disrupt`.</p>";
    out += "<table><thead><tr><th class=\"n\">rank</th><th>target</th><th>kind</th><th "
           "class=\"n\">children</th><th class=\"n\">risk</th><th "
           "class=\"n\">fragmentation</th><th>hotspot</th><th "
           "class=\"n\">score</th></tr></thead><tbody>";
    for (const ReportTarget& t : report.targets) {
        out += "<tr><td class=\"n\">" + std::to_string(t.rank) + "</td><td>" +
               text(t.label.empty() ? t.id : t.label + " (" + t.id + ")") + "</td><td>" +
               text(t.kind) + "</td><td class=\"n\">" + count_text(t.children) +
               "</td><td class=\"n\">" + number(t.risk) + "</td><td class=\"n\">" +
               number(100 * t.fragmentation, 0) + " %</td><td>" + (t.hotspot ? "yes" : "") +
               "</td><td class=\"n\">" + number(t.score, 2) + "</td></tr>";
    }
    if (report.targets.empty()) {
        out += "<tr><td colspan=\"8\">No target ranked.</td></tr>";
    }
    out += "</tbody></table>";
    for (const std::string& note : report.target_notes) {
        out += "<p class=\"muted\">" + text(note) + "</p>";
    }
    return out + "<p class=\"source\">Source: 001_43008d521bb0a7ed.txt (Appendix 7: protection "
                 "and disruption plan). Table: csv/disruption_targets.csv</p></div>";
}

} // namespace

std::string render_report_html(const Report& report) {
    const ReportFigures& f = report.figures;
    const std::string profile(to_string(f.profile));
    const std::string title =
        "Missing children: panel pack" + (report.area_name.empty() ? "" : ", " + report.area_name);

    // Sections in order, each with its tables.
    std::vector<std::string> sections;
    for (const FigureTable& table : f.tables) {
        if (std::find(sections.begin(), sections.end(), table.section) == sections.end()) {
            sections.push_back(table.section);
        }
    }
    if (!report.maps.roles.empty() &&
        std::find(sections.begin(), sections.end(), "Hotspot maps") == sections.end()) {
        sections.push_back("Hotspot maps");
    }
    // Data quality last.
    const auto dq = std::find(sections.begin(), sections.end(), "Data quality");
    if (dq != sections.end()) {
        sections.erase(dq);
        sections.push_back("Data quality");
    }
    const auto anchor = [](const std::string& section) {
        std::string a = "s-";
        for (const char c : section) {
            a += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a')
                 : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c
                                                                      : '-';
        }
        return a;
    };

    std::string out = "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<meta name=\"generator\" content=\"Waymark report\">"
                      "<meta name=\"waymark-profile\" content=\"" +
                      attr(profile) + "\"><title>" + text(title) + "</title><style>" + style +
                      "</style></head><body>";
    out += "<header class=\"cover\"><h1>" + text(title) + "</h1><dl>";
    out += "<dt>Period</dt><dd>" + text(f.since) + " to " + text(f.until) + " (" +
           text(f.time_zone) + ", dates inclusive)</dd>";
    // The rules start with the profile's name ("panel: keyed pseudonyms, …").
    const auto rules = report.profile_rules.find("profile_rules");
    out += "<dt>Profile</dt><dd>" +
           text(rules != report.profile_rules.end() ? rules->second : profile);
    out += "</dd><dt>Generated</dt><dd>" + text(report.generated_at) + " by Waymark</dd>";
    out += "<dt>Handling</dt><dd>" +
           text(f.profile == Profile::partnership
                    ? "Aggregates only; may be shared with strategic partners."
                : f.profile == Profile::panel
                    ? "Pseudonymised; for the operational risk panel only."
                    : "Police intelligence: contains source identifiers. Do not circulate.") +
           "</dd></dl>";
    if (!f.notes.empty()) {
        out += "<div class=\"notes\">";
        for (const std::string& note : f.notes) {
            out += "<p>" + text(note) + "</p>";
        }
        out += "</div>";
    }
    out += "</header><nav><h2>Contents</h2><ol>";
    for (const std::string& section : sections) {
        out += "<li><a href=\"#" + attr(anchor(section)) + "\">" + text(section) + "</a></li>";
    }
    out += "</ol><p class=\"muted\">Every table is also a CSV file in csv/, named at its foot; "
           "docs/report.md defines each figure. * = suppressed.</p></nav>";

    for (const std::string& section : sections) {
        out += "<section class=\"part\" id=\"" + attr(anchor(section)) + "\"><h2>" + text(section) +
               "</h2>";
        if (section == "Hotspot maps") {
            out += maps_html(report);
        }
        for (const FigureTable& table : f.tables) {
            if (table.section == section) {
                out += figure_html(table);
            }
        }
        if (section == "Escalation triggers" && f.profile != Profile::partnership) {
            out += triggers_list_html(report);
        }
        if (section == "The peer and associate network" && f.profile != Profile::partnership) {
            out += targets_html(report);
        }
        out += "</section>";
    }
    out += "<footer>Waymark panel pack, profile " + text(profile) + ". Period " + text(f.since) +
           " to " + text(f.until) +
           ". Produced from the records in the store; every figure is defined in "
           "docs/report.md with the guidance it answers.</footer></body></html>\n";
    return out;
}

} // namespace waymark
