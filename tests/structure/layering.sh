#!/usr/bin/env bash
# The include rules of DESIGN.md ("dependencies point one way, downwards"), checked on every test run:
#   src/core/<layer>/ includes nothing from a layer above it (common < config < db < ops < api);
#   src/core includes no workflow code; backends (postgres, sqlite*, turso, s3) include no core/ops, core/api or
#   workflow code; src/workflow includes only core, workflow and public headers; src/operations only core,
#   workflow and public headers, and nothing in core or workflow includes it.
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
rank() { case "$1" in common) echo 0;; config) echo 1;; db) echo 2;; ops) echo 3;; api) echo 4;; *) echo -1;; esac; }
bad=0
while IFS=: read -r file _ inc; do
  own=$(echo "$file" | sed -n 's#^src/core/\([a-z_]*\)/.*#\1#p')
  dep=$(echo "$inc" | sed -n 's#.*"core/\([a-z_]*\)/.*#\1#p')
  if [ -n "$own" ] && [ -n "$dep" ] && [ "$(rank "$dep")" -gt "$(rank "$own")" ]; then
    echo "layering: $file (core/$own) includes core/$dep"; bad=1
  fi
  case "$file" in src/core/*) if echo "$inc" | grep -q '"workflow/'; then echo "layering: $file includes workflow code"; bad=1; fi;; esac
  case "$file" in src/postgres/*|src/sqlite*/*|src/turso/*|src/s3/*)
    if echo "$inc" | grep -qE '"(core/(ops|api)|workflow)/'; then echo "layering: backend file $file includes $inc"; bad=1; fi;; esac
  # Operations (retention, metrics exposition) sit above core and workflows; nothing below includes them.
  case "$file" in src/core/*|src/workflow/*)
    if echo "$inc" | grep -qE '"(operations/|pgqrs/operations\.hpp)'; then echo "layering: $file includes operations"; bad=1; fi;; esac
  case "$file" in src/operations/*)
    if ! echo "$inc" | grep -qE '"(core|workflow|pgqrs)/'; then echo "layering: operations file $file includes $inc"; bad=1; fi;; esac
  # Workflows are written over the core only: no backend code, no driver headers.
  case "$file" in src/workflow/*)
    if ! echo "$inc" | grep -qE '"(core|workflow|pgqrs)/'; then echo "layering: workflow file $file includes $inc"; bad=1; fi;; esac
done < <(grep -rn '#include "' src)
# Every core file sits in a layer folder.
if ls src/core/*.cpp src/core/*.hpp >/dev/null 2>&1; then echo "layering: files directly under src/core"; bad=1; fi
[ $bad = 0 ] && echo "layering: ok"
exit $bad
