#!/usr/bin/env bash
# What capturing changes costs the application's writers.
#
# pgbench inserts (4 clients) into three identical tables of one throwaway
# cluster, rounds interleaved so drift hits all alike:
#   plain     no trigger
#   captured  pushsync's capture trigger, the sidecar running and draining
#   notify    the same outbox insert plus pg_notify in every transaction
#             (the naive design, for comparison)
# and prints TPS and TPS ÷ TPS(plain), for synchronous_commit on (durable,
# fsync-bound) and off (CPU-bound, where trigger cost shows most).
#   BENCH_SECONDS (default 15) per run, BENCH_ROUNDS (default 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_SECONDS:-15}
rounds=${BENCH_ROUNDS:-2}
clients=4
"$root/scripts/build.sh" >/dev/null

work=$(mktemp -d /tmp/pushsync-bench-XXXXXX)
pgdir=$(mktemp -d /tmp/pushsync-bench-pg-XXXXXX)
sidecar_pid=""
cleanup() {
  [ -n "$sidecar_pid" ] && kill -TERM "$sidecar_pid" 2>/dev/null && wait "$sidecar_pid" 2>/dev/null || true
  "$root/scripts/pg-tmp.sh" stop "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT

url=$(PG_TMP_OPTS="-c max_connections=50 -c shared_buffers=256MB" "$root/scripts/pg-tmp.sh" start "$pgdir")
db() { psql "$url" -v ON_ERROR_STOP=1 -qAtX "$@"; }

for t in plain captured notify; do
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
  public.bench_notify:
    tags: ["user:{owner}"]
YAML
sed 's/migrate: manual/migrate: auto/' "$work/pushsync.yaml" >"$work/migrate.yaml"
"$root/build/pushsync" migrate --config "$work/migrate.yaml" 2>/dev/null
# bench_notify: the same outbox row, but NOTIFY in every transaction.
db <<'SQL'
DROP TRIGGER pushsync_capture ON bench_notify;
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
  echo $((SECONDS - start))
}

echo "pushsync trigger overhead: $(nproc) cores, $(lscpu | sed -nE 's/^Model name: +//p' | head -1)," \
     "PostgreSQL $(db -c 'SHOW server_version'), $clients clients, ${seconds}s runs, $rounds rounds, $(date -u +%F)"
for commit in on off; do
  db -c "ALTER SYSTEM SET synchronous_commit = $commit" -c "SELECT pg_reload_conf()" >/dev/null
  declare -A sum=([plain]=0 [captured]=0 [notify]=0)
  waited=0
  for round in $(seq "$rounds"); do
    for t in plain captured notify; do
      sum[$t]=$((sum[$t] + $(tps $t)))
      [ $t = plain ] || waited=$((waited + $(drain)))
    done
  done
  plain=$((sum[plain] / rounds)); captured=$((sum[captured] / rounds)); notify=$((sum[notify] / rounds))
  echo
  echo "synchronous_commit = $commit"
  printf '  %-44s %8s %7s\n' variant TPS ratio
  printf '  %-44s %8d %7s\n' "no trigger" "$plain" "1.00"
  printf '  %-44s %8d %7s\n' "capture trigger, sidecar draining" "$captured" "$(ratio "$captured" "$plain")"
  printf '  %-44s %8d %7s\n' "outbox insert + NOTIFY every transaction" "$notify" "$(ratio "$notify" "$plain")"
  echo "  (outbox drained ${waited}s after the runs in total; backlog now $(db -c 'SELECT count(*) FROM pushsync.changes'))"
done
grep -iE "error|warn" "$work/sidecar.log" | head -5 || true
