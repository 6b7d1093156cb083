"""The original README's two Python examples (in tests/python/readme/, with the DSN as an argument) run
against this package on every backend, each in a fresh schema or file."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import uuid

import pytest

from conftest import FILE_BACKENDS, new_bucket, server_dsn

HERE = pathlib.Path(__file__).resolve().parent / "readme"


def psql(sql: str) -> None:
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", server_dsn("postgres"), "-c", sql], check=True,
                   capture_output=True)


@pytest.fixture
def fresh_dsn(backend, tmp_path):
    """The examples connect with a bare DSN (default schema), so each gets a database of its own."""
    if backend in FILE_BACKENDS:
        yield f"{backend}://{tmp_path / 'readme.db'}"
        return
    if backend == "s3":  # the examples' bare DSN: the store picks its own cache directory
        yield f"s3://{new_bucket()}/readme.sqlite"
        return
    db = f"readme_{uuid.uuid4().hex[:12]}"
    psql(f'CREATE DATABASE "{db}"')
    base = server_dsn(backend)
    yield base.rsplit("/", 1)[0] + "/" + db
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.mark.parametrize("example,expected", [
    ("queue_example.py", ["Enqueued: 1", "Processing: {'task': 'send_email', 'to': 'user@example.com'}"]),
    ("workflow_example.py", ["Workflow result: {'archive': '/tmp/report.csv.zip'}"]),
])
def test_readme_example_runs(fresh_dsn, example, expected):
    out = subprocess.run([sys.executable, str(HERE / example), fresh_dsn], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    for line in expected:
        assert line in out.stdout, (out.stdout, out.stderr)
