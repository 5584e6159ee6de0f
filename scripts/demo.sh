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
echo "== waymark init"
"$waymark" --db "$db" init
echo
echo "== waymark status"
"$waymark" --db "$db" status
echo
cat <<MSG
Results are in $out/:
  sample-world/   the synthetic world in the canonical formats, with truth.json
                  (the planted peer groups, adults of concern, hotspots and
                  triggers) and dirty/ (files with planted defects)
  waymark.db      the store (SpatiaLite): open it in QGIS with
                  Layer > Add Layer > Add SpatiaLite Layer

Importing the world into the store, hotspots, networks and exports arrive
with the commands of later releases; 'waymark --help' lists what this build
can do. Documentation: docs/README.md (start with docs/synth.md).
MSG
