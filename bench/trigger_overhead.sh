#!/usr/bin/env bash
# What capturing changes costs the application's writers.
#
# pgbench inserts (4 clients) into identical tables of one throwaway cluster,
# the variants interleaved in every round so that drift hits all alike:
#   plain     no trigger
#   paused    pushsync's capture trigger, sidecar paused (SIGSTOP): the
#             trigger's own cost
#   captured  pushsync's capture trigger, the sidecar running and draining
# With BENCH_BASELINE=<git revision> (or BENCH_BASELINE_BIN, a binary of it)
# the same two for that revision, in a database of its own with its own
# sidecar, in the same rounds (bench/BENCHMARKS.md has earlier runs of 0.1's
# row trigger and of a NOTIFY in every transaction).
# Each round gives TPS(variant) / TPS(plain) of that round; printed are the
# median ratio over the rounds and the mean TPS, for synchronous_commit on
# (durable: what apps run) and off (CPU-bound, where any cost shows most).
#   BENCH_SECONDS (default 10) per run, BENCH_ROUNDS (default 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-5}
clients=4
"$root/scripts/build.sh" pushsync >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c max_connections=50 -c shared_buffers=256MB"
table="(id bigserial PRIMARY KEY, owner text NOT NULL, title text NOT NULL, done boolean NOT NULL DEFAULT false)"
db -c "CREATE TABLE bench_plain $table"
bench_databases "CREATE TABLE bench_captured $table"

sidecars=()
for i in "${!databases[@]}"; do
  bench_migrate "$i" "delivery:
  dry_run: true
  dry_run_file: /dev/null
tables:
  public.bench_captured:
    watch: [title, done, owner]
    tags: [\"user:{owner}\"]"
  psql "$(url_of "${databases[$i]}")" -qX -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
    SELECT 'device-' || g, 'ws', '', ARRAY['user:' || (g % 100)] FROM generate_series(1, 200) g"
  "${binaries[$i]}" run --config "$work/pushsync-$i.yaml" --log-level warn 2>>"$work/sidecar.log" &
  sidecars+=($!)
  bench_pids+=($!)
done
sleep 1

tps() {  # tps DATABASE TABLE -> transactions per second
  echo "INSERT INTO $2 (owner, title) VALUES ((random() * 99)::int::text, 'a title of some length');" >"$work/insert.sql"
  pgbench "$(url_of "$1")" -n -c "$clients" -j 2 -T "$seconds" -f "$work/insert.sql" 2>/dev/null |
    sed -nE 's/^tps = ([0-9.]+).*/\1/p' | cut -d. -f1
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

drain() {  # drain DATABASE: waits until its sidecar emptied the outbox
  until [ "$(outbox_left "$(url_of "$1")")" = 0 ]; do sleep 0.2; done
  # A drained backlog leaves dead rows: vacuumed now, not by autovacuum
  # during the next variant's run.
  psql "$(url_of "$1")" -qX -c "VACUUM pushsync.changes"
}

run_variant() {  # run_variant VARIANT -> TPS; the outbox is drained afterwards
  local kind=${1%%:*} i=${1##*:} result
  [ "$kind" = plain ] && { tps postgres bench_plain; return; }
  [ "$kind" = paused ] && kill -STOP "${sidecars[$i]}"
  result=$(tps "${databases[$i]}" bench_captured)
  [ "$kind" = paused ] && kill -CONT "${sidecars[$i]}"
  drain "${databases[$i]}"
  echo "$result"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "pushsync trigger overhead: $(nproc) cores, $(lscpu | sed -nE 's/^Model name: +//p' | head -1)," \
     "PostgreSQL $(db -c 'SHOW server_version'), $clients clients, ${seconds}s runs, $rounds rounds, $(date -u +%F)"
variants="plain:0"
declare -A label=([plain:0]="no trigger")
for i in "${!databases[@]}"; do
  variants="$variants paused:$i captured:$i"
  label[paused:$i]="${names[$i]}: capture trigger, sidecar paused"
  label[captured:$i]="${names[$i]}: capture trigger, sidecar draining"
done
for commit in on off; do
  db -c "ALTER SYSTEM SET synchronous_commit = $commit" -c "SELECT pg_reload_conf()" >/dev/null
  declare -A sum=() ratios=()
  for v in $variants; do sum[$v]=0; ratios[$v]=""; done
  for round in $(seq "$rounds"); do
    declare -A got=()
    for v in $variants; do got[$v]=$(run_variant "$v"); sum[$v]=$((sum[$v] + got[$v])); done
    for v in $variants; do ratios[$v]="${ratios[$v]} $(ratio "${got[$v]}" "${got[plain:0]}")"; done
  done
  echo
  echo "synchronous_commit = $commit"
  printf '  %-52s %9s %14s\n' variant "mean TPS" "median ratio"
  for v in $variants; do
    printf '  %-52s %9d %14s   (rounds:%s)\n' "${label[$v]}" $((sum[$v] / rounds)) "$(median <<<"${ratios[$v]}")" "${ratios[$v]}"
  done
done
grep -iE "error|warn" "$work/sidecar.log" | head -5 || true
