#!/usr/bin/env bash
# The Python suite: builds and installs the package into a venv (scripts/python_env.sh), checks that the
# committed type stubs match the extension (scripts/python_stubs.sh --check), runs tests/python (pytest) on
# SQLite, PostgreSQL and PgBouncer, then the side-by-side comparison with the original pgqrs==0.15.3
# (tests/python_compat, PostgreSQL; the original's venv comes from scripts/cache_venv.sh). Needs PGQRS_PG_DSN
# and PGQRS_PGBOUNCER_DSN (scripts/test.sh starts the servers and calls this); PGQRS_PY_BACKENDS=sqlite runs
# tests/python without servers and leaves out the comparison. Arguments go to the tests/python pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
venv=$(scripts/python_env.sh)
echo "test_python: package built and installed in $(( $(date +%s) - start )) s"
PGQRS_PYTHON="$venv/bin/python" scripts/python_stubs.sh --check
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python "$@"
if [[ ",${PGQRS_PY_BACKENDS:-postgres}," == *,postgres,* ]]; then
  original=$(scripts/cache_venv.sh original) || {
    echo "test_python: the compatibility tests need the original pgqrs==0.15.3 from PyPI (see above)" >&2
    exit 1
  }
  start=$(date +%s)
  PGQRS_ORIGINAL_PYTHON=$original "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python_compat
  echo "test_python: compatibility with the original checked in $(( $(date +%s) - start )) s"
else
  echo "test_python: PGQRS_PY_BACKENDS has no postgres: the comparison with the original (tests/python_compat) is left out"
fi
