#!/usr/bin/env bash
# What capture costs a bulk statement: INSERT ... SELECT, UPDATE and DELETE
# of BENCH_ROWS (default 50,000) rows in one statement, timed by the server
# (psql \timing), on identical tables of one throwaway cluster:
#   plain       no trigger
#   statement   pushsync's capture (statement triggers, one outbox row per
#               1000 rows)
#   baseline    with BENCH_BASELINE=<git revision> (or BENCH_BASELINE_BIN):
#               that revision's capture, in a database of its own
# (bench/BENCHMARKS.md has earlier runs of 0.1's row trigger, one outbox
# row per row: 3.5-28x.) Each round runs every variant; printed are the
# median times and the median of each round's time(variant) / time(plain).
# The outbox is emptied between runs (no sidecar runs: this is the
# writer's cost alone).
#   BENCH_ROWS, BENCH_ROUNDS (default 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${BENCH_ROWS:-50000}
rounds=${BENCH_ROUNDS:-5}
"$root/scripts/build.sh" pushsync >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB"
table="(id bigserial PRIMARY KEY, owner text NOT NULL, status text NOT NULL, note text)"
db -c "CREATE TABLE bulk_plain $table"
bench_databases "CREATE TABLE bulk_statement $table"
for i in "${!databases[@]}"; do
  bench_migrate "$i" "tables:
  public.bulk_statement:
    watch: [status, owner]
    tags: [\"user:{owner}\"]"
done

ms() {  # ms DATABASE SQL -> milliseconds the server took
  psql "$(url_of "$1")" -qX -v ON_ERROR_STOP=1 -c '\timing on' -c "$2" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
}
run() {  # run VARIANT -> "insert_ms update_ms delete_ms"
  local d=postgres t=bulk_statement
  [ "$1" = plain ] && t=bulk_plain
  [ "$1" = baseline ] && d=baseline
  psql "$(url_of "$d")" -qX -c "TRUNCATE $t RESTART IDENTITY" -c "TRUNCATE $(outbox_tables "$(url_of "$d")")" -c "VACUUM ANALYZE $t" \
    -c "CHECKPOINT"
  local i u x
  i=$(ms "$d" "INSERT INTO $t (owner, status) SELECT 'u' || (g % 1000), 'new' FROM generate_series(1, $rows) g")
  u=$(ms "$d" "UPDATE $t SET status = 'done'")
  x=$(ms "$d" "DELETE FROM $t")
  echo "$i $u $x"
}

variants="plain statement"
[ -n "${BENCH_BASELINE:-}" ] && variants="$variants baseline"
for round in $(seq "$rounds"); do
  declare -A got=()
  for v in $variants; do got[$v]=$(run "$v"); echo "$v ${got[$v]}" >>"$work/times"; done
  for v in $variants; do
    read -r pi pu pd <<<"${got[plain]}"
    read -r vi vu vd <<<"${got[$v]}"
    echo "$v $(awk -v a="$vi" -v b="$pi" 'BEGIN{print a/b}') $(awk -v a="$vu" -v b="$pu" 'BEGIN{print a/b}') $(awk -v a="$vd" -v b="$pd" 'BEGIN{print a/b}')" >>"$work/ratios"
  done
  echo "round $round: $(for v in $variants; do echo -n "$v ${got[$v]}; "; done)(ms: insert update delete)" >&2
done

echo "Bulk statements of $rows rows, median of $rounds rounds ($(nproc) CPUs, PostgreSQL $(db -c 'SHOW server_version'), $(date -u +%F))"
printf '%-10s %12s %12s %12s %10s %10s %10s\n' capture "insert ms" "update ms" "delete ms" "insert x" "update x" "delete x"
for v in $variants; do
  col() { awk -v v="$v" -v c="$2" '$1 == v { print $c }' "$work/$1" | median; }
  printf '%-10s %12.0f %12.0f %12.0f %10.2f %10.2f %10.2f\n' "$v" "$(col times 2)" "$(col times 3)" "$(col times 4)" \
    "$(col ratios 2)" "$(col ratios 3)" "$(col ratios 4)"
done
echo "outbox rows one statement of $rows rows writes: $(( (rows + 999) / 1000 ))"
