"""Side by side with the original: scenarios.py runs under the ORIGINAL pgqrs (PyPI 0.15.3, in the virtualenv
of scripts/cache_venv.sh original) and under ours (this interpreter), each on fresh schemas of the PostgreSQL
server of PGQRS_PG_DSN, and every observation must be the same, except for the deliberate differences
listed in ALLOWED.

    PGQRS_PG_DSN=... build-python/venv/bin/python -m pytest tests/python_compat   (scripts/test_python.sh runs it)

PGQRS_ORIGINAL_PYTHON names the original's interpreter (default: scripts/cache_venv.sh original, which
installs it from PyPI the first time). Not being able to install or run the original is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPT = HERE / "scenarios.py"

# Deliberate differences. Key: (scenario, observation label, part); part None allows any difference in that
# observation, otherwise only differences under that dict key (e.g. "text": the exception's class must still
# match; "producer_worker_id": that attribute of the recorded messages). Each entry says why; an entry that
# no longer matches any difference fails the suite, so the list stays exactly as long as it needs to be.
ALLOWED: dict[tuple[str, str, str | None], str] = {
    # -- ordering
    ("produce_and_enqueue", "payloads in order", None):
        "the original returns a claimed batch in no particular order (UPDATE ... RETURNING); ours returns it "
        "in claim order, oldest first",
    # -- ephemeral workers (DESIGN decision 6: no unbounded growth)
    ("produce_and_enqueue", "dequeue 20", "producer_worker_id"):
        "produce()/produce_batch() without a producer: the original registers a new ephemeral worker row per "
        "call (never cleaned up, spec 12.1.4); ours registers none, so producer_worker_id is None",
    ("leases", "dequeue released", "producer_worker_id"): "as above: messages of produce_batch() have no producer",
    ("workflow_definitions_and_runs", "trigger unknown workflow", None):
        "the original reports a missing definition as PgqrsConnectionError 'Database query failed: "
        "GET_WORKFLOW_BY_NAME ... no rows returned'; ours as the not-found it is (base PgqrsError, 'Workflow "
        "with id ... not found', the original's NotFound text)",
    ("workflow_definitions_and_runs", "trigger", "producer_worker_id"):
        "as above: a trigger without a producer registers no ephemeral worker",
    ("admin_ops", "delete_queue with a message", "text"):
        "the original's produce() left an ephemeral worker on the queue, so its refusal names the worker; ours "
        "names the message that is still there",
    # -- archive in a table of its own (DESIGN decision 1)
    ("archive_and_delete", "delete archived", None):
        "an archived message is history: the original's delete() still removes it (it matches on the consumer "
        "id the archived row keeps); ours acts only on messages the consumer holds, so it returns False",
    # -- strict input and clearer texts (DESIGN decision 5)
    ("bad_payloads", "NaN", "text"):
        "same ValueError; the original's text is its JSON parser's ('expected value at line 1 column 7'), "
        "ours json.dumps's ('Out of range float values are not JSON compliant')",
    ("bad_payloads", "infinity", "text"): "as for NaN",
    ("connect_errors", "unsupported scheme", "text"):
        "same ConfigError; ours names the scheme and the ones that are supported",
    ("connect_errors", "not a dsn", "text"): "same ConfigError; ours says what is wrong with the DSN",
    ("connect_errors", "empty", "text"): "same ConfigError; ours says the DSN is empty",
    ("connect_errors", "database that does not exist", "text"):
        "same PgqrsConnectionError; the text is the driver's (libpq's, not sqlx's) and ours names host, port "
        "and database",
    ("connect_errors", "Config with a bad DSN", None):
        "ours validates the DSN when the Config is made (ConfigError); the original accepts anything and fails "
        "at connect",
    ("connect_errors", "connect_with a str", "text"): "same TypeError; the binding's own wording",
    ("admin_ops", "produce before install", "text"):
        "same PgqrsConnectionError; ours names the schema and says to run install()",
    ("config_properties", "set dsn (read-only)", "text"): "same AttributeError; nanobind's wording, not PyO3's",
    ("config_properties", "set max_connections to a str", "text"): "same TypeError; ours names the property",
    ("config_properties", "set max_connections negative", None):
        "ours validates configuration values with typed errors (ConfigError naming the field); the original's "
        "PyO3 conversion raises OverflowError",
    ("config_properties", "set forbidden_keys to a str", "text"): "same TypeError; nanobind's wording",
    ("config_properties", "Config without dsn", "text"): "same TypeError; nanobind's wording",
    ("config_properties", "unknown attribute", "text"):
        "same AttributeError; the class is 'Config', not PyO3's 'builtins.Config'",
    # -- backends
    ("connect_errors", "sqlite file", None):
        "the original's PyPI wheel is built without SQLite ('Sqlite backend is not enabled'); ours has it",
    ("connect_errors", "sqlite store type", None): "as above",
}


def original_python() -> str:
    if os.environ.get("PGQRS_ORIGINAL_PYTHON"):
        return os.environ["PGQRS_ORIGINAL_PYTHON"]
    r = subprocess.run([str(ROOT / "scripts" / "cache_venv.sh"), "original"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail("cannot install the original pgqrs==0.15.3 from PyPI, which the compatibility tests compare "
                    f"against:\n{r.stderr}", pytrace=False)
    return r.stdout.strip()


def run_both(names: list[str]) -> dict[str, dict[str, Any]]:
    dsn = os.environ.get("PGQRS_PG_DSN")
    if not dsn:
        pytest.fail("PGQRS_PG_DSN is not set: run the suite with scripts/test.sh", pytrace=False)
    interpreters = {"original": original_python(), "ours": sys.executable}
    procs = {impl: subprocess.Popen([py, str(SCRIPT), "--dsn", dsn, "--tag", impl[:4], "--only", *names],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE)
             for impl, py in interpreters.items()}
    out = {}
    for impl, p in procs.items():
        stdout, stderr = p.communicate(timeout=300)
        try:
            out[impl] = json.loads(stdout)["scenarios"]
        except (ValueError, KeyError):
            pytest.fail(f"scenarios.py under the {impl} package ({interpreters[impl]}) printed no result "
                        f"(exit {p.returncode}):\n{stdout}\n{stderr}", pytrace=False)
    return out


def scenario_names() -> list[str]:
    sys.path.insert(0, str(HERE))
    try:
        import scenarios
    finally:
        sys.path.remove(str(HERE))
    return list(scenarios.SCENARIOS)


NAMES = scenario_names()


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    return run_both(NAMES)


def differences(a: Any, b: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any, Any]]:
    """(path, original, ours) of every place where the two pictures differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            yield from differences(a.get(k, "<absent>"), b.get(k, "<absent>"), path + (k,))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, path + (i,))
    elif a != b:
        yield path, a, b


