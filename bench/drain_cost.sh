#!/usr/bin/env bash
# What draining the outbox costs, per change: 4 writers insert single rows at
# BENCH_RATE (default 5,000) changes/s for BENCH_SECONDS (default 60) while
# the sidecar (dry run: pushes are written to /dev/null, so the push side
# costs next to nothing) drains. Printed per change:
#   db µs       CPU of the sidecar's own database backends (/proc)
#   sidecar µs  CPU of the sidecar process (/proc)
#   statements  the sidecar's statements (pg_stat_statements, top level;
#               BEGIN/COMMIT included)
# and the outbox's dead tuples after the run (pg_stat_user_tables), which
# vacuum has to clean up. BENCH_STATEMENTS=1 also shows, on stderr, the
# statements run most often and their time per call. With BENCH_BASELINE=<git revision> (or
# BENCH_BASELINE_BIN) that revision runs too, in a database of its own,
# interleaved over BENCH_ROUNDS (default 3) rounds; medians are printed.
# With BENCH_BATCH_INTERVALS (e.g. "10ms 50ms") this revision runs once per
# database.batch_interval instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rate=${BENCH_RATE:-5000}
seconds=${BENCH_SECONDS:-60}
rounds=${BENCH_ROUNDS:-3}
"$root/scripts/build.sh" pushsync >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB -c max_connections=50 -c shared_preload_libraries=pg_stat_statements"
bench_databases "CREATE EXTENSION pg_stat_statements;
  CREATE TABLE drain_items (id bigserial PRIMARY KEY, owner text NOT NULL, title text NOT NULL)"
echo "INSERT INTO drain_items (owner, title) VALUES ('u' || (random() * 99)::int, 'a title');" >"$work/insert.sql"

backend_pids() {  # backend_pids DATABASE: the sidecar's backends (not pgbench's, not ours)
  db -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1' AND backend_type = 'client backend'
           AND application_name NOT IN ('pgbench', 'psql') AND pid <> pg_backend_pid()"
}
cpu_of() { local total=0 p; for p in "$@"; do total=$(awk -v a="$total" -v b="$(cpu_seconds "$p" 2>/dev/null || echo 0)" 'BEGIN { print a + b }'); done; echo "$total"; }

run() {  # run INDEX -> "db_us sidecar_us statements dead_tuples"
  local i=$1 dburl; dburl=$(url_of "${databases[$i]}")
  bench_migrate "$i" "delivery:
  dry_run: true
  dry_run_file: /dev/null
log:
  level: warn
tables:
  public.drain_items:
    tags: [\"user:{owner}\"]"
  psql "$dburl" -qX -c "TRUNCATE drain_items" -c "DELETE FROM pushsync.installations" \
    -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
        SELECT 'dev' || i, 'ws', '', ARRAY['user:u' || i] FROM generate_series(0, 99) i" \
    -c "VACUUM ANALYZE" -c "CHECKPOINT"
  "${binaries[$i]}" run --config "$work/pushsync-$i.yaml" 2>>"$work/sidecar.log" &
  local sidecar=$!
  bench_pids+=("$sidecar")
  sleep 1
  psql "$dburl" -qAtX -c "SELECT pg_stat_statements_reset()" >/dev/null
  local db0 sc0; db0=$(cpu_of $(backend_pids "${databases[$i]}")); sc0=$(cpu_seconds "$sidecar")
  pgbench "$dburl" -n -c 4 -j 2 -R "$rate" -T "$seconds" -f "$work/insert.sql" >/dev/null 2>&1
  until [ "$(outbox_left "$dburl")" = 0 ]; do sleep 0.1; done
  # Backends the sidecar opened during the run (its second claim lane
  # connects on first use) count from zero.
  local db1 sc1; db1=$(cpu_of $(backend_pids "${databases[$i]}")); sc1=$(cpu_seconds "$sidecar")
  local changes; changes=$(psql "$dburl" -qAtX -c "SELECT count(*) FROM drain_items")
  local statements; statements=$(psql "$dburl" -qAtX -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s
      JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()
      AND query NOT LIKE 'INSERT INTO drain_items%' AND query NOT LIKE '%pg_stat_statements%'
      AND query NOT LIKE 'SELECT count(*) FROM pushsync.%' AND query NOT LIKE '%to_regclass%'")
  if [ -n "${BENCH_STATEMENTS:-}" ]; then  # where the database's time goes, per statement
    psql "$dburl" -qAtX -F ' | ' -c "SELECT calls, round((total_exec_time + total_plan_time)::numeric * 1000 / calls, 1) AS us_per_call,
        left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT 15" >&2
  fi
  sleep 1.5  # table statistics are sent at most once a second
  local dead; dead=$(psql "$dburl" -qAtX -c "SELECT sum(n_dead_tup) FROM pg_stat_user_tables WHERE schemaname = 'pushsync' AND relname IN ('changes', 'events')")
  kill -TERM "$sidecar"; wait "$sidecar" || true
  awk -v d="$db0" -v D="$db1" -v s="$sc0" -v S="$sc1" -v n="$changes" -v q="$statements" -v x="$dead" \
    'BEGIN { printf "%.2f %.2f %.2f %d\n", (D - d) * 1e6 / n, (S - s) * 1e6 / n, q / n, x }'
}

bench_rounds "db µs, sidecar µs, statements per change; outbox dead tuples"

echo "Drain cost at $rate changes/s from 4 writers, ${seconds}s, median of $rounds rounds ($(nproc) CPUs, $(date -u +%F))"
printf '%-20s %12s %14s %22s %20s\n' sidecar "db µs/change" "sidecar µs/change" "statements/change" "outbox dead tuples"
for name in "${names[@]}"; do
  col() { awk -v n="$name" -v c="$1" '$1 == n { print $c }' "$work/results" | median; }
  printf '%-20s %12.2f %14.2f %22.2f %20.0f\n' "$name" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)"
done
