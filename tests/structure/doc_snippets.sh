#!/usr/bin/env bash
# Every C++ block of the workflow guide must appear verbatim (up to indentation) in an example that the test
# suite compiles and runs, so the guide cannot drift from code that works.
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
python3 - <<'PY'
import re, sys, pathlib
doc = pathlib.Path("docs/workflows.md").read_text()
sources = "\n".join(p.read_text() for p in pathlib.Path("examples").glob("*.cpp"))
norm = lambda text: "\n".join(line.strip() for line in text.strip().splitlines())
code = norm(sources)
blocks = re.findall(r"```cpp\n(.*?)```", doc, re.S)
missing = [b for b in blocks if norm(b) not in code]
for b in missing:
    print("docs/workflows.md: this block is not in any example:\n" + b)
print(f"doc snippets: {len(blocks) - len(missing)}/{len(blocks)} blocks found in examples/")
sys.exit(1 if missing or not blocks else 0)
PY
