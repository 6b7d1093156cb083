#!/usr/bin/env bash
# Installs the Debian packages pgqrs needs to build and test (bookworm). Only missing packages are installed,
# so re-running is fast. Needs root (or sudo).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libpq-dev libsqlite3-dev nlohmann-json3-dev libyaml-cpp-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev libssl-dev
  postgresql-15 pgbouncer sqlite3
  python3 python3-venv python3-dev
)

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
