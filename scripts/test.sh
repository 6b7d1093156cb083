#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, starts a throwaway PostgreSQL, PgBouncer and S3 (moto),
# runs every test with ctest in parallel, then builds the Python package and runs its suite (tests/python; skip
# with PGQRS_SKIP_PYTHON=1), stops the servers. Extra arguments go to ctest (e.g. -L sqlite, -R pg.).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
eval "$(scripts/pg_server.sh start --pgbouncer)"
trap 'scripts/pg_server.sh stop "$PGTEST_DIR"; [ -z "${MOTO_DIR:-}" ] || scripts/moto_server.sh stop "$MOTO_DIR"' EXIT
# S3 tests run against moto (exports PGQRS_S3_ENDPOINT and the AWS_* variables), when the S3 client is built.
if grep -q '^PGQRS_WITH_S3:BOOL=ON' build/CMakeCache.txt 2>/dev/null; then
  moto_env=$(scripts/moto_server.sh start)  # an assignment, so a failed start stops the script
  eval "$moto_env"
fi
jobs=$(( $(nproc) * 2 ))
# The 20-repetition crash-recovery series (label long) is part of the whole suite.
export PGQRS_LONG_TESTS=${PGQRS_LONG_TESTS:-1}
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 600 "$@"
# The Python package (pip install . into build-python/venv) and its suite, on the same servers.
[ "${PGQRS_SKIP_PYTHON:-0}" = 1 ] || scripts/test_python.sh
