#!/usr/bin/env bash
# Build time, measured side by side:
#   clean     a clean build of everything (Ninja, -j the number of cores,
#             scripts/build.sh's build type), tests included
#   rebuild   the build after touching one file: one file of each of the
#             library's unity groups (its first), util/compiled_once.cpp
#             and main.cpp; what an engineer waits for after changing a
#             line. The slowest is the figure to watch.
# Builds a copy of the working tree (the files git does not ignore, changes
# included) and, with BENCH_BASELINE=<git revision>, that revision, each in
# a directory of its own; each round builds one, then the other, so both
# see the same machine (BENCH_ROUNDS rounds, default 2). Needs ninja.
# Prints every figure, then the medians and, with a baseline, the ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${BENCH_ROUNDS:-2}
jobs=$(nproc)
. "$root/bench/bench_lib.sh"  # $work, its cleanup, median (no cluster is started)

variants=(this)
mkdir -p "$work/this/src"
git -C "$root" ls-files -z --cached --others --exclude-standard | tar -C "$root" --null -c -T - | tar -x -C "$work/this/src"
if [ -n "${BENCH_BASELINE:-}" ]; then
  variants+=(baseline)
  mkdir -p "$work/baseline/src"
  git -C "$root" archive "$BENCH_BASELINE" | tar -x -C "$work/baseline/src"
fi

seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# The files whose touch is measured: the first file of each unity source,
# then the library's files that compile alone (but generated ones), and main.cpp.
touched_files() {
  local build=$1 src=$2
  find "$build/CMakeFiles/pushsync_core.dir/Unity" -name '*.cxx' | sort |
    while read -r unity; do grep -m1 -o '"[^"]*\.cpp"' "$unity" | tr -d '"'; done
  grep -o "pushsync_core.dir/sidecar/[^ ]*\.cpp\.o:" "$build/build.ninja" | sed -e 's|pushsync_core.dir/|'"$src"'/|' -e 's|\.o:$||'
  echo "$src/sidecar/main.cpp"
}

# One line per figure: variant round what seconds
measure() {
  local variant=$1 round=$2 src=$work/$1/src build=$work/$1/build
  rm -rf "$build"
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  local start; start=$(date +%s.%N)
  ninja -C "$build" -j "$jobs" >"$work/$variant/clean.log" 2>&1 || { tail -20 "$work/$variant/clean.log"; exit 1; }
  echo "$variant $round clean $(seconds_since "$start")"
  local file
  for file in $(touched_files "$build" "$src"); do
    touch "$file"
    start=$(date +%s.%N)
    ninja -C "$build" -j "$jobs" >/dev/null
    echo "$variant $round rebuild:${file#"$src"/sidecar/} $(seconds_since "$start")"
  done
}

for round in $(seq 1 "$rounds"); do
  for variant in "${variants[@]}"; do measure "$variant" "$round"; done
done | tee "$work/figures"

echo
declare -A clean slowest
for variant in "${variants[@]}"; do
  clean[$variant]=$(awk -v v="$variant" '$1 == v && $3 == "clean" { print $4 }' "$work/figures" | median)
  read -r seconds file < <(awk -v v="$variant" '$1 == v && $3 ~ /^rebuild/ { print $3 }' "$work/figures" | sort -u |
    while read -r what; do
      echo "$(awk -v v="$variant" -v w="$what" '$1 == v && $3 == w { print $4 }' "$work/figures" | median) ${what#rebuild:}"
    done | sort -g | tail -1)
  slowest[$variant]=$seconds
  echo "$variant: clean build ${clean[$variant]} s (median), slowest rebuild after touching one file $seconds s ($file, median)"
done
if [ -n "${BENCH_BASELINE:-}" ]; then
  awk -v c="${clean[this]}" -v cb="${clean[baseline]}" -v s="${slowest[this]}" -v sb="${slowest[baseline]}" \
    -v b="$BENCH_BASELINE" 'BEGIN { printf "this / %s: clean build %.2f, slowest rebuild %.2f\n", b, c / cb, s / sb }'
fi