def observation_differences(name: str, results) -> Iterator[tuple[str, tuple, Any, Any]]:
    orig = dict((label, v) for label, v in results["original"][name])
    ours = dict((label, v) for label, v in results["ours"][name])
    for label in list(orig) + [x for x in ours if x not in orig]:
        for path, a, b in differences(orig.get(label, "<not observed>"), ours.get(label, "<not observed>")):
            yield label, path, a, b


def allowance(name: str, label: str, path: tuple) -> tuple | None:
    for part in (None, *[p for p in path if isinstance(p, str)]):
        if (name, label, part) in ALLOWED:
            return (name, label, part)
    return None


@pytest.mark.parametrize("name", NAMES)
def test_scenario_matches_the_original(name, results):
    unexplained = []
    for label, path, a, b in observation_differences(name, results):
        if allowance(name, label, path) is None:
            where = label + "".join(f"[{p!r}]" for p in path)
            unexplained.append(f"{where}:\n    original: {json.dumps(a)}\n    ours:     {json.dumps(b)}")
    assert not unexplained, (f"scenario {name}: differences from the original not in ALLOWED "
                             "(tests/python_compat/test_compat.py):\n" + "\n".join(unexplained))


def test_every_allowed_difference_still_occurs(results):
    used = {allowance(name, label, path) for name in NAMES
            for label, path, _, _ in observation_differences(name, results)}
    stale = [k for k in ALLOWED if k not in used]
    assert not stale, f"ALLOWED entries that no difference needs any more (remove them): {stale}"
