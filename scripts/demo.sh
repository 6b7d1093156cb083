#!/usr/bin/env bash
# The first-look demo: installs dependencies, builds, then produces and consumes a few messages on an embedded
# SQLite file (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
db=${1:-/tmp/pgqrs-demo.db}
rm -f "$db" "$db-wal" "$db-shm"
./build/examples/quickstart "sqlite://$db"
