#!/usr/bin/env bash
# Creates (or reuses) a virtualenv and installs this package into it with `pip install .` (which builds the C++
# core and the extension), plus pytest and pytest-asyncio. Prints the venv's directory.
#   VENV=... scripts/python_env.sh        (default: build-python/venv, gitignored)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-$PWD/build-python/venv}
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "python_env: Python 3.11+ needed, $python is $("$python" --version 2>&1)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv" >&2
# Two cores are the norm here; the wheel build compiles the whole core.
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
"$venv/bin/python" -m pip install -q --disable-pip-version-check . pytest 'pytest-asyncio==1.5.0' >&2
echo "$venv"
