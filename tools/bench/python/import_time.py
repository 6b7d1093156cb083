"""How long `import pgqrs` takes with this interpreter (whichever pgqrs its environment has), for pgqrs-bench:
    python import_time.py [--runs N]
Runs N fresh interpreters of each kind and prints one JSON object of medians (milliseconds):
  importtime_ms   pgqrs's cumulative time in `python -X importtime -c "import pgqrs"` (the import alone)
  wall_ms         wall time of `python -c "import pgqrs"`, the whole process
  startup_ms      wall time of `python -c "pass"` (the interpreter alone), so wall_ms - startup_ms is what
                  importing costs a program
Runs in a directory of its own, so the import finds the installed package.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time


def wall(code: str, cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=cwd)
    return (time.perf_counter() - started) * 1e3


def importtime(cwd: str) -> float:
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pgqrs"], check=True, cwd=cwd,
                         capture_output=True, text=True).stderr
    for line in err.splitlines():
        # "import time: self [us] | cumulative | imported package"; the top-level package has no indent.
        parts = line.split("|")
        if len(parts) == 3 and parts[2].rstrip() == " pgqrs":
            return int(parts[1]) / 1e3
    raise RuntimeError("no 'pgqrs' line in -X importtime output:\n" + err)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as cwd:
        wall("import pgqrs", cwd)  # warm the page cache and the .pyc files
        samples = {"importtime_ms": [], "wall_ms": [], "startup_ms": []}
        for _ in range(args.runs):  # interleaved, so a slow moment of the machine hits all three alike
            samples["importtime_ms"].append(importtime(cwd))
            samples["wall_ms"].append(wall("import pgqrs", cwd))
            samples["startup_ms"].append(wall("pass", cwd))
    out = {k: statistics.median(v) for k, v in samples.items()}
    out.update({k.replace("_ms", "_min_ms"): min(v) for k, v in samples.items()})
    out["runs"] = args.runs
    print(json.dumps(out))


main()
