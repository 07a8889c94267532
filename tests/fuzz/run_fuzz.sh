#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time, as a ctest entry (tests/fuzz/CMakeLists.txt).
# Usage: run_fuzz.sh FUZZER SEED_DIR ARTIFACT_DIR [DICT]
# MONGOSD_FUZZ_SECONDS (default 20) bounds the run. New inputs go to a temp dir, removed on exit;
# the seed dir is read, never written (libFuzzer writes only to its first corpus dir). A crashing
# input is kept in ARTIFACT_DIR (in the build dir) so a CI failure can be reproduced with
# `FUZZER ARTIFACT`.
set -euo pipefail
fuzzer="$1" seeds="$2" artifacts="$3" dict="${4:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
args=(-max_total_time="${MONGOSD_FUZZ_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048
      -print_final_stats=1 -artifact_prefix="$artifacts/$(basename "$fuzzer")-")
if [ -n "$dict" ]; then args+=(-dict="$dict"); fi
corpora=("$work")
if [ -d "$seeds" ]; then corpora+=("$seeds"); fi
"$fuzzer" "${args[@]}" "${corpora[@]}"
