#!/usr/bin/env bash
# The web demo's browser test: headless Chromium (Debian's chromium),
# puppeteer-core, a real sidecar (PUSHSYNC_BINARY, default build/pushsync),
# PostgreSQL, the example backend and the fake Web Push service. Installs the npm packages from their
# lockfiles first (no browser download: puppeteer-core has none).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/../../../../scripts/npm-ci.sh" "$here" "$here/../../backend" "$here/../../../../tests/fakes/webpush"
cd "$here"
exec node --test web_demo.test.js
