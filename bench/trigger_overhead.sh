#!/usr/bin/env bash
# What capturing changes costs the application's writers.
#
# pgbench inserts (4 clients) into identical tables of one throwaway cluster,
# the variants interleaved in every round so that drift hits all alike:
#   plain     no trigger
#   paused    pushsync's capture trigger, sidecar paused (SIGSTOP): the
#             trigger's own cost
#   captured  pushsync's capture trigger, the sidecar running and draining
#   row01     pushsync 0.1's capture trigger (FOR EACH ROW), for comparison
#             with today's statement triggers (bench/row_trigger_0.1.sql)
#   notify    the same outbox insert plus pg_notify in every transaction
#             (the naive design, for comparison)
# Each round gives TPS(variant) / TPS(plain) of that round; printed are the
# median ratio over the rounds and the mean TPS, for synchronous_commit on
# (durable: what apps run) and off (CPU-bound, where any cost shows most).
#   BENCH_SECONDS (default 10) per run, BENCH_ROUNDS (default 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-5}
clients=4
"$root/scripts/build.sh" >/dev/null

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c max_connections=50 -c shared_buffers=256MB"

for t in plain captured row01 notify; do
  db -c "CREATE TABLE bench_$t (id bigserial PRIMARY KEY, owner text NOT NULL, title text NOT NULL,
                                done boolean NOT NULL DEFAULT false)"
done
cat >"$work/pushsync.yaml" <<YAML
database:
  url: "$url"
  migrate: manual
delivery:
  dry_run: true
  dry_run_file: /dev/null
tables:
  public.bench_captured:
    watch: [title, done, owner]
    tags: ["user:{owner}"]
  public.bench_row01:
    watch: [title, done, owner]
    tags: ["user:{owner}"]
  public.bench_notify:
    tags: ["user:{owner}"]
YAML
sed 's/migrate: manual/migrate: auto/' "$work/pushsync.yaml" >"$work/migrate.yaml"
"$root/build/pushsync" migrate --config "$work/migrate.yaml" 2>/dev/null
for op in insert update delete; do db -c "DROP TRIGGER pushsync_capture_$op ON bench_row01"; done
sed 's/{{table}}/bench_row01/g' "$root/bench/row_trigger_0.1.sql" | db
# bench_notify: the same outbox row, but NOTIFY in every transaction.
db <<'SQL'
DROP TRIGGER pushsync_capture_insert ON bench_notify;
DROP TRIGGER pushsync_capture_update ON bench_notify;
DROP TRIGGER pushsync_capture_delete ON bench_notify;
CREATE FUNCTION bench_notify_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pushsync.changes (tbl, op, row_id, old_cols, new_cols, originator)
  VALUES ('public.bench_notify', lower(TG_OP), NEW.id::text, NULL, jsonb_build_object('owner', NEW.owner),
          nullif(current_setting('pushsync.originator', true), ''));
  PERFORM pg_notify('pushsync', '');
  RETURN NULL;
END $$;
CREATE TRIGGER bench_notify_capture AFTER INSERT ON bench_notify FOR EACH ROW EXECUTE FUNCTION bench_notify_capture();
INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
  SELECT 'device-' || g, 'ws', '', ARRAY['user:' || (g % 100)] FROM generate_series(1, 200) g;
SQL

"$root/build/pushsync" run --config "$work/pushsync.yaml" --log-level warn 2>"$work/sidecar.log" &
sidecar_pid=$!
bench_pids+=("$sidecar_pid")
sleep 1

tps() {  # tps TABLE -> transactions per second
  echo "INSERT INTO bench_$1 (owner, title) VALUES ((random() * 99)::int::text, 'a title of some length');" \
    >"$work/insert_$1.sql"
  pgbench "$url" -n -c "$clients" -j 2 -T "$seconds" -f "$work/insert_$1.sql" 2>/dev/null |
    sed -nE 's/^tps = ([0-9.]+).*/\1/p' | cut -d. -f1
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

drain() {  # waits until the sidecar emptied the outbox; prints seconds waited
  local start=$SECONDS
  until [ "$(db -c 'SELECT count(*) FROM pushsync.changes')" = 0 ]; do sleep 0.2; done
  # A drained backlog leaves dead rows: vacuumed now, not by autovacuum
  # during the next variant's run.
  db -c "VACUUM pushsync.changes" >/dev/null
  echo $((SECONDS - start))
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

run_variant() {  # run_variant VARIANT -> TPS; the outbox is drained afterwards
  local table=$1 result
  [ "$1" = paused ] && { table=captured; kill -STOP "$sidecar_pid"; }
  result=$(tps "$table")
  [ "$1" = paused ] && kill -CONT "$sidecar_pid"
  [ "$1" = plain ] || drain >/dev/null
  echo "$result"
}

echo "pushsync trigger overhead: $(nproc) cores, $(lscpu | sed -nE 's/^Model name: +//p' | head -1)," \
     "PostgreSQL $(db -c 'SHOW server_version'), $clients clients, ${seconds}s runs, $rounds rounds, $(date -u +%F)"
variants="plain paused captured row01 notify"
declare -A label=([plain]="no trigger" [paused]="capture trigger, sidecar paused"
                  [captured]="capture trigger, sidecar draining" [row01]="0.1's row trigger, sidecar draining"
                  [notify]="outbox insert + NOTIFY every transaction")
for commit in on off; do
  db -c "ALTER SYSTEM SET synchronous_commit = $commit" -c "SELECT pg_reload_conf()" >/dev/null
  declare -A sum=() ratios=()
  for v in $variants; do sum[$v]=0; ratios[$v]=""; done
  for round in $(seq "$rounds"); do
    declare -A got=()
    for v in $variants; do got[$v]=$(run_variant "$v"); sum[$v]=$((sum[$v] + got[$v])); done
    for v in $variants; do ratios[$v]="${ratios[$v]} $(ratio "${got[$v]}" "${got[plain]}")"; done
  done
  echo
  echo "synchronous_commit = $commit"
  printf '  %-44s %9s %14s\n' variant "mean TPS" "median ratio"
  for v in $variants; do
    printf '  %-44s %9d %14s   (rounds:%s)\n' "${label[$v]}" $((sum[$v] / rounds)) "$(median <<<"${ratios[$v]}")" "${ratios[$v]}"
  done
done
grep -iE "error|warn" "$work/sidecar.log" | head -5 || true
