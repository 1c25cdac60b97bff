#!/usr/bin/env bash
# What one call of the capture trigger costs, by kind of statement, and what
# the first write of a new session pays on top (loading plpgsql, compiling
# the trigger, planning its queries, caching the outbox's catalog entries).
#   per call  a DO loop of BENCH_CALLS (default 20,000) single-row
#             statements on a captured table minus the same loop on an
#             identical table without capture, in µs per statement (the
#             best of BENCH_ROUNDS, default 5, rounds):
#               insert     INSERT of one row
#               update     UPDATE of one row, a watched column
#               unwatched  UPDATE of one row, a column nobody watches
#               no row     UPDATE that matches no row
#               delete     DELETE of one row
#   first write  the first INSERT of a new psql session (its server time,
#             \timing), median of BENCH_SESSIONS (default 16) sessions, minus
#             the same without capture
# With BENCH_BASELINE=<git revision> (or BENCH_BASELINE_BIN) that revision's
# trigger is measured too, in a database of its own, interleaved.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
calls=${BENCH_CALLS:-20000}
rounds=${BENCH_ROUNDS:-5}
sessions=${BENCH_SESSIONS:-16}
"$root/scripts/build.sh" pushsync >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB"
table="(id bigserial PRIMARY KEY, owner text NOT NULL, title text NOT NULL, done boolean NOT NULL DEFAULT false,
        seen_at timestamptz)"
bench_databases "CREATE TABLE plain_items $table; CREATE TABLE items $table"
for i in "${!databases[@]}"; do
  bench_migrate "$i" "tables:
  public.items:
    watch: [title, done, owner]
    tags: [\"user:{owner}\"]"
done

loop() {  # loop DATABASE TABLE KIND -> µs per statement
  local body
  case $3 in
    insert) body="INSERT INTO $2 (owner, title) VALUES ((i % 99)::text, 'a title of some length')" ;;
    update) body="UPDATE $2 SET title = 'title ' || i WHERE id = i" ;;
    unwatched) body="UPDATE $2 SET seen_at = now() WHERE id = i" ;;
    norow) body="UPDATE $2 SET title = 'x' WHERE id = -i" ;;
    delete) body="DELETE FROM $2 WHERE id = i" ;;
  esac
  psql "$(url_of "$1")" -qAtX 2>&1 <<SQL | sed -nE 's/.*NOTICE: +//p'
DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN
  FOR i IN 1..$calls LOOP $body; END LOOP;
  RAISE NOTICE '%', round(extract(epoch FROM clock_timestamp() - t0) * 1e6 / $calls, 2);
END \$\$;
SQL
}

kinds="insert update unwatched norow delete"
for round in $(seq "$rounds"); do
  for i in "${!databases[@]}"; do
    d=${databases[$i]}
    psql "$(url_of "$d")" -qX -c "TRUNCATE plain_items, items RESTART IDENTITY" -c "TRUNCATE $(outbox_tables "$(url_of "$d")")"
    for kind in $kinds; do
      plain=$(loop "$d" plain_items "$kind")
      captured=$(loop "$d" items "$kind")
      echo "${names[$i]} $kind $(awk -v a="$captured" -v b="$plain" 'BEGIN { print a - b }')" >>"$work/calls"
    done
    psql "$(url_of "$d")" -qX -c "VACUUM ANALYZE"
  done
done

first_write() {  # first_write DATABASE TABLE -> ms
  psql "$(url_of "$1")" -qAtX -c '\timing on' -c "INSERT INTO $2 (owner, title) VALUES ('7', 'first')" |
    sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
}
for s in $(seq "$sessions"); do
  for i in "${!databases[@]}"; do
    echo "${names[$i]} plain $(first_write "${databases[$i]}" plain_items)" >>"$work/first"
    echo "${names[$i]} captured $(first_write "${databases[$i]}" items)" >>"$work/first"
  done
done

echo "Capture trigger per call, µs per statement over the same without capture, best of $rounds rounds of $calls"
echo "($(nproc) CPUs, PostgreSQL $(db -c 'SHOW server_version'), $(date -u +%F))"
printf '%-12s' trigger; for kind in $kinds; do printf '%11s' "$kind"; done; printf '%26s\n' "first write ms (+capture)"
for name in "${names[@]}"; do
  printf '%-12s' "$name"
  for kind in $kinds; do
    printf '%11.1f' "$(awk -v n="$name" -v k="$kind" '$1 == n && $2 == k { print $3 }' "$work/calls" | sort -g | head -1)"
  done
  p=$(awk -v n="$name" '$1 == n && $2 == "plain" { print $3 }' "$work/first" | median)
  c=$(awk -v n="$name" '$1 == n && $2 == "captured" { print $3 }' "$work/first" | median)
  printf '%14.2f (+%.2f)\n' "$c" "$(awk -v a="$c" -v b="$p" 'BEGIN { print a - b }')"
done
