#!/usr/bin/env bash
# The reliability suite with its figures (docs/reliability.md): builds, starts PostgreSQL, PgBouncer and moto,
# runs every test labelled `reliability` (chaos kills, server restarts, hostile input, S3 races and outages)
# and the long series (label `long`, the 20-repetition crash recovery), then the fuzz targets for
# FUZZ_SECONDS each (default 60; 0 skips them; needs clang). The lines the tests print about what they did
# (items pushed through, faults injected, items lost or duplicated) are collected in
# bench-results/reliability.txt.
#   scripts/reliability.sh [ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# shellcheck source=scripts/test_servers.sh
. scripts/test_servers.sh
start_test_servers build  # S3 tests run against moto, when the S3 client is built
mkdir -p bench-results
log=bench-results/reliability.log
export PGQRS_LONG_TESTS=1
# -V prints every test's output, prefixed "<test number>: ": the figure lines are the "[ name ] ..." ones
# that are not GoogleTest's own ([ RUN ], [ OK ], [----]...).
status=0
ctest --test-dir build -j"$(nproc)" -V --timeout 1200 -L 'reliability|long' "$@" >"$log" 2>&1 || status=$?
grep -E '^[0-9]+: \[ [a-z]' "$log" | sed -E 's/^[0-9]+: //' | sort >bench-results/reliability.txt || true
grep -E '^[0-9]+/[0-9]+ Test|tests passed|tests failed' "$log" | tail -3
if [ "${FUZZ_SECONDS:-60}" != 0 ] && { command -v clang++ || command -v clang++-14; } >/dev/null 2>&1; then
  FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh | tee -a bench-results/reliability.txt || status=1
fi
echo "reliability: figures in bench-results/reliability.txt, full output in $log"
cat bench-results/reliability.txt
exit "$status"
