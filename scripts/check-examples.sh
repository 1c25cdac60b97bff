#!/usr/bin/env bash
# Offline checks of examples/compose and examples/kubernetes (no cluster or
# Docker engine needed): schemas and the fields pushsync relies on. See
# scripts/check-examples/check.mjs. Part of the test suite.
set -euo pipefail
dir=$(cd "$(dirname "$0")/check-examples" && pwd)
"$dir/../npm-ci.sh" "$dir"
exec node "$dir/check.mjs"
