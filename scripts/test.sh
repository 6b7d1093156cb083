#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, starts a throwaway PostgreSQL and PgBouncer, runs every
# test with ctest in parallel, stops the servers. Extra arguments go to ctest (e.g. -L sqlite, -R pg.).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
eval "$(scripts/pg_server.sh start --pgbouncer)"
trap 'scripts/pg_server.sh stop "$PGTEST_DIR"' EXIT
jobs=$(( $(nproc) * 2 ))
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 600 "$@"
