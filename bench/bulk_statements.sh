#!/usr/bin/env bash
# What capture costs a bulk statement: INSERT ... SELECT, UPDATE and DELETE
# of BENCH_ROWS (default 50,000) rows in one statement, timed by the server
# (psql \timing), on identical tables of one throwaway cluster:
#   plain       no trigger
#   statement   pushsync's capture (statement triggers, one outbox row per
#               1000 rows)
#   row         the row trigger of pushsync 0.1 (one outbox row per row),
#               for comparison; its SQL is below, as 0.1 generated it
# Each round runs every variant; printed are the median times and the
# median of each round's time(variant) / time(plain). The outbox is emptied
# between runs (no sidecar runs: this is the writer's cost alone).
#   BENCH_ROWS, BENCH_ROUNDS (default 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${BENCH_ROWS:-50000}
rounds=${BENCH_ROUNDS:-5}
"$root/scripts/build.sh" pushsync >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB"
for t in plain statement row; do
  db -c "CREATE TABLE bulk_$t (id bigserial PRIMARY KEY, owner text NOT NULL, status text NOT NULL, note text)"
done
cat >"$work/pushsync.yaml" <<YAML
database:
  url: "$url"
tables:
  public.bulk_statement:
    watch: [status, owner]
    tags: ["user:{owner}"]
YAML
"$root/build/pushsync" migrate --config "$work/pushsync.yaml" 2>/dev/null
# pushsync 0.1's row trigger, for comparison.
sed 's/{{table}}/bulk_row/g' "$root/bench/row_trigger_0.1.sql" | db

ms() {  # ms SQL -> milliseconds the server took
  psql "$url" -qX -v ON_ERROR_STOP=1 -c '\timing on' -c "$1" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
}
run() {  # run TABLE -> "insert_ms update_ms delete_ms"
  db -c "TRUNCATE bulk_$1 RESTART IDENTITY" -c "TRUNCATE pushsync.changes" -c "VACUUM ANALYZE bulk_$1" -c "CHECKPOINT"
  local i u d
  i=$(ms "INSERT INTO bulk_$1 (owner, status) SELECT 'u' || (g % 1000), 'new' FROM generate_series(1, $rows) g")
  u=$(ms "UPDATE bulk_$1 SET status = 'done'")
  d=$(ms "DELETE FROM bulk_$1")
  echo "$i $u $d"
}

variants="plain statement row"
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
echo "outbox rows one statement of $rows rows writes: statement capture $(( (rows + 999) / 1000 )), row capture $rows"
