#!/usr/bin/env bash
# make demo: runs Waymark on the sample synthetic world and says where the
# results are. What runs grows with each command that lands.
set -euo pipefail
build=$1
out=$2
waymark="$build/engine/cli/waymark"
sample="$build/sample-world"
mkdir -p "$out"
db="$out/waymark.db"

echo "== The sample world (generated at build time: waymark synth --scale small --seed 2026 --dirty)"
rm -rf "$out/sample-world"
cp -r "$sample" "$out/sample-world"
ls -l "$out/sample-world"
echo
rm -f "$db" "$db-wal" "$db-shm"
echo "== waymark init"
"$waymark" --db "$db" init
echo
# The gazetteer first: every location is resolved against it on import.
for kind in gazetteer persons episodes rhi cpi; do
  file="$out/sample-world/$kind.csv"
  [[ -f "$file" ]] || file="$out/sample-world/$kind.jsonl"
  echo "== waymark import $kind $file"
  "$waymark" --db "$db" import "$kind" "$file"
  echo
done
# A file with planted defects, into a store of its own: what quarantine and
# warnings look like.
dirty_db="$out/dirty.db"
rm -f "$dirty_db" "$dirty_db-wal" "$dirty_db-shm"
"$waymark" --db "$dirty_db" --quiet init > /dev/null
"$waymark" --db "$dirty_db" --quiet import gazetteer "$out/sample-world/gazetteer.csv" > /dev/null
echo "== waymark import episodes $out/sample-world/dirty/episodes.csv (planted defects)"
"$waymark" --db "$dirty_db" import episodes "$out/sample-world/dirty/episodes.csv" || true
echo
echo "== waymark status"
"$waymark" --db "$db" status
echo
echo "== waymark hotspots --role all --method all --out $out/hotspots --profile analyst"
rm -rf "$out/hotspots"
"$waymark" --db "$db" hotspots --role all --method all --out "$out/hotspots" --profile analyst
echo
echo "== waymark network --out $out/network --profile analyst"
rm -rf "$out/network"
"$waymark" --db "$db" network --out "$out/network" --profile analyst
echo
# The sample world ends on 2026-10-01: the triggers as of its last day.
echo "== waymark triggers --as-of 2026-09-30 --out $out/triggers --profile panel"
"$waymark" --db "$db" triggers --as-of 2026-09-30 --out "$out/triggers" --profile panel
echo
echo "== waymark disrupt --top 10 --out $out/disrupt --profile panel"
rm -rf "$out/disrupt"
"$waymark" --db "$db" disrupt --top 10 --out "$out/disrupt" --profile panel
echo
for profile in panel partnership; do
  echo "== waymark report --since 2025-10-01 --until 2026-09-30 --out $out/report-$profile --profile $profile"
  "$waymark" --db "$db" report --since 2025-10-01 --until 2026-09-30 --out "$out/report-$profile" \
    --profile "$profile"
  echo
done
# One bundle per audience (docs/export.md). A folder of an earlier export is
# replaced; any other folder is refused, so the old ones go first.
for profile in analyst panel partnership; do
  echo "== waymark export --out $out/export-$profile --profile $profile"
  rm -rf "$out/export-$profile"
  "$waymark" --db "$db" export --out "$out/export-$profile" --profile "$profile"
  echo
done
echo "== waymark audit verify (every import, analysis and export above is in the audit log)"
"$waymark" --db "$db" audit verify
echo
cat <<MSG
Results are in $out/:
  sample-world/   the synthetic world in the canonical formats, with truth.json
                  (the planted peer groups, adults of concern, hotspots and
                  triggers) and dirty/ (files with planted defects)
  waymark.db      the store (SpatiaLite) with the world imported: open it in
                  QGIS with Layer > Add Layer > Add SpatiaLite Layer (the
                  "locations" and "places" layers hold the points)
  dirty.db        the dirty episodes file imported on its own: its quarantine
                  and import_warnings tables say what was refused and why
  hotspots/       clusters, Gi* hot and cold spots and density surfaces for
                  each role (from, found, visited, concern, all):
                  hotspots.gpkg   open in QGIS (Layer > Add Layer > Add Vector
                                  Layer, or drag it in): clusters_<role> and
                                  gistar_<role> layers, British National Grid
                  density_*.tif   density surfaces (per km²): Layer > Add
                                  Raster Layer; density_found_minus_from.tif
                                  shows where children end up but do not leave from
                  geojson/        the same layers in WGS 84 for web maps
                  hotspots.json   parameters, counts and file checksums
  network/        the peer and associate network, measured:
                  network.gexf    open in Gephi (File > Open)
                  network.anx     open in i2 Analyst's Notebook
                  network.graphml for other graph tools (yEd, NetworkX)
                  network.gpkg    open in QGIS: network_nodes, network_links
                  nodes.csv, edges.csv   the same as tables
                  resolution.csv  every name matched to a person, and why
                  network.json    parameters, counts and file checksums
  triggers/       the children meeting each escalation trigger on 2026-09-30
                  (panel: pseudonyms): triggers.csv (one row per child and
                  trigger, with the episodes and when it was met),
                  findings.csv (data-quality findings), triggers.json
  disrupt/        the adults, places and vehicles whose disruption would
                  protect the most children (panel: pseudonyms):
                  disruption.csv (scores), disruption-evidence.csv (every
                  link with its records, dates and grading), and a protection
                  and disruption plan skeleton per target (disruption-plan.md,
                  .html, .csv; seed 001, Appendix 7)
  report-panel/ report-partnership/
                  the panel pack for the sample world's year: open
                  report.html in a browser and print it to PDF; csv/ has
                  every table; the partnership's has no child and no count
                  below 5
  export-analyst/ export-panel/ export-partnership/
                  one bundle per audience (docs/export.md): open waymark.qgs
                  in QGIS (Project > Open) and every layer appears styled;
                  the panel's ids are pseudonyms and its homes snapped to
                  500 m; the partnership's are cell counts with fewer than 5
                  children suppressed; manifest.json says what each holds

'waymark --help' lists what this build can do. Documentation: docs/README.md
(docs/hotspots.md for hotspots, docs/network.md for the network, docs/export.md
for the bundles, docs/viewer.md for the viewer, docs/triggers.md, docs/disrupt.md and
docs/report.md for triggers, disruption planning and the panel pack,
docs/audit.md for the audit log (waymark audit list), docs/import.md for imports,
docs/synth.md for the sample world).

== The web viewer: map and network side by side (docs/viewer.md)
Start it with:

  $waymark --db $db serve --profile panel --port 8750

It prints the address to open in a browser on this machine:

  http://127.0.0.1:8750/?token=<a new random token each time>

(--profile analyst shows names and exact places; partnership only suppressed
cell counts.) Ctrl+C stops it.
MSG
