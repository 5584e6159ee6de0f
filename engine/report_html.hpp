#pragma once

// The panel pack as one self-contained HTML file (issue 9; docs/report.md):
// inline CSS with an A4 print style, charts and maps as inline SVG, no
// script, no image, font or style sheet fetched from anywhere, every text
// escaped (record text is data, never markup: design/PRIVACY.md). It prints
// to PDF from any browser.

#include "engine/report.hpp"

#include <string>

namespace waymark {

/// The whole document.
std::string render_report_html(const Report& report);

/// A role's map as an inline <svg>: the area's extent north up (grid north of
/// the working CRS), hot cells, cluster outlines and incidents (analyst,
/// panel) or the aggregate cells (partnership), with a scale bar and a north
/// arrow. No basemap.
std::string render_map_svg(const RoleMap& map, const ReportMaps& maps);

} // namespace waymark
