"""Fixtures for the Python suite: every test gets its own store (a fresh PostgreSQL schema or SQLite file).

Backends come from PGQRS_PY_BACKENDS (default "sqlite,turso,postgres,pgbouncer,s3", without turso or s3 when
PGQRS_WITH_TURSO / PGQRS_WITH_S3 is OFF); PostgreSQL and PgBouncer read PGQRS_PG_DSN / PGQRS_PGBOUNCER_DSN, S3
reads PGQRS_S3_ENDPOINT and the AWS_* variables (scripts/test.sh starts PostgreSQL, PgBouncer and moto). A
backend whose server is not configured is a failure, not a skip.
"""

from __future__ import annotations

import os
import subprocess
import urllib.request
import uuid

import pytest

import pgqrs

_DEFAULT_BACKENDS = ",".join(
    ["sqlite"] + (["turso"] if os.environ.get("PGQRS_WITH_TURSO") != "OFF" else []) + ["postgres", "pgbouncer"]
    + (["s3"] if os.environ.get("PGQRS_WITH_S3") != "OFF" else []))
BACKENDS = [b.strip() for b in os.environ.get("PGQRS_PY_BACKENDS", _DEFAULT_BACKENDS).split(",") if b.strip()]
# Embedded backends: a database file per test, no schema, SQLite's SQL dialect.
FILE_BACKENDS = ("sqlite", "turso")
DSN_VARS = {"postgres": "PGQRS_PG_DSN", "pgbouncer": "PGQRS_PGBOUNCER_DSN"}


def server_dsn(backend: str) -> str:
    var = DSN_VARS[backend]
    dsn = os.environ.get(var)
    if not dsn:
        pytest.fail(f"{var} is not set: run the suite with scripts/test.sh (or set PGQRS_PY_BACKENDS=sqlite)")
    return dsn


def s3_endpoint() -> str:
    ep = os.environ.get("PGQRS_S3_ENDPOINT")
    if not ep:
        pytest.fail("PGQRS_S3_ENDPOINT is not set: run the suite with scripts/test.sh (it starts moto)")
    return ep


def new_bucket() -> str:
    """A bucket of the caller's own. moto checks that object requests are signed, not the signature."""
    name = f"py-{uuid.uuid4().hex[:12]}"
    req = urllib.request.Request(f"{s3_endpoint()}/{name}", method="PUT", headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                         "SignedHeaders=host, Signature=0",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-date": "20260101T000000Z"})
    assert urllib.request.urlopen(req).status == 200
    return name


def drop_schema(schema: str) -> None:
    # Always through the direct server (PgBouncer and the server share the database).
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", server_dsn("postgres"), "-c",
                    f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'], check=True, capture_output=True)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def config(backend, tmp_path) -> pgqrs.Config:
    """Settings of a store of its own: a unique schema on PostgreSQL, a fresh file on SQLite and Turso."""
    if backend in FILE_BACKENDS:
        yield pgqrs.Config(f"{backend}://{tmp_path / 'test.db'}")
        return
    if backend == "s3":
        cfg = pgqrs.Config(f"s3://{new_bucket()}/queue.sqlite")
        cfg.s3_cache_dir = str(tmp_path / "s3-cache")
        yield cfg
        return
    schema = f"py_{uuid.uuid4().hex[:16]}"
    cfg = pgqrs.Config(server_dsn(backend), schema=schema, max_connections=4)
    yield cfg
    drop_schema(schema)


def skip_if_single_process(backend: str) -> None:
    """A Turso file can be open in one process only (docs/turso.md): tests with a second process skip it."""
    if backend == "turso":
        pytest.skip("a Turso database file cannot be opened by a second process while this one has it open")


@pytest.fixture
async def store(config) -> pgqrs.Store:
    """An installed store with the fixture's settings."""
    s = await pgqrs.connect_with(config)
    await pgqrs.admin(s).install()
    return s


@pytest.fixture
async def queue(store) -> str:
    name = f"q_{uuid.uuid4().hex[:8]}"
    await store.queue(name)
    return name
