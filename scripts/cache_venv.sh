#!/usr/bin/env bash
# Creates (or reuses) one of the helper virtualenvs kept outside the clone and prints its interpreter:
#   scripts/cache_venv.sh original   the ORIGINAL pgqrs (PyPI pgqrs==0.15.3) + psycopg: the benchmark baseline
#                                    and the oracle of the compatibility tests (tests/python_compat). Never
#                                    the venv our own package lives in (it would shadow it).
#   scripts/cache_venv.sh plots      matplotlib, for the benchmark report
# Location: $PGQRS_CACHE_DIR (default ~/.cache/pgqrs)/venv-<name>. Needs PyPI the first time.
set -euo pipefail
name=${1:?usage: scripts/cache_venv.sh original|plots}
case "$name" in
  original) packages=(pgqrs==0.15.3 "psycopg[binary]") ;;
  plots) packages=(matplotlib) ;;
  *) echo "cache_venv: unknown venv '$name' (original|plots)" >&2; exit 2 ;;
esac
dir=${PGQRS_CACHE_DIR:-$HOME/.cache/pgqrs}/venv-$name
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import sys" 2>/dev/null; then
  python3 -m venv --clear "$dir" >&2
fi
if ! "$dir/bin/pip" install -q --disable-pip-version-check "${packages[@]}" >&2; then
  echo "cache_venv: could not install ${packages[*]} into $dir (pip's error above; it needs network access" \
       "to PyPI the first time)" >&2
  exit 1
fi
echo "$dir/bin/python"
