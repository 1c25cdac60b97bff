#!/usr/bin/env bash
# Fuzzes what hostile peers hand pushsync (fuzz/targets.hpp) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer (clang, built in build-fuzz/).
#   scripts/fuzz.sh                    every target, 60 s each
#   scripts/fuzz.sh TARGET [SECONDS]   one target ("all" for every one)
# Starts from the committed inputs of fuzz/corpus/<target> and adds what it
# finds to build-fuzz/corpus/<target> (the committed ones are not written).
# A finding (crash, leak, sanitizer report, hang over 10 s, broken promise)
# is saved under build-fuzz/findings/ and makes the script exit non-zero; to
# keep it as a regression test, copy that file into fuzz/corpus/<target>.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
targets=(config_file api_request ws_frames webpush_subscription provider_answers text_parsers)
which=${1:-all}
seconds=${2:-60}
[ "$which" = all ] || targets=("$which")

"$root/scripts/install-deps.sh" fuzz
build=$root/build-fuzz
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DPUSHSYNC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" $(printf -- '--target fuzz_%s ' "${targets[@]}")

mkdir -p "$build/findings"
# libpqxx 6.4's leak of a lost connection's result is not ours (tests/lsan.supp says why).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
summary=()
status=0
for target in "${targets[@]}"; do
  work=$build/corpus/$target
  mkdir -p "$work"
  log=$build/fuzz-$target.log
  echo "fuzz.sh: $target for $seconds s (log: $log)"
  # ASan's leak check runs at the end of every input that grew the heap.
  if ! "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/findings/$target-" "$work" "$root/fuzz/corpus/$target" >"$log" 2>&1 </dev/null; then
    status=1
    echo "fuzz.sh: $target FOUND SOMETHING:" && grep -m 5 -E "ERROR|broken promise|SUMMARY|Test unit written" "$log" || true
  fi
  execs=$(grep -oP 'stat::number_of_executed_units:\s*\K\d+' "$log" || echo 0)
  cover=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
  summary+=("$target: $execs inputs in $seconds s, ${cover:-no coverage line}, corpus $(ls "$work" | wc -l) new files")
done
printf 'fuzz.sh: %s\n' "${summary[@]}"
exit $status
