#!/usr/bin/env bash
# Runs every pgqrs-bench scenario with --smoke sizes on PostgreSQL and SQLite (and S3, given an endpoint) and
# checks that each one produced results, so the benchmark tool cannot rot between benchmark runs. (Numbers are
# not checked: the test database runs with fsync off and the sizes are tiny.)
set -euo pipefail
bench=$1
: "${PGQRS_PG_DSN:?PGQRS_PG_DSN is not set: run the suite with scripts/test.sh}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bench" --smoke --pg "$PGQRS_PG_DSN" --sqlite "$work/sqlite" --out "$work/out"
for scenario in backlog drain explain steady workflow; do
  for backend in postgres sqlite; do
    [ "$scenario" = explain ] && [ "$backend" = sqlite ] && continue
    # One awk pass, no pipeline: `grep | grep -q` can die of SIGPIPE under pipefail when grep -q exits early.
    awk -v s="\"scenario\":\"$scenario\"" -v b="\"backend\":\"$backend\"" \
      'index($0, s) && index($0, b) { found = 1 } END { exit !found }' "$work/out/results.jsonl" \
      || { echo "no $scenario results for $backend"; exit 1; }
  done
done
# The s3 scenario (moto behind its latency proxy) when the suite has an S3 endpoint (scripts/test.sh).
if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
  grep -q '"scenario":"s3"' "$work/out/results.jsonl" || { echo "no s3 results"; exit 1; }
fi
echo "every scenario produced results"
