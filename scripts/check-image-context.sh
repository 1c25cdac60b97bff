#!/usr/bin/env bash
# Checks, without a container engine, that the Dockerfile's build stage
# copies everything CMake needs: copies only the paths its COPY lines name
# into an empty directory and configures it with the options of its
# `cmake -S` line. A file or folder the build references but the image
# leaves out fails here (configuring reads every CMakeLists.txt and checks
# that every target's sources exist). Part of the test suite;
# scripts/image-test.sh builds the real image.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dockerfile=$root/Dockerfile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The build stage: from its FROM line to the next FROM.
stage=$(awk '/^FROM /{n++} n==1' "$dockerfile")
# COPY <source>... <destination>, relative to the stage's WORKDIR (sources
# only: the destination mirrors them).
copies=$(sed -nE 's/^COPY +([^-].*) +[^ ]+$/\1/p' <<<"$stage")
[ -n "$copies" ] || { echo "check-image-context: no COPY in the Dockerfile's build stage" >&2; exit 1; }
for source in $copies; do
  [ -e "$root/$source" ] || { echo "check-image-context: the Dockerfile copies $source, which does not exist" >&2; exit 1; }
  mkdir -p "$work/src/$(dirname "$source")"
  cp -r "$root/$source" "$work/src/$source"
done

# The -D options of the build stage's `cmake -S` command (joined lines).
options=$(tr -d '\\\n' <<<"$stage" | grep -oE 'cmake -S [^&]*' | head -1 | grep -oE -- '-D[^ ]+' || true)
[ -n "$options" ] || { echo "check-image-context: no 'cmake -S' with -D options in the build stage" >&2; exit 1; }
# shellcheck disable=SC2086  # one word per option
if ! cmake -S "$work/src" -B "$work/build" $options >"$work/configure.log" 2>&1; then
  echo "check-image-context: configuring what the Dockerfile copies failed:" >&2
  grep -A3 'CMake Error' "$work/configure.log" >&2 || tail -20 "$work/configure.log" >&2
  exit 1
fi
echo "check-image-context: the build stage's $(wc -w <<<"$copies") copied paths configure with $(tr "\n" " " <<<"$options")"
