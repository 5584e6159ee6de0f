#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz/; docs/building.md):
#   fuzz.sh build DIR            configure DIR with Clang and WAYMARK_FUZZ=ON, build the fuzzers
#   fuzz.sh run DIR SECONDS [WORK]  write the seed corpus, run each fuzzer SECONDS seconds
# `run` prints each fuzzer's executions (libFuzzer's last stat line) and exits
# 1 if any crashed, leaked or hung (the input is kept in WORK/fuzz-artifacts/;
# WORK is DIR unless given), 77 if DIR holds no fuzzers (for ctest: clang is
# not installed).
# FUZZ_JOBS fuzzers run at a time (default 2).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(dirname "$here")
targets=(csv_reader line_reader episodes persons gazetteer rhi cpi import_spec area_settings viewer_query)

command=${1:-}
dir=${2:-}
case "$command" in
build)
  if ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz: clang++ is not installed (apt-get install clang libclang-rt-dev)" >&2
    exit 77
  fi
  CC=clang CXX=clang++ cmake -G Ninja -Wno-dev -S "$source_dir" -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
    -DWAYMARK_FUZZ=ON -DWAYMARK_BUILD_TESTS=ON -DWAYMARK_BUILD_BENCH=OFF >/dev/null
  cmake --build "$dir" --target waymark_fuzzers -j "${JOBS:-2}"
  ;;
run)
  seconds=${3:-60}
  fuzzers="$dir/tests/fuzz"
  if [[ -z "$dir" || ! -x "$fuzzers/fuzz_seeds" ]]; then
    echo "fuzz: no fuzzers in '${dir}' (make them with: scripts/fuzz.sh build DIR)"
    exit 77
  fi
  work=${4:-$dir}
  corpus="$work/fuzz-corpus"
  artifacts="$work/fuzz-artifacts"
  logs="$work/fuzz-logs"
  rm -rf "$corpus" "$logs" "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$logs"
  "$fuzzers/fuzz_seeds" "$source_dir" "$corpus/seeds" >/dev/null
  run_one() {
    local target=$1
    mkdir -p "$corpus/$target"
    # The seeds are read, new inputs go to $corpus/$target (thrown away
    # with the next run). Inputs up to 16 KiB reach past the readers' small
    # test limits; -rss_limit_mb bounds memory, -timeout a hang.
    if ASAN_OPTIONS=detect_leaks=1 "$fuzzers/${target}_fuzz" -max_total_time="$seconds" \
      -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/${target}-" "$corpus/$target" "$corpus/seeds/$target" \
      >"$logs/$target.log" 2>&1; then
      echo ok >"$logs/$target.status"
    else
      echo crashed >"$logs/$target.status"
    fi
  }
  export -f run_one
  export corpus artifacts logs fuzzers seconds
  printf '%s\n' "${targets[@]}" | xargs -P "${FUZZ_JOBS:-2}" -I{} bash -c 'run_one {}'
  failed=0
  for target in "${targets[@]}"; do
    stats=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$logs/$target.log" | tail -1 || true)
    runs=$(grep -E '^stat::number_of_executed_units' "$logs/$target.log" | awk '{print $2}' || true)
    status=$(cat "$logs/$target.status")
    printf '%-14s %-8s %10s executions  %s\n' "$target" "$status" "${runs:-?}" "$stats"
    if [[ "$status" != ok ]]; then
      failed=1
      grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$logs/$target.log" | head -5 | sed 's/^/    /'
    fi
  done
  exit $failed
  ;;
*)
  echo "usage: fuzz.sh build DIR | fuzz.sh run DIR SECONDS [WORK]" >&2
  exit 2
  ;;
esac
