#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with Clang (ASan + UBSan) into build-fuzz/ and runs each for a
# fixed time on a scratch copy of its committed seed corpus, so the committed corpus stays the reviewed one.
#   FUZZ_SECONDS=60 scripts/fuzz.sh [target...]     default: every target, 60 s each
# A finding stops the script with the reproducer's path (build-fuzz/findings/<target>/crash-*); rerun it with
# build-fuzz/tests/fuzz/<target> <file>. Needs clang and libclang-rt-dev (scripts/install-deps.sh installs
# them when PGQRS_WITH_FUZZ=1).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
clang=$(command -v clang++ || command -v clang++-16 || command -v clang++-15 || command -v clang++-14 || true)
[ -n "$clang" ] || { echo "fuzz: needs clang++ (Debian: apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

# Only what the targets need: no Turso (cargo), no S3, no tests, tools or examples.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$clang" \
  -DPGQRS_BUILD_FUZZERS=ON -DPGQRS_WITH_TURSO=OFF -DPGQRS_WITH_S3=OFF \
  -DPGQRS_BUILD_TESTS=OFF -DPGQRS_BUILD_TOOLS=OFF -DPGQRS_BUILD_EXAMPLES=OFF >/dev/null
read -r -a all_targets < <(tr ";" " " <"$build_dir/tests/fuzz/targets.txt"; echo)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
cmake --build "$build_dir" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for target in "${targets[@]}"; do
  work="$build_dir/corpus/$target" findings="$build_dir/findings/$target"
  rm -rf "$work" && mkdir -p "$work" "$findings"
  cp tests/fuzz/corpus/"$target"/* "$work"/
  seeds=$(ls "$work" | wc -l)
  echo "fuzz: $target for ${seconds}s from $seeds seeds"
  if ! "$build_dir/tests/fuzz/$target" "$work" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
       -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 >"$findings/log" 2>&1; then
    tail -40 "$findings/log" >&2
    echo "fuzz: $target FAILED; reproducer(s): $(ls "$findings"/crash-* "$findings"/leak-* "$findings"/timeout-* 2>/dev/null | tr '\n' ' ')" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$findings/log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz: $target ok: $runs inputs, corpus grew from $seeds to $(ls "$work" | wc -l) entries, no finding"
done
