#!/usr/bin/env bash
# examples/archive_files as a test: crash right after a step, run again, check the run resumed (the step
# before the crash was not executed again), the archive holds every file and the originals are gone.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/docs"
printf 'alpha\n' >"$work/docs/a.txt"
printf 'beta\n' >"$work/docs/b.txt"
dsn="sqlite://$work/queue.db"
set +e
"$bin" "$dsn" "$work/docs" --crash-after create_archive >"$work/first.log" 2>&1
code=$?
set -e
[ "$code" = 3 ] || { echo "first run should crash with 3, got $code"; cat "$work/first.log"; exit 1; }
"$bin" "$dsn" "$work/docs" >"$work/second.log" 2>&1 || { cat "$work/second.log"; exit 1; }
cat "$work/first.log" "$work/second.log"
grep -q 'step list_files' "$work/second.log" && { echo "list_files ran again after the crash"; exit 1; }
grep -q 'step create_archive' "$work/second.log" && { echo "create_archive ran again after the crash"; exit 1; }
grep -q 'step delete_originals' "$work/second.log" || { echo "delete_originals did not run"; exit 1; }
grep -q '"deleted":2' "$work/second.log" || { echo "wrong result"; exit 1; }
grep -q '^alpha$' "$work/docs.archive" && grep -q '^beta$' "$work/docs.archive" || { echo "archive incomplete"; exit 1; }
[ -z "$(ls -A "$work/docs")" ] || { echo "originals not deleted"; exit 1; }
echo "archive_files: resumed after the crash, every step ran once"
