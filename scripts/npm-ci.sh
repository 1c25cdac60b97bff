#!/usr/bin/env bash
# npm ci in each DIR given, unless its node_modules is newer than its
# package-lock.json: the pinned packages the JavaScript tests, fakes and
# checks use. Tests running in parallel may ask at once: one installs.
set -euo pipefail
for dir in "$@"; do
  (
    flock 9
    [ -d "$dir/node_modules" ] && [ "$dir/node_modules" -nt "$dir/package-lock.json" ] && exit 0
    cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null
  ) 9>"$dir/.npm-ci.lock"
done
