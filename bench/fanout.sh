#!/usr/bin/env bash
# One change for BENCH_DEVICES (default 100,000) installations, all carrying
# one tag (an announcement), sent to the fake APNs: seconds from the change's
# commit to the fake accepting the last push, the sidecar's idle RSS before
# it and its peak RSS (VmHWM) after. With BENCH_BASELINE=<git revision> (or
# BENCH_BASELINE_BIN) the same for that revision, in a database of its own.
#   BENCH_ROUNDS (default 3), BENCH_CHUNK (database.batch_pushes, default 2500)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
devices=${BENCH_DEVICES:-100000}
rounds=${BENCH_ROUNDS:-3}
"$root/scripts/build.sh" pushsync fake_provider >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB"
bench_databases "CREATE TABLE announcements (id bigserial PRIMARY KEY, audience text NOT NULL)"
kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

run() {  # index -> "seconds idle_rss_kb peak_rss_kb"
  local i=$1 dburl; dburl=$(url_of "${databases[$i]}")
  bench_start_fake apns "$devices"
  cat >"$work/pushsync.yaml" <<YAML
database:
  url: "$dburl"
  $( [ "$i" = 0 ] && echo "batch_pushes: ${BENCH_CHUNK:-2500}" )
${batch_intervals[i]:+  batch_interval: ${batch_intervals[i]}}
$(bench_apns_yaml)
log:
  level: warn
tables:
  public.announcements:
    tags: ["audience:{audience}"]
YAML
  "${binaries[$i]}" migrate --config "$work/pushsync.yaml" 2>/dev/null
  psql "$dburl" -qX -c "DELETE FROM pushsync.installations" -c "TRUNCATE announcements" \
    -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
        SELECT 'dev' || i, 'apns', lpad(to_hex(i), 64, '0'), '{audience:everyone}' FROM generate_series(1, $devices) i" \
    -c "VACUUM ANALYZE" -c "CHECKPOINT"
  "${binaries[$i]}" run --config "$work/pushsync.yaml" 2>>"$work/sidecar.log" &
  local sidecar=$!
  bench_pids+=("$sidecar")
  sleep 1.5
  local idle; idle=$(kb "$sidecar" VmRSS)
  local start; start=$(date +%s.%N)
  psql "$dburl" -qX -c "INSERT INTO announcements (audience) VALUES ('everyone')"
  bench_fake_result
  local end; end=$(date +%s.%N)
  local peak; peak=$(kb "$sidecar" VmHWM)
  kill -TERM "$sidecar"; wait "$sidecar" || true
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }') $idle $peak"
}

bench_rounds "seconds, idle RSS kB, peak RSS kB"

echo "One change to $devices devices through the fake APNs, median of $rounds rounds ($(nproc) CPUs, $(date -u +%F))"
printf '%-12s %10s %12s %14s %14s\n' sidecar seconds pushes/s "idle RSS MB" "peak RSS MB"
for name in "${names[@]}"; do
  col() { awk -v n="$name" -v c="$1" '$1 == n { print $c }' "$work/results" | median; }
  printf '%-12s %10.2f %12.0f %14.1f %14.1f\n' "$name" "$(col 2)" "$(awk -v s="$(col 2)" -v n="$devices" 'BEGIN { print n / s }')" \
    "$(awk -v k="$(col 3)" 'BEGIN { print k / 1024 }')" "$(awk -v k="$(col 4)" 'BEGIN { print k / 1024 }')"
done
