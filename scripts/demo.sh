#!/usr/bin/env bash
# The first-look demo: installs dependencies, builds, then produces and consumes a few messages on an embedded
# SQLite file (no server needed), first in C++, then in Python: the same queue, then a durable workflow
# (pip install . into build-python/venv; skip with PGQRS_SKIP_PYTHON=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
db=${1:-/tmp/pgqrs-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
./build/examples/quickstart "sqlite://$db"
[ "${PGQRS_SKIP_PYTHON:-0}" = 1 ] && exit 0
echo "--- the same in Python (examples/quickstart.py; building the package first) ---"
venv=$(scripts/python_env.sh)
rm -f "$db" "$db-wal" "$db-shm"
"$venv/bin/python" examples/quickstart.py "sqlite://$db"
echo "--- a durable workflow in Python (examples/workflow_quickstart.py) ---"
rm -f "$db" "$db-wal" "$db-shm"
"$venv/bin/python" examples/workflow_quickstart.py "sqlite://$db"
