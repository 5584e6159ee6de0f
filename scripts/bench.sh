#!/usr/bin/env bash
# make bench: runs every benchmark program of a Release build, five times
# each, and prints medians. Raw JSON goes to build/bench/.
set -euo pipefail
build=$1
mkdir -p build/bench
# bench_backends compares SpatiaLite with PostGIS on a throwaway cluster.
pg_dir=/tmp/waymark-pg-bench
if url=$(bash "$(dirname "$0")/pg-cluster.sh" start "$pg_dir" | tail -n 1); then
  export WAYMARK_BENCH_POSTGRES=$url
  trap 'bash "$(dirname "$0")/pg-cluster.sh" stop "$pg_dir" > /dev/null' EXIT
else
  echo "bench: no PostgreSQL cluster (make test-deps installs postgresql and postgis);" \
    "bench_backends measures SpatiaLite only"
fi
for program in "$build"/bench/bench_*; do
  [[ -x "$program" ]] || continue
  name=$(basename "$program")
  echo "== $name"
  "$program" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="build/bench/$name.json" --benchmark_out_format=json
done
