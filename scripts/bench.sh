#!/usr/bin/env bash
# make bench: runs every benchmark program of a Release build, five times
# each, and prints medians. Raw JSON goes to build/bench/.
set -euo pipefail
build=$1
mkdir -p build/bench
for program in "$build"/bench/bench_*; do
  [[ -x "$program" ]] || continue
  name=$(basename "$program")
  echo "== $name"
  "$program" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="build/bench/$name.json" --benchmark_out_format=json
done
