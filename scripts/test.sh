#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (unit + integration against
# throwaway PostgreSQL clusters). Ends with ctest's summary; non-zero on failure.
# Arguments go to ctest: `scripts/test.sh -L fast` is the inner loop (unit
# tests only, seconds), `-L integration`, `-L e2e` (Node, Chromium), `-R NAME`.
# `scripts/test.sh --sanitize[=address,undefined|thread] [ctest args]` builds
# with those sanitizers into build-<name>/ and runs the suite there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root/build
case "${1:-}" in
  --sanitize | --sanitize=*)
    sanitize=${1#--sanitize}; sanitize=${sanitize#=}; sanitize=${sanitize:-address,undefined}
    shift
    export SANITIZE=$sanitize BUILD_DIR=$root/build-${sanitize//,/-}
    build_dir=$BUILD_DIR
    # A finding stops the process with its report on stderr (the test fails).
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
      UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
      TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp} \
      LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
    ;;
esac
start=$SECONDS
"$root/scripts/install-deps.sh"
installed=$SECONDS
"$root/scripts/build.sh"
built=$SECONDS
echo "test.sh: Debian packages $((installed - start)) s, build $((built - installed)) s; the tests' time is ctest's last line"
cd "$build_dir"
ctest -j "$(nproc)" --output-on-failure --timeout 300 "$@"
