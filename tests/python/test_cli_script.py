"""The package's console script `pgqrs` runs the command-line tool built into the wheel (docs/cli.md)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys


def console_script() -> str:
    # pip puts console scripts next to the interpreter of the environment the package is installed in.
    path = pathlib.Path(sys.executable).parent / "pgqrs"
    assert path.exists(), f"no console script at {path}"
    return str(path)


def pgqrs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([console_script(), *args], capture_output=True, text=True, timeout=60)


def test_the_console_script_runs_every_kind_of_command(tmp_path):
    dsn = f"sqlite://{tmp_path / 'cli.db'}"
    assert pgqrs("--dsn", dsn, "admin", "install").returncode == 0
    assert pgqrs("--dsn", dsn, "queue", "create", "jobs").returncode == 0
    enqueued = pgqrs("--dsn", dsn, "--format", "json", "message", "enqueue", "jobs", '{"n": 1}')
    assert enqueued.returncode == 0, enqueued.stderr
    assert json.loads(enqueued.stdout)["payload"] == {"n": 1}
    metrics = json.loads(pgqrs("--dsn", dsn, "--format", "json", "queue", "metrics", "jobs").stdout)
    assert (metrics["total_messages"], metrics["pending_messages"]) == (1, 1)
    table = pgqrs("--dsn", dsn, "queue", "list").stdout.splitlines()
    assert table[0].split() == ["id", "queue_name", "created_at"] and table[2].split()[:2] == ["1", "jobs"]


def test_exit_codes_and_errors_are_the_tools_own(tmp_path):
    dsn = f"sqlite://{tmp_path / 'cli.db'}"
    assert pgqrs("--dsn", dsn, "admin", "install").returncode == 0
    missing = pgqrs("--dsn", dsn, "queue", "get", "nope")
    assert (missing.returncode, missing.stderr) == (4, "pgqrs: Queue 'nope' not found\n")
    bad = pgqrs("--dsn", "mysql://user:pw-9d1f@host/db", "queue", "list")
    assert bad.returncode == 2 and "pw-9d1f" not in bad.stderr
    helped = pgqrs("worker", "--help")
    assert helped.returncode == 0 and "release-messages" in helped.stdout


def test_the_installed_binary_is_the_one_the_script_runs():
    import pgqrs._cli

    assert pgqrs._cli.binary().is_file()
    assert pgqrs._cli.binary().parent.name == "_bin"


def test_metrics_in_prometheus_format_parse_with_prometheus_client(tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    dsn = f"sqlite://{tmp_path / 'cli.db'}"
    assert pgqrs("--dsn", dsn, "admin", "install").returncode == 0
    assert pgqrs("--dsn", dsn, "queue", "create", 'say "hi"\\now').returncode == 0  # a name needing escapes
    for payload in ('{"n": 1}', '{"n": 2}'):
        assert pgqrs("--dsn", dsn, "message", "enqueue", 'say "hi"\\now', payload).returncode == 0
    assert pgqrs("--dsn", dsn, "message", "enqueue", 'say "hi"\\now', '{"n": 3}', "--delay", "1h").returncode == 0
    out = pgqrs("--dsn", dsn, "--format", "prometheus", "metrics")
    assert out.returncode == 0, out.stderr
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(out.stdout) for s in family.samples}
    queue = (("queue", 'say "hi"\\now'),)
    assert samples[("pgqrs_queue_ready_messages", queue)] == 2
    assert samples[("pgqrs_queue_delayed_messages", queue)] == 1
    assert samples[("pgqrs_queue_leased_messages", queue)] == 0
    assert samples[("pgqrs_queue_dead_lettered_messages", queue)] == 0
    assert ("pgqrs_workflow_runs", (("status", "SUCCESS"),)) in samples
