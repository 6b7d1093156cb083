#!/usr/bin/env bash
# The Python suite (tests/python): builds and installs the package into a venv (scripts/python_env.sh), then
# runs pytest on SQLite, PostgreSQL and PgBouncer. Needs PGQRS_PG_DSN and PGQRS_PGBOUNCER_DSN (scripts/test.sh
# starts the servers and calls this); PGQRS_PY_BACKENDS=sqlite runs without servers. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
venv=$(scripts/python_env.sh)
echo "test_python: package built and installed in $(( $(date +%s) - start )) s"
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python "$@"
