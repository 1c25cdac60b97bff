#!/usr/bin/env bash
# Latency from a change's INSERT to the fake APNs accepting its push (p50,
# p99, max), at three write rates:
#   idle     one change every 200 ms (pgbench -R 5, 50 changes): the sidecar
#            sleeps on LISTEN between them
#   1000/s   pgbench -R 1000, 4 clients (BENCH_SECONDS, default 10, of changes)
#   5000/s   pgbench -R 5000, 4 clients
# Each row carries "t", the writer's clock_timestamp() in microseconds, in its
# push (payload.data); the fake subtracts it from the time it accepts the
# push (same machine, same clock). Also printed: the CPU seconds the
# database spent per 10,000 changes meanwhile (writers' inserts included).
# With BENCH_BASELINE=<git revision> (or BENCH_BASELINE_BIN, a binary of it)
# the same runs for that revision in a database of its own, interleaved
# with this revision's, for a before/after in one run; with
# BENCH_BATCH_INTERVALS (e.g. "10ms 50ms") this revision once per
# database.batch_interval. BENCH_ROUNDS (default 3): medians over rounds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
"$root/scripts/build.sh" pushsync fake_provider >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB -c max_connections=50"
bench_databases "CREATE TABLE lat_items (id bigserial PRIMARY KEY, owner text NOT NULL, t text NOT NULL)"
echo "INSERT INTO lat_items (owner, t) VALUES ('u' || (random() * 99)::int, ((extract(epoch FROM clock_timestamp()) * 1000000)::bigint)::text);" \
  >"$work/insert.sql"

run() {  # index rate clients changes -> "p50 p99 max db_cpu_s_per_10k"
  local i=$1 rate=$2 clients=$3 changes=$4
  local dburl; dburl=$(url_of "${databases[$i]}")
  bench_start_fake apns "$changes" latency
  cat >"$work/pushsync.yaml" <<YAML
database:
  url: "$dburl"
${batch_intervals[i]:+  batch_interval: ${batch_intervals[i]}}
$(bench_apns_yaml)
log:
  level: warn
tables:
  public.lat_items:
    tags: ["user:{owner}"]
    payload:
      data: {t: "{t}"}
YAML
  "${binaries[$i]}" migrate --config "$work/pushsync.yaml" 2>/dev/null
  psql "$dburl" -qX -c "DELETE FROM pushsync.installations" -c "TRUNCATE lat_items" \
    -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
        SELECT 'dev' || i, 'apns', lpad(to_hex(i + 1), 64, '0'), ARRAY['user:u' || i] FROM generate_series(0, 99) i" \
    -c "VACUUM ANALYZE" -c "CHECKPOINT"
  "${binaries[$i]}" run --config "$work/pushsync.yaml" 2>>"$work/sidecar.log" &
  local sidecar=$!
  bench_pids+=("$sidecar")
  sleep 1  # asleep on LISTEN by now
  local db_before; db_before=$(db_cpu_seconds)
  pgbench "$dburl" -n -c "$clients" -j "$clients" -R "$rate" -t $((changes / clients)) -f "$work/insert.sql" >/dev/null 2>&1
  bench_fake_result
  local db_used; db_used=$(awk -v a="$db_before" -v b="$(db_cpu_seconds)" 'BEGIN { print b - a }')
  kill -TERM "$sidecar"; wait "$sidecar" || true
  echo "$(json_field p50_ms <<<"$latency_line") $(json_field p99_ms <<<"$latency_line")" \
       "$(json_field max_ms <<<"$latency_line") $(awk -v u="$db_used" -v n="$changes" 'BEGIN { print u * 10000 / n }')"
}

loads=("idle 5 1 50" "1000/s 1000 4 $((1000 * seconds))" "5000/s 5000 4 $((5000 * seconds))")
for round in $(seq "$rounds"); do
  for load in "${loads[@]}"; do
    read -r label rate clients changes <<<"$load"
    for i in "${!databases[@]}"; do
      r=$(run "$i" "$rate" "$clients" "$changes")
      echo "${names[$i]} $label $r" >>"$work/results"
      echo "round $round: ${names[$i]} $label: $r (p50 p99 max ms, database CPU s/10k changes)" >&2
    done
  done
done

echo "Commit-to-accept latency, fake APNs, median of $rounds rounds ($(nproc) CPUs, $(date -u +%F))"
printf '%-20s %-8s %9s %9s %9s %22s\n' sidecar load "p50 ms" "p99 ms" "max ms" "database CPU s/10k"
for name in "${names[@]}"; do
  for load in "${loads[@]}"; do
    read -r label _ <<<"$load"
    col() { awk -v n="$name" -v l="$label" -v c="$1" '$1 == n && $2 == l { print $c }' "$work/results" | median; }
    printf '%-20s %-8s %9.2f %9.2f %9.2f %22.3f\n' "$name" "$label" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)"
  done
done
grep -iE "error|warn" "$work/sidecar.log" | head -5 || true
