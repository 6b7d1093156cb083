# Sourced by the scripts that run tests (test.sh, reliability.sh, sanitize.sh):
#   start_test_servers BUILD_DIR
# starts a throwaway PostgreSQL with PgBouncer in front (scripts/pg_server.sh), and moto when BUILD_DIR was
# configured with the S3 client (scripts/moto_server.sh); exports their DSNs and endpoint (PGQRS_PG_DSN,
# PGQRS_PGBOUNCER_DSN, PGQRS_S3_ENDPOINT, AWS_*), and stops them all when the calling script exits.
start_test_servers() {
  local build_dir=${1:?usage: start_test_servers BUILD_DIR}
  eval "$(scripts/pg_server.sh start --pgbouncer)"
  trap 'scripts/pg_server.sh stop "$PGTEST_DIR"; [ -z "${MOTO_DIR:-}" ] || scripts/moto_server.sh stop "$MOTO_DIR"' EXIT
  if grep -q '^PGQRS_WITH_S3:BOOL=ON' "$build_dir/CMakeCache.txt" 2>/dev/null; then
    local moto_env
    moto_env=$(scripts/moto_server.sh start)  # an assignment, so a failed start stops the script
    eval "$moto_env"
  fi
}
