#!/usr/bin/env bash
# Installs every build, test and demo dependency from Debian 12 packages.
# Idempotent: packages already present are skipped without touching apt.
set -euo pipefail

# Build: compiler, CMake, and the libraries (see README, Dependencies).
# Run/test: the PostgreSQL server for throwaway clusters, pgbench, psql.
packages=(
  build-essential cmake pkg-config
  libpqxx-dev libpq-dev libboost-dev libssl-dev libnghttp2-dev
  nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libjemalloc-dev
  libgtest-dev
  postgresql postgresql-contrib
  curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
