"""docs/python.md's quickstart is examples/quickstart.py verbatim, and it runs."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_quickstart_in_the_docs_is_the_example():
    doc = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, re.S)
    example = (ROOT / "examples" / "quickstart.py").read_text()
    assert blocks, "docs/python.md has no python block"
    assert blocks[0].strip() == example.strip()


def test_workflow_example_in_the_docs_is_the_example():
    doc = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, re.S)
    example = (ROOT / "examples" / "workflow_quickstart.py").read_text()
    assert any(b.strip() == example.strip() for b in blocks)


def test_workflow_example_runs(tmp_path):
    dsn = f"sqlite://{tmp_path / 'workflow.db'}"
    for _ in range(2):  # a second run reuses the definition
        out = subprocess.run([sys.executable, str(ROOT / "examples" / "workflow_quickstart.py"), dsn],
                             check=True, capture_output=True, text=True, timeout=120).stdout
        assert "charged order 42 for 2 items" in out and "mailed:" in out, out
        assert "worker stopped: Operation suspended: worker interrupted" in out, out


def test_quickstart_runs(tmp_path):
    dsn = f"sqlite://{tmp_path / 'quickstart.db'}"
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py"), dsn],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    assert out.count("enqueued  message") == 3
    assert out.count("processed message") == 3
    # a second run finds the queue and the earlier messages archived
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py"), dsn],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    assert out.count("processed message") == 3
