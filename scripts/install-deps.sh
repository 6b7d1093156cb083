#!/usr/bin/env bash
# Installs the Debian packages pgqrs needs to build and test (bookworm), and a Rust toolchain (rustup, into
# ~/.cargo) for the Turso backend when cargo is missing (skip it with PGQRS_WITH_TURSO=OFF). Only what is
# missing is installed, so re-running is fast. Needs root (or sudo) for apt-get.
set -euo pipefail

# cargo builds the Turso engine (turso_sdk_kit from crates.io); rustup is Rust's own installer.
install_cargo() {
  [ "${PGQRS_WITH_TURSO:-ON}" = OFF ] && return 0
  if command -v cargo >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/cargo" ]; then return 0; fi
  echo "install-deps: installing a Rust toolchain with rustup (for the Turso backend; PGQRS_WITH_TURSO=OFF skips it)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y -q --profile minimal >/dev/null
}

packages=(
  g++ cmake ninja-build pkg-config
  libpq-dev libsqlite3-dev nlohmann-json3-dev libyaml-cpp-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev libssl-dev libcli11-dev
  postgresql-15 pgbouncer sqlite3
  python3 python3-venv python3-dev
  curl ca-certificates
)
# npm installs Turso's own CLI (tursodb) for the test that opens our Turso files with it; Node.js is often
# installed outside Debian's packages, so npm is only asked for when there is none.
if [ "${PGQRS_WITH_TURSO:-ON}" != OFF ] && ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  install_cargo
  exit 0
fi

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_cargo
echo "install-deps: done"
