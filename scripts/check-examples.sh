#!/usr/bin/env bash
# Offline checks of examples/compose and examples/kubernetes (no cluster or
# Docker engine needed): schemas and the fields pushsync relies on. See
# scripts/check-examples/check.mjs. Part of the test suite.
set -euo pipefail
dir=$(cd "$(dirname "$0")/check-examples" && pwd)
cd "$dir"
[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
exec node check.mjs
