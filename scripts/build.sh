#!/usr/bin/env bash
# Installs the Debian packages pushsync needs (if missing) and builds it in build/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
# BUILD_DIR (default build/) and SANITIZE (e.g. address,undefined: a
# sanitizer build, scripts/test.sh --sanitize) choose another build.
build_dir=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DPUSHSYNC_SANITIZE="${SANITIZE:-}" >/dev/null
# Arguments name targets to build (default: everything, tests included).
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"
