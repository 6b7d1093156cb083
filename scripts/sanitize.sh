#!/usr/bin/env bash
# The test suite under sanitizers, in a build tree of its own (build-asan/ or build-tsan/):
#   scripts/sanitize.sh asan [ctest args]     AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/sanitize.sh tsan [ctest args]     ThreadSanitizer
#   SANITIZE_TARGETS="pgqrs_conformance_tests pgqrs_unit_tests" scripts/sanitize.sh asan -L sqlite
#                                              builds only those test binaries (ctest then skips the others)
# Starts PostgreSQL, PgBouncer and moto like scripts/test.sh and runs ctest (default: everything but the long
# series, `-LE long`; pass e.g. `-L sqlite` or `-R reliability` to narrow it). The Turso backend is left out:
# its engine is Rust and not instrumented. The Python suite is not run (the interpreter is not instrumented).
# CI: `PGQRS_CI_SANITIZE=asan bash .ci/run` runs this after the normal suite.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: scripts/sanitize.sh asan|tsan [ctest args]}
shift
case "$kind" in
  asan) sanitizers="address;undefined" ;;
  tsan) sanitizers="thread" ;;
  *) echo "sanitize: unknown kind '$kind' (asan or tsan)" >&2; exit 2 ;;
esac
build_dir=build-$kind
scripts/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGQRS_SANITIZE="$sanitizers" \
  -DPGQRS_WITH_TURSO=OFF -DPGQRS_BUILD_EXAMPLES=OFF >/dev/null
# shellcheck disable=SC2086  # a list of target names
cmake --build "$build_dir" ${SANITIZE_TARGETS:+--target $SANITIZE_TARGETS}

# shellcheck source=scripts/test_servers.sh
. scripts/test_servers.sh
start_test_servers "$build_dir"
# Findings fail the test that hit them (the build has -fno-sanitize-recover); leaks are findings too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp}
# Instrumented code is several times slower: fewer jobs than scripts/test.sh and a longer timeout.
args=("$@")
((${#args[@]})) || args=(-LE long)
# TSan maps its shadow memory at fixed addresses, which high ASLR entropy on newer kernels breaks; setarch -R
# turns address randomisation off for the tests (and their children).
runner=()
[ "$kind" = tsan ] && command -v setarch >/dev/null && runner=(setarch "$(uname -m)" -R)
"${runner[@]}" ctest --test-dir "$build_dir" -j"$(nproc)" --output-on-failure --timeout 1200 "${args[@]}"
