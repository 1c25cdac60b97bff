#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit + integration against
# throwaway PostgreSQL clusters). Ends with ctest's summary; non-zero on failure.
# Arguments go to ctest: `scripts/test.sh -L fast` is the inner loop (unit
# tests only, seconds), `-L integration`, `-L e2e` (Node, Chromium), `-R NAME`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=$SECONDS
"$root/scripts/install-deps.sh"
installed=$SECONDS
"$root/scripts/build.sh"
built=$SECONDS
echo "test.sh: Debian packages $((installed - start)) s, build $((built - installed)) s; the tests' time is ctest's last line"
cd "$root/build"
ctest -j "$(nproc)" --output-on-failure --timeout 300 "$@"
