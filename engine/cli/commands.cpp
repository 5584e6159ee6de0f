#include "engine/cli/command.hpp"

namespace waymark::cli {

// The one place where subcommands are registered. A command appears here only
// once it works: nothing is listed that would answer "not implemented".
const std::vector<CommandSpec>& all_commands() {
    static const std::vector<CommandSpec> commands = {
        {"synth", "Write a synthetic world (episodes, RHIs, CPIs, persons, gazetteer, truth)",
         "Writes a fictional town's records in the canonical input formats, with the\n"
         "ground truth planted in it (peer groups, adults and addresses of concern,\n"
         "hotspots, children meeting triggers) in truth.json. The same seed gives\n"
         "byte-identical files. --as police|council also writes the episodes as a\n"
         "police or council system would export them, for the specs in data/specs/.\n"
         "See docs/synth.md.",
         make_synth_command},
        {"init", "Create the store (or upgrade an older one) and its pseudonymisation key",
         "The store is a SpatiaLite file (--db). Its working CRS comes from the area\n"
         "settings (--area; default EPSG:27700) and is fixed for the life of the store.\n"
         "On an existing store, init upgrades the schema to this version of Waymark in\n"
         "one transaction and never changes the pseudonymisation key.",
         make_init_command},
        {"import", "Import a file of episodes, RHIs, CPI forms, persons or gazetteer places",
         "Reads the file (through an import spec when your export differs from the\n"
         "canonical format), validates every record, places every location on the map\n"
         "using the gazetteer, and writes it all in one transaction: on any fatal error\n"
         "the store is as it was. Rows that cannot be used are quarantined with their\n"
         "line and reason; importing the same file again changes nothing; a newer\n"
         "extract updates the records that changed. Import the gazetteer first.\n"
         "See docs/import.md.",
         make_import_command},
        {"status", "What the store holds: counts, date range, unresolved locations, imports",
         "Shows record counts, the date range of reported episodes, locations that\n"
         "could not be placed on the map, quarantined rows and the last five imports.\n"
         "Opens the store read-only.",
         make_status_command},
        {"hotspots",
         "Clusters, Gi* hot spots and density surfaces of where children go missing "
         "from, are found, visit and are at risk",
         "For each role (from, found, visited, concern, and all of them together) finds\n"
         "clusters of places (DBSCAN), statistically significant hot and cold spots on a\n"
         "hexagon grid (Getis-Ord Gi* with a false discovery rate correction) and kernel\n"
         "density surfaces, counting episodes or distinct children (--count) and showing\n"
         "both. Writes hotspots.gpkg (working CRS, for QGIS), geojson/ (WGS 84),\n"
         "density_*.tif and hotspots.json (parameters, counts, checksums), and records\n"
         "the run in the store and its audit log. --out and --profile are required.\n"
         "See docs/hotspots.md.",
         make_hotspots_command},
        {"network",
         "The peer and associate network: who went missing with whom, who was with whom, "
         "and the adults, places and vehicles around them",
         "Builds the network of children, adults, places and vehicles from police\n"
         "records (missing_with), episodes from or found at one place close in time,\n"
         "Return Home Interviews and CPI forms. Names without ids are matched to the\n"
         "person index with a score and reasons (resolution.csv); an analyst's\n"
         "overrides file pins or splits matches. Every link keeps the records it rests\n"
         "on, their dates and CPI grading. Measures degree, betweenness, closeness,\n"
         "eigenvector centrality, k-cores, components and communities, and writes GEXF,\n"
         "GraphML, i2 ANX, CSV and map layers. --out and --profile are required.\n"
         "See docs/network.md.",
         make_network_command},
        {"triggers", "Children meeting the escalation triggers on a date, with the episodes",
         "Applies the area's escalation rules (3 episodes in 90 days, missing over 24\n"
         "hours, a looked-after child over 48 hours, not located for 7 days, an RHI\n"
         "graded high, no RHI within 72 hours; --area changes the thresholds) to the\n"
         "records as they stood at the end of --as-of, and lists each child with the\n"
         "episodes that caused it and when the rule was met, plus data-quality findings\n"
         "(a child under 16 graded low risk, an RHI before the return, an episode open\n"
         "for months). Writes triggers.csv, findings.csv and triggers.json through the\n"
         "profile and records the run. See docs/triggers.md.",
         make_triggers_command},
        {"report", "The panel pack: figures, charts and hotspot maps in one HTML file, with CSVs",
         "For a period (--since, --until: local dates, inclusive) writes report.html, one\n"
         "self-contained page that prints to PDF (inline charts and maps, nothing fetched),\n"
         "csv/ with one CSV per table, and manifest.json (profile, period, checksums):\n"
         "episodes and children by setting, looked-after status and placement area; repeat\n"
         "missing; hour, weekday and month patterns; the Return Home Interview funnel;\n"
         "safe and well checks; push and pull factors; triggers met; hotspot maps per role;\n"
         "the network and the top disruption targets; data quality. partnership: aggregates\n"
         "only, fewer than k children suppressed. Records the run in the audit log.\n"
         "See docs/report.md.",
         make_report_command},
        {"disrupt",
         "Adults, places and vehicles ranked by how much disrupting them would protect "
         "children, with the evidence and plan skeletons",
         "Builds the peer network (as 'waymark network') and scores every adult, place\n"
         "and vehicle linked to a child: the children linked and their risk (police risk\n"
         "grade, CSE/CCE, repeat episodes), the share of child-to-adult-of-concern\n"
         "connections removing it cuts (key-player fragmentation, with the best set of\n"
         "--top found greedily and improved by swaps), whether it is a found/visited\n"
         "hotspot, and whether records name it as a concern. Writes disruption.csv,\n"
         "disruption-evidence.csv (every link with its records, dates and grading) and\n"
         "a protection and disruption plan skeleton per target in the structure of\n"
         "seed 001, Appendix 7 (disruption-plan.md, .html, .csv), and records the run.\n"
         "--out and --profile (analyst or panel) are required. See docs/disrupt.md.",
         make_disrupt_command},
        {"export",
         "One bundle for one audience: every layer styled for QGIS, the network, a "
         "manifest",
         "Runs the hotspot analyses and the peer network through the chosen profile and\n"
         "writes one folder: waymark.gpkg (every layer, its QGIS style stored inside),\n"
         "density_*.tif, waymark.qgs (a QGIS project opening it all), geojson/ (WGS 84),\n"
         "network/ (GEXF, GraphML, i2 ANX, CSV) and manifest.json (profile, parameters,\n"
         "counts, checksums). analyst: everything; panel: pseudonyms, homes and\n"
         "restricted places snapped to a grid, restricted intelligence withheld;\n"
         "partnership: cell counts only, fewer than k children suppressed. The run is\n"
         "recorded in the store's audit log. See docs/export.md.",
         make_export_command},
        {"serve", "The web viewer: hotspots on a map and the network beside it, in your browser",
         "Serves the viewer to a browser on this machine: the incidents by role, clusters,\n"
         "Gi* hot and cold spots and density on a map with a legend, the peer network\n"
         "beside it, linked both ways; date range and filters; a child's episodes and ego\n"
         "network; a place's episodes, children and adults. Everything goes through the\n"
         "chosen profile. It listens on 127.0.0.1 with a random token in the address it\n"
         "prints (required by every request), loads nothing from the internet, and logs\n"
         "the session in the store's audit log. Ctrl+C stops it. See docs/viewer.md.",
         make_serve_command},
        {"audit", "The audit log: list its entries, verify its hash chain",
         "Every import, hotspots, network, triggers, disrupt, report, export and viewer\n"
         "session leaves an entry: when, the command line, profile, user, inputs and\n"
         "outputs with their SHA-256, each entry chained to the one before by a hash.\n"
         "'audit list' shows them (--since DATE, --json); 'audit verify' checks the chain\n"
         "and names the first changed, deleted, inserted or reordered entry (exit 1).\n"
         "Keep the chain head it prints elsewhere: '--expect-head HASH' then also sees\n"
         "the newest entries removed. Opens the store read-only. See docs/audit.md.",
         make_audit_command},
        {"migrate", "Move a SpatiaLite store into a PostGIS database, checked table by table",
         "Copies every table of the SpatiaLite store (--from sqlite:PATH, opened\n"
         "read-only, left as it is) into a PostgreSQL database with PostGIS (--to\n"
         "postgresql://...): records, locations with their points, import runs,\n"
         "quarantined rows, analysis runs, the audit log and the pseudonymisation key,\n"
         "every id kept, in one transaction. The target must be an empty database with\n"
         "PostGIS installed (docs/postgis.md): migrate creates Waymark's schema in it and\n"
         "refuses one that holds any records, audit entries or import runs. Before the\n"
         "commit both stores are read back and compared table by table (row counts and\n"
         "SHA-256 checksums; a difference rolls everything back) and the migration is\n"
         "added to the copied audit log, whose chain is verified after the commit.\n"
         "Ignores --db. See docs/migrate.md.",
         make_migrate_command},
    };
    return commands;
}

} // namespace waymark::cli
