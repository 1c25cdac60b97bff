#!/usr/bin/env bash
# Installs pushsync's dependencies from Debian 12 packages.
#   install-deps.sh         build + test + demo (what the README's commands need)
#   install-deps.sh build   only what compiling the sidecar needs (the image's build stage)
#   install-deps.sh fuzz    build + clang and its libFuzzer runtime (scripts/fuzz.sh)
# Idempotent: packages already present are skipped without touching apt.
set -euo pipefail

# Build: compiler, CMake, and the libraries (see README, Dependencies).
build=(
  build-essential cmake pkg-config
  libpqxx-dev libpq-dev libboost-dev libssl-dev libnghttp2-dev
  nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libjemalloc-dev
)
# Test and demo: GoogleTest, the PostgreSQL server for throwaway clusters
# (and pgbench, psql), curl, Chromium for the web demo's browser test;
# Node.js for the JS client, the web demo and the examples' checks, unless
# a Node.js is already installed; prometheus for promtool, which checks the
# example alert rules (on a machine that runs systemd, Debian also enables
# its Prometheus server: `systemctl disable --now prometheus` if unwanted);
# lld, a faster linker, and ninja, which keeps both cores busy while the
# library compiles, for the edit-build-test loop (the build uses them when
# present: the image's build stage uses the default ld and make).
test=(libgtest-dev postgresql postgresql-contrib curl chromium prometheus lld ninja-build)
command -v node >/dev/null && command -v npm >/dev/null || test+=(nodejs npm)
# Fuzzing: clang with libFuzzer and the sanitizers' runtimes.
fuzz=(clang libclang-rt-14-dev)

case "${1:-all}" in
  build) packages=("${build[@]}") ;;
  all) packages=("${build[@]}" "${test[@]}") ;;
  fuzz) packages=("${build[@]}" "${fuzz[@]}") ;;
  *) echo "usage: install-deps.sh [build|all|fuzz]" >&2; exit 2 ;;
esac

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
