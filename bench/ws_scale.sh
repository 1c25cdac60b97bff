#!/usr/bin/env bash
# The WebSocket channel at scale. BENCH_DEVICES (default: the open-files
# hard limit minus 500) devices connect to sidecar A (spread over source
# addresses 127.0.0.2-9), one more to sidecar B (database.claim: false, so
# every push reaches it through A's mailbox and NOTIFY). Measured by
# bench/ws_scale_client.js (the `ws` npm package):
#   idle           sidecar A's CPU and the database's statements/s
#                  (pg_stat_statements), with no device and with all of them
#   memory         A's RSS, and its growth per connected device
#   broadcast      one row change reaching every device: commit-to-receipt
#                  p50/p99/max (BENCH_BROADCASTS, default 3)
#   one device     a change for one device (100 of them, 150 ms apart)
#   other replica  a change for the device on B (100, 150 ms apart)
# Commit time is the row's clock_timestamp(), carried in the push as "t".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" pushsync >/dev/null
command -v node >/dev/null || { apt-get install -y -qq nodejs npm >/dev/null; }
[ -d "$root/bench/node_modules/ws" ] || (cd "$root/bench" && npm install --silent --no-audit --no-fund >/dev/null 2>&1)
ulimit -n "$(ulimit -Hn)"
devices=${BENCH_DEVICES:-$(($(ulimit -Hn) - 500))}

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_preload_libraries=pg_stat_statements -c synchronous_commit=off"
db -c "CREATE EXTENSION pg_stat_statements" \
   -c "CREATE TABLE bench_ws (id bigserial PRIMARY KEY, tag text NOT NULL, k text NOT NULL, t text NOT NULL)"

config() {  # claim? -> a config on a free port
  cat <<YAML
database:
  url: "$url"
  claim: $1
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
config true >"$work/a.yaml"
config false >"$work/b.yaml"
"$root/build/pushsync" migrate --config "$work/a.yaml" 2>/dev/null
db -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags, channel_secret_sha256)
       SELECT id, 'ws', '', tags, encode(sha256(convert_to('secret-' || id, 'UTF8')), 'hex') FROM (
         SELECT 'd' || i AS id, ARRAY['all', 'dev:' || i] AS tags FROM generate_series(0, $devices - 1) i
         UNION ALL SELECT 'far', ARRAY['far']) d" -c "VACUUM ANALYZE"

start() {  # name -> sets pid_<name> and port_<name>
  "$root/build/pushsync" run --config "$work/$1.yaml" 2>"$work/$1.log" &
  bench_pids+=("$!")
  eval "pid_$1=$!"
  for _ in $(seq 100); do grep -q "running:" "$work/$1.log" && break; sleep 0.1; done
  eval "port_$1=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/$1.log" | cut -d: -f2)"
}
start a
start b
grep -o "open files limit.*\|at most [0-9]* devices" "$work/a.log" | sed 's/^/sidecar A: /'

cat >"$work/client.json" <<JSON
{"url": "$url", "port_a": $port_a, "port_b": $port_b, "pid_a": $pid_a, "devices": $devices,
 "idle_seconds": ${BENCH_IDLE_SECONDS:-10}, "broadcasts": ${BENCH_BROADCASTS:-3}, "singles": 100}
JSON
result=$(node "$root/bench/ws_scale_client.js" "$work/client.json")
echo "WebSocket channel, $devices devices on one sidecar ($(nproc) CPUs, $(psql --version | cut -d' ' -f3), $(date +%F))"
node -e '
const r = JSON.parse(process.argv[1]);
const f = (x) => x.toFixed(1);
console.log(`connected in ${f(r.connect_seconds)} s; sidecar RSS ${f(r.rss_mb)} MB, ${f(r.kb_per_connection)} KB per device`);
console.log(`idle, no device:      sidecar CPU ${f(r.idle_without_devices.cpu_percent)} %, database ${f(r.idle_without_devices.statements_per_s)} statements/s`);
console.log(`idle, ${r.devices} devices: sidecar CPU ${f(r.idle_with_devices.cpu_percent)} %, database ${f(r.idle_with_devices.statements_per_s)} statements/s`);
for (const b of r.broadcast)
  console.log(`broadcast to all:     received ${b.received}, first ${f(b.min_ms)} ms, p50 ${f(b.p50_ms)} ms, p99 ${f(b.p99_ms)} ms, max ${f(b.max_ms)} ms`);
const o = r.one_device, x = r.other_replica;
console.log(`one device:           p50 ${o.p50_ms.toFixed(2)} ms, p99 ${o.p99_ms.toFixed(2)} ms, max ${o.max_ms.toFixed(2)} ms`);
console.log(`other replica:        p50 ${x.p50_ms.toFixed(2)} ms, p99 ${x.p99_ms.toFixed(2)} ms, max ${x.max_ms.toFixed(2)} ms`);
' "$result"
