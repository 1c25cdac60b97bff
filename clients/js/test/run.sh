#!/usr/bin/env bash
# The JS client's tests (node's test runner) against a real sidecar:
# PUSHSYNC_BINARY (default build/pushsync). Installs the dev dependency (ws,
# for Node without a global WebSocket) from package-lock.json first.
set -euo pipefail
cd "$(dirname "$0")/.."
../../scripts/npm-ci.sh .
exec node --test test/*.test.js
