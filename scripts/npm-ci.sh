#!/usr/bin/env bash
# npm ci in each DIR given, unless its node_modules is newer than its
# package-lock.json: the pinned packages the JavaScript tests and checks use.
set -euo pipefail
for dir in "$@"; do
  [ -d "$dir/node_modules" ] && [ "$dir/node_modules" -nt "$dir/package-lock.json" ] && continue
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
done
