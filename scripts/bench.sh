#!/usr/bin/env bash
# Benchmarks, side by side in one run: pgqrs-cpp vs raw-SQL ceilings vs the original pgqrs (PyPI 0.15.3).
#   bash scripts/bench.sh --quick      # a few minutes
#   bash scripts/bench.sh              # the full run (about 20 minutes on 2 cores)
#   bash scripts/bench.sh --scenario drain   # any pgqrs-bench arguments (scenarios: pgqrs-bench --list)
#   bash scripts/bench.sh --quick --scenario workflow   # only the durable-workflow runs (about a minute)
#   bash scripts/bench.sh --quick --scenario python-drain   # the Python package vs C++ vs the original
#   bash scripts/bench.sh --quick --scenario s3   # S3 Durable mode, moto + 60 ms per request (about a minute)
# Installs dependencies, builds pgqrs-bench, creates two virtualenvs outside the clone (scripts/cache_venv.sh:
# matplotlib for the plots; the original pgqrs, which must never shadow our own Python package) and ours
# (scripts/python_env.sh), starts a throwaway PostgreSQL with fsync /
# synchronous_commit / full_page_writes ON, runs pgqrs-bench, and writes bench-results/results.jsonl,
# docs/benchmarks.md and docs/benchmarks/*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_TARGETS=pgqrs-bench scripts/build.sh

plots_python=$(scripts/cache_venv.sh plots)
# The Python virtualenvs (the original; our package, a whole build of its own) only when a scenario may use
# them: a run of only `--scenario s3` needs neither.
python_args=()
scenarios=$(printf '%s\n' "$@" | awk 'prev == "--scenario" { print } { prev = $0 }')
if [ -z "$scenarios" ] || grep -qvx s3 <<<"$scenarios"; then
  original_python=$(scripts/cache_venv.sh original)
  ours_python="$(scripts/python_env.sh)/bin/python"  # our package, for the python-drain scenario
  python_args=(--original-python "$original_python" --ours-python "$ours_python")
fi

eval "$(scripts/pg_server.sh start --durable)"
sqlite_dir=$(mktemp -d /tmp/pgqrs-bench-sqlite.XXXXXX)
turso_args=()  # drain and workflow on Turso too, when the build has it (scripts/build.sh: on by default)
grep -q '^PGQRS_WITH_TURSO:BOOL=ON' build/CMakeCache.txt && turso_args=(--turso "$sqlite_dir/turso")
moto_dir=""
trap 'scripts/pg_server.sh stop "$PGTEST_DIR"; rm -rf "$sqlite_dir"; [ -z "$moto_dir" ] || scripts/moto_server.sh stop "$moto_dir"' EXIT
# The s3 scenario runs against moto (a throwaway one unless AWS_ENDPOINT_URL names an endpoint already).
if grep -q '^PGQRS_WITH_S3:BOOL=ON' build/CMakeCache.txt && [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  moto_env=$(scripts/moto_server.sh start)  # an assignment, so a failed start stops the script
  eval "$moto_env"
  moto_dir=$MOTO_DIR
fi

./build/tools/bench/pgqrs-bench --pg "$PGQRS_PG_DSN" --sqlite "$sqlite_dir" "${turso_args[@]}" \
  "${python_args[@]}" --scripts tools/bench/python --out bench-results "$@"
"$plots_python" tools/bench/python/report.py bench-results \
  --markdown docs/benchmarks.md --plots-dir docs/benchmarks --command "bash scripts/bench.sh${*:+ $*}"
