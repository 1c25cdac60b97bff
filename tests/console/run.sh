#!/usr/bin/env bash
# The console's browser test: headless Chromium (Debian's chromium),
# puppeteer-core, a real sidecar (PUSHSYNC_BINARY, default build/pushsync),
# PostgreSQL and the fake FCM (FAKE_PROVIDER, default
# build/tests/fake_provider). Installs the npm packages from their lockfiles
# first (no browser download: puppeteer-core has none).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/../../scripts/npm-ci.sh" "$here" "$here/../../clients/js"
cd "$here"
exec node --test console.test.js
