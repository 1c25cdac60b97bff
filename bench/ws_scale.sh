#!/usr/bin/env bash
# The WebSocket channel at scale. BENCH_DEVICES (default: the open-files
# hard limit minus 500, said in the output) devices connect to sidecar A
# (spread over source addresses 127.0.0.2-9, every 10th offering the
# browser's subprotocols instead of the header), two more to sidecar B
# (database.claim: false, so every push reaches them through A's mailbox and
# NOTIFY). Measured by bench/ws_scale_client.js (the `ws` npm package, and
# the project's own clients/js for one device on each sidecar):
#   idle           sidecar A's CPU and the database's statements/s
#                  (pg_stat_statements), with no device and with all of them
#                  (BENCH_IDLE_SECONDS, default 10, measured BENCH_IDLE_WAIT
#                  seconds after the last device connected, default 3: pings
#                  come 10-20 s after a device was last heard from, so a
#                  window of 20 s from 25 s on holds every device's ping)
#   memory         A's RSS, and its growth per connected device
#   broadcast      one row change reaching every device: commit-to-receipt
#                  p50/p99/max (BENCH_BROADCASTS, default 3)
#   200 devices    one change for a tag 200 of the devices carry (20 of them)
#   one device     a change for one device (100, 150 ms apart), by the `ws`
#                  client and by clients/js
#   other replica  the same for the devices on B
# Commit time is the row's clock_timestamp(), carried in the push as "t",
# so the writer's commit (durable: the cluster keeps PostgreSQL's defaults;
# BENCH_ASYNC=1 sets synchronous_commit=off) is part of every figure.
# BENCH_BASELINE=<git revision> (or BENCH_BASELINE_BIN) runs that revision
# the same way after this one, in a database of its own.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" pushsync >/dev/null
command -v node >/dev/null || { apt-get install -y -qq nodejs npm >/dev/null; }
[ -d "$root/bench/node_modules/ws" ] || (cd "$root/bench" && npm install --silent --no-audit --no-fund >/dev/null 2>&1)
ulimit -n "$(ulimit -Hn)"
devices=${BENCH_DEVICES:-$(($(ulimit -Hn) - 500))}

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_preload_libraries=pg_stat_statements ${BENCH_ASYNC:+-c synchronous_commit=off}"
bench_databases "CREATE EXTENSION pg_stat_statements;
  CREATE TABLE bench_ws (id bigserial PRIMARY KEY, tag text NOT NULL, k text NOT NULL, t text NOT NULL)"
commit_mode=$([ -n "${BENCH_ASYNC:-}" ] && echo "synchronous_commit=off" || echo "durable commits")
echo "WebSocket channel, $devices devices on one sidecar (open-files hard limit $(ulimit -Hn) less 500 for the" \
  "client's own descriptors and the sidecar's reserve; $(nproc) CPUs, $(psql --version | cut -d' ' -f3)," \
  "$commit_mode, $(date +%F))"

config() {  # index claim? -> a config on a free port
  cat <<YAML
database:
  url: "$(url_of "${databases[$1]}")"
  claim: $2
  batch_pushes: ${BENCH_CHUNK:-2500}
http:
  listen: 127.0.0.1:0
  api_token: bench-token-0123456789
  max_connections: 256
log:
  level: info
tables:
  public.bench_ws:
    tags: ["{tag}"]
    payload:
      data: {k: "{k}", t: "{t}"}
YAML
}

start() {  # index name -> sets pid_<name> and port_<name>
  "${binaries[$1]}" run --config "$work/$2.yaml" 2>"$work/$2.log" &
  bench_pids+=("$!")
  eval "pid_$2=$!"
  for _ in $(seq 100); do grep -q "running:" "$work/$2.log" && break; sleep 0.1; done
  eval "port_$2=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/$2.log" | cut -d: -f2)"
}

run() {  # index -> the client's JSON line
  local i=$1 dburl; dburl=$(url_of "${databases[$i]}")
  config "$i" true >"$work/a.yaml"
  config "$i" false >"$work/b.yaml"
  "${binaries[$i]}" migrate --config "$work/a.yaml" 2>/dev/null
  psql "$dburl" -qX -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags, channel_secret_sha256)
         SELECT id, 'ws', '', tags, encode(sha256(convert_to('secret-' || id, 'UTF8')), 'hex') FROM (
           SELECT 'd' || i AS id, ARRAY['all', 'dev:' || i] || CASE WHEN i < 200 THEN ARRAY['group'] ELSE '{}' END AS tags
             FROM generate_series(0, $devices - 1) i
           UNION ALL VALUES ('js', ARRAY['js']), ('far', ARRAY['far']), ('farjs', ARRAY['farjs'])) d" \
    -c "VACUUM ANALYZE"
  start "$i" a
  start "$i" b
  grep -o "open files limit.*\|at most [0-9]* devices" "$work/a.log" | sed "s/^/${names[$i]}, sidecar A: /" >&2
  cat >"$work/client.json" <<JSON
{"url": "$dburl", "port_a": $port_a, "port_b": $port_b, "pid_a": $pid_a, "devices": $devices,
 "idle_seconds": ${BENCH_IDLE_SECONDS:-10}, "idle_wait_seconds": ${BENCH_IDLE_WAIT:-3}, "broadcasts": ${BENCH_BROADCASTS:-3}, "groups": ${BENCH_GROUPS:-20}, "singles": ${BENCH_SINGLES:-100},
 "js_client": "$root/clients/js/pushsync-client.js"}
JSON
  node "$root/bench/ws_scale_client.js" "$work/client.json"
  kill -TERM "$pid_a" "$pid_b" && wait "$pid_a" "$pid_b" 2>/dev/null || true
}

for i in "${!databases[@]}"; do
  result=$(run "$i")
  node -e '
const [name, json] = process.argv.slice(1);
const r = JSON.parse(json);
const f = (x) => x.toFixed(1);
const lat = (s) => `p50 ${s.p50_ms.toFixed(2)} ms, p99 ${s.p99_ms.toFixed(2)} ms, max ${s.max_ms.toFixed(2)} ms` +
  ` (client GC pause max ${s.gc_max_ms.toFixed(0)} ms)`;
console.log(`== ${name}`);
console.log(`connected in ${f(r.connect_seconds)} s; sidecar RSS ${f(r.rss_mb)} MB, ${f(r.kb_per_connection)} KB per device`);
console.log(`idle, no device:      sidecar CPU ${f(r.idle_without_devices.cpu_percent)} %, database ${f(r.idle_without_devices.statements_per_s)} statements/s`);
console.log(`idle, ${r.devices} devices: sidecar CPU ${f(r.idle_with_devices.cpu_percent)} %, database ${f(r.idle_with_devices.statements_per_s)} statements/s`);
for (const b of r.broadcast)
  console.log(`broadcast to all:     received ${b.received}, first ${f(b.min_ms)} ms, p50 ${f(b.p50_ms)} ms, p99 ${f(b.p99_ms)} ms, max ${f(b.max_ms)} ms`);
console.log(`to 200 devices:       received ${r.group.received}, ${lat(r.group)} (first frame p50 ${r.group_first.p50_ms.toFixed(2)} ms)`);
console.log(`one device, ws:       ${lat(r.one_device)}`);
console.log(`one device, js:       ${lat(r.one_device_js)}`);
console.log(`other replica, ws:    ${lat(r.other_replica)}`);
console.log(`other replica, js:    ${lat(r.other_replica_js)}`);
console.log(`frames: ${r.frames_received} received, ${r.duplicates} twice, ${r.lost} expected and not received`);
' "${names[$i]}" "$result"
done
