#!/usr/bin/env bash
# HTTP API requests/s, with wrk (Debian) against a running sidecar and a
# throwaway cluster, the variants interleaved in every round:
#   healthz  GET /healthz: HTTP only, the ceiling of the server itself
#   put      PUT /v1/installations/{new id}: validation + one upsert
#            transaction (synchronous commit: the 201 means stored)
#   push     POST /v1/push: validation + device count + outbox insert, while
#            the sidecar delivers those pushes (dry run) on its other thread
#   sql-put  the same upsert by pgbench over 4 connections, as many as the
#            API's http.db_connections: what the database alone allows
# Printed: median requests/s over the rounds and the ratios of the medians.
#   BENCH_SECONDS (default 5) per run, BENCH_ROUNDS (default 3),
#   BENCH_CONNECTIONS (default 32) wrk connections.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-32}
"$root/scripts/build.sh" >/dev/null
command -v wrk >/dev/null || {
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq wrk >/dev/null
}

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c max_connections=50 -c shared_buffers=256MB"
db -c "CREATE TABLE items (id bigserial PRIMARY KEY, owner text)"
export PUSHSYNC_API_TOKEN="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$work/pushsync.yaml" <<YAML
database:
  url: "$url"
http:
  listen: 127.0.0.1:0
  api_token: \${PUSHSYNC_API_TOKEN}
delivery:
  dry_run: true
  dry_run_file: /dev/null
tables:
  public.items:
    tags: ["user:{owner}"]
YAML
"$root/build/pushsync" run --config "$work/pushsync.yaml" 2>"$work/sidecar.log" &
bench_pids+=($!)
for _ in $(seq 200); do grep -q "running:" "$work/sidecar.log" && break; sleep 0.05; done
port=$(sed -nE 's/.*HTTP API listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/sidecar.log")
[ -n "$port" ] || { echo "the sidecar is not listening"; cat "$work/sidecar.log"; exit 1; }
base="http://127.0.0.1:$port"
# 1000 users with one device each, for the pushes to reach.
db -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
       SELECT 'seed-' || n, 'fcm', 'seed-tok-' || n, ARRAY['user:' || n] FROM generate_series(0, 999) n"

# The upsert PUT runs, for pgbench (4 connections, like the API's).
cat >"$work/put.sql" <<'SQL'
\set n random(1, 1000000000)
BEGIN;
DELETE FROM pushsync.installations WHERE platform = 'fcm' AND push_channel = 'sql-' || :n AND installation_id <> 'sql-' || :n;
INSERT INTO pushsync.installations AS i (installation_id, platform, push_channel, tags, channel_secret_sha256)
  VALUES ('sql-' || :n, 'fcm', 'sql-' || :n, ARRAY['user:1', 'team:1'], NULL)
  ON CONFLICT (installation_id) DO UPDATE SET platform = EXCLUDED.platform, push_channel = EXCLUDED.push_channel,
  tags = EXCLUDED.tags, updated_at = now(), disabled_at = NULL, last_error = NULL
  RETURNING (xmax = 0), installation_id, platform, push_channel, array_to_json(tags)::text, created_at, updated_at, disabled_at;
COMMIT;
SQL

run_wrk() {  # variant -> requests/s
  local out
  case $1 in
    healthz) out=$(wrk -t1 -c"$connections" -d"${seconds}s" "$base/healthz") ;;
    put) out=$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$root/bench/api_put.lua" "$base") ;;
    push) out=$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$root/bench/api_push.lua" "$base") ;;
  esac
  if grep -q "Non-2xx" <<<"$out"; then echo "$1: some requests failed:" >&2; echo "$out" >&2; exit 1; fi
  awk '/^Requests\/sec/ {print $2}' <<<"$out"
}
run_pgbench() {
  pgbench -n -c 4 -j 1 -T "$seconds" -f "$work/put.sql" "$url" 2>/dev/null | awk '/^tps/ {print $3; exit}'
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

declare -A results
for round in $(seq "$rounds"); do
  for variant in healthz put push sql-put; do
    if [ "$variant" = sql-put ]; then r=$(run_pgbench); else r=$(run_wrk "$variant"); fi
    results[$variant]+="$r "
    printf 'round %d %-8s %10.0f req/s\n' "$round" "$variant" "$r" >&2
  done
  # Let the sidecar drain the queued pushes before the next round.
  for _ in $(seq 600); do [ "$(outbox_left "$url")" = 0 ] && break; sleep 0.1; done
done

declare -A med
for variant in healthz put push sql-put; do med[$variant]=$(tr ' ' '\n' <<<"${results[$variant]}" | grep . | median); done
echo
echo "HTTP API, wrk $connections connections, ${seconds}s x $rounds rounds, medians ($(nproc) cores)"
printf '  %-36s %10.0f req/s\n' "GET /healthz" "${med[healthz]}"
printf '  %-36s %10.0f req/s\n' "PUT /v1/installations/{id}" "${med[put]}"
printf '  %-36s %10.0f req/s\n' "POST /v1/push" "${med[push]}"
printf '  %-36s %10.0f tps\n' "same upsert, pgbench, 4 connections" "${med[sql-put]}"
awk -v p="${med[put]}" -v s="${med[sql-put]}" -v h="${med[healthz]}" -v q="${med[push]}" 'BEGIN {
  printf "  PUT / pgbench upsert                 %10.2f\n", p / s
  printf "  PUT / healthz                        %10.2f\n", p / h
  printf "  push / healthz                       %10.2f\n", q / h }'
