#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit + integration against
# throwaway PostgreSQL clusters). Ends with ctest's summary; non-zero on failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
cd "$root/build"
ctest -j "$(nproc)" --output-on-failure --timeout 300 "$@"
