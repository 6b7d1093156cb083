#!/usr/bin/env bash
# Runs every `$ pgqrs ...` line of the ```console blocks of docs/cli.md, in order, on one fresh SQLite database
# (PGQRS_DSN), and compares what it prints (stdout and stderr) with the lines under it in the doc. Timestamps
# are compared as <time>, and runs of spaces as one (column widths follow the timestamps' lengths), so the doc
# shows real output and cannot drift from what the tool prints.
#   tests/cli/docs_examples.sh BUILD/tools/cli/pgqrs docs/cli.md
set -euo pipefail
binary=$(realpath "$1")
doc=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PATH="$(dirname "$binary"):$PATH" PGQRS_DSN="sqlite://$work/demo.db" python3 - "$doc" <<'PY'
import re, subprocess, sys, pathlib
doc = pathlib.Path(sys.argv[1]).read_text()
stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")
norm = lambda text: [re.sub(r" +", " ", stamp.sub("<time>", l)).strip() for l in text.strip("\n").splitlines()]
failures = commands = 0
for block in re.findall(r"```console\n(.*?)```", doc, re.S):
    steps = re.split(r"^\$ ", block, flags=re.M)[1:]
    for step in steps:
        command, _, expected = step.partition("\n")
        commands += 1
        # One stream, so error lines stay where the shell printed them.
        got = subprocess.run(["bash", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=60).stdout
        if norm(got) != norm(expected):
            failures += 1
            print(f"docs/cli.md: `$ {command}` printed:\n{got}\nthe doc shows:\n{expected}")
print(f"docs/cli.md: {commands - failures}/{commands} commands print what the doc shows")
sys.exit(1 if failures or not commands else 0)
PY
