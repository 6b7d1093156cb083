#!/usr/bin/env bash
# Configures and builds pgqrs (library, tests, examples, tools) into ./build.
#   BUILD_DIR=... BUILD_TYPE=Release scripts/build.sh [extra cmake args]
#   BUILD_TARGETS="pgqrs-bench" scripts/build.sh      only those targets (scripts/bench.sh)
#   PGQRS_WITH_TURSO=OFF scripts/build.sh              without the Turso backend (no cargo needed)
# The Turso engine's first build (cargo, release) takes minutes; it is cached in ~/.cache/pgqrs/cargo-target
# for every later build and clone.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DPGQRS_WITH_TURSO="${PGQRS_WITH_TURSO:-ON}" "$@" >/dev/null
# shellcheck disable=SC2086  # a list of target names
cmake --build "$build_dir" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
