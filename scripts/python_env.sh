#!/usr/bin/env bash
# Creates (or reuses) a virtualenv and installs this package into it with `pip install .` (which builds the C++
# core and the extension), plus pytest, pytest-asyncio and mypy (the stubs' check, scripts/python_stubs.sh).
# Prints the venv's directory.
#   VENV=... scripts/python_env.sh        (default: build-python/venv, gitignored)
# The build requirements of pyproject.toml (scikit-build-core, nanobind: also stubgen's) are installed into
# the venv and the package is built without build isolation: an isolated build happens in a new temporary
# environment each time, and scikit-build-core then throws the CMake cache of build-python/ away, so every
# install would recompile the whole core (minutes) instead of what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-$PWD/build-python/venv}
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "python_env: Python 3.11+ needed, $python is $("$python" --version 2>&1)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv" >&2
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
mapfile -t build_requires < <("$venv/bin/python" -c \
  'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")')
# prometheus-client: its text parser checks pgqrs.metrics_exposition (tests/python/test_operations.py).
"${pip[@]}" "${build_requires[@]}" pytest 'pytest-asyncio==1.5.0' 'mypy==2.4.1' prometheus-client >&2
# Two cores are the norm here; the wheel build compiles the whole core.
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
# The Turso backend is on as in scripts/build.sh (PGQRS_WITH_TURSO=OFF leaves it out; cargo's cache is shared).
"${pip[@]}" --no-build-isolation -C cmake.define.PGQRS_WITH_TURSO="${PGQRS_WITH_TURSO:-ON}" . >&2
echo "$venv"
