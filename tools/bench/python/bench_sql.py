"""SQL for the Python drivers' setup and checks (ANALYZE, counts), outside the package being measured: with
psycopg where the virtualenv has it (the original's), else with psql (our package's venv has no psycopg and
needs none)."""

import subprocess

try:
    import psycopg
except ImportError:
    psycopg = None


def execute(dsn: str, *statements: str) -> None:
    if psycopg is not None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for s in statements:
                conn.execute(s)
        return
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", dsn, *[a for s in statements for a in ("-c", s)]],
                   check=True)


def query_int(dsn: str, sql: str) -> int:
    if psycopg is not None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            return int(conn.execute(sql).fetchone()[0])
    return int(subprocess.run(["psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", dsn, "-c", sql], check=True,
                              capture_output=True, text=True).stdout.strip())
