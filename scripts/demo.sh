#!/usr/bin/env bash
# make demo: runs Waymark on the sample data and says where the results are.
# What runs grows with each command that lands; today: the store.
set -euo pipefail
waymark=$1
out=$2
mkdir -p "$out"
db="$out/waymark.db"

echo "== waymark init"
"$waymark" --db "$db" init
echo
echo "== waymark status"
"$waymark" --db "$db" status
echo
cat <<MSG
The store is $db (SpatiaLite). Open it with any SQLite/SpatiaLite client, or
in QGIS: Layer > Add Layer > Add SpatiaLite Layer, then choose $db.
Run '$waymark --help' for the commands, and see docs/README.md.
MSG
