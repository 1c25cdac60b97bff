#!/usr/bin/env bash
# The JS client's tests (node's test runner) against a real sidecar:
# PUSHSYNC_BINARY (default build/pushsync). Installs the dev dependency (ws,
# for Node without a global WebSocket) from package-lock.json first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
exec node --test test/*.test.js
