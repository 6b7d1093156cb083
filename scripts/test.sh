#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, starts a throwaway PostgreSQL, PgBouncer and S3 (moto),
# runs every test with ctest in parallel, then builds the Python package and runs its suite (tests/python; skip
# with PGQRS_SKIP_PYTHON=1), stops the servers. Extra arguments go to ctest (e.g. -L sqlite, -R pg.).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# shellcheck source=scripts/test_servers.sh
. scripts/test_servers.sh
start_test_servers build  # S3 tests run against moto, when the S3 client is built
jobs=$(( $(nproc) * 2 ))
# The 20-repetition crash-recovery series (label long) is part of the whole suite.
export PGQRS_LONG_TESTS=${PGQRS_LONG_TESTS:-1}
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 600 "$@"
# The Python package (pip install . into build-python/venv) and its suite, on the same servers.
[ "${PGQRS_SKIP_PYTHON:-0}" = 1 ] || scripts/test_python.sh
