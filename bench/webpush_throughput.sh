#!/usr/bin/env bash
# Web Push throughput: N pushes (default 20,000) from the outbox to the
# strict fake push service (tests/fakes/webpush: HTTP/2 and HTTP/1.1 over
# TLS, VAPID verified, every message decrypted with http_ece), side by side
# in the same run with the `web-push` npm library sending the same N
# payloads to the same fake:
#   pushsync   the sidecar (webpush.connections: 2, HTTP/2), from N row
#              changes to N browsers: routing, encryption, VAPID, settling
#   web-push   web-push 3.6.7's sendNotification, 500 in flight, HTTP/1.1
#              keep-alive agent of up to 64 sockets
# pushes/s is N over the fake's first-to-last accepted push; CPU is the
# sending process's user+system time per 10k pushes (the sidecar's includes
# routing and the outbox). The fake decrypts every message on one Node
# thread, so it can bound both senders' pushes/s: then CPU per push is the
# comparison that says what each sender costs. Variants alternate over
# BENCH_ROUNDS (default 3) rounds; medians are printed.
#   BENCH_PUSHES (default 20000), BENCH_ROUNDS (default 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_PUSHES:-20000}
rounds=${BENCH_ROUNDS:-3}
"$root/scripts/build.sh" >/dev/null
"$root/scripts/npm-ci.sh" "$root/tests/fakes/webpush"
[ -d "$root/bench/node_modules/web-push" ] ||
  (cd "$root/bench" && npm install --silent --no-audit --no-fund >/dev/null 2>&1)

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB -c synchronous_commit=off"
db -c "CREATE TABLE bench_items (id bigserial PRIMARY KEY, owner text NOT NULL)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/server.key" -out "$work/server.pem" 2>/dev/null
vapid_public=$("$root/build/pushsync" vapid-keys --out "$work/vapid.pem" | sed -n 's/.*vapid_public_key: "\(.*\)"/\1/p')

start_fake() {  # sets fake_out, port; writes N subscriptions to $work/subscriptions.jsonl
  exec {fake_out}< <(exec node "$root/tests/fakes/webpush/fake_push_service.mjs" --cert "$work/server.pem" \
    --key "$work/server.key" --count "$n" --subscriptions "$n" --server-key "$vapid_public" \
    --write "$work/subscriptions.jsonl")
  bench_pids+=("$!")
  local ready; read -r -u "$fake_out" ready
  port=$(json_field port <<<"$ready")
}
fake_result() { read -r -u "$fake_out" fake_line; exec {fake_out}<&-; echo "$(json_field seconds <<<"$fake_line") $(json_field cpu_seconds <<<"$fake_line")"; }

run_pushsync() {  # -> "seconds fake_cpu cpu"
  start_fake
  cat >"$work/pushsync.yaml" <<YAML
database:
  url: "$url"
  batch_size: 500
webpush:
  vapid_public_key: "$vapid_public"
  vapid_private_key_file: $work/vapid.pem
  subject: "mailto:bench@example.com"
  ca_file: $work/server.pem
  allowed_origins: ["127.0.0.1"]
log:
  level: warn
tables:
  public.bench_items:
    tags: ["user:{owner}"]
YAML
  "$root/build/pushsync" migrate --config "$work/pushsync.yaml" 2>/dev/null
  db -c "DELETE FROM pushsync.installations" -c "TRUNCATE bench_items, $(outbox_tables "$url") RESTART IDENTITY" \
     -c "CREATE TEMP TABLE s (n bigserial, subscription text)" \
     -c "\\copy s (subscription) FROM '$work/subscriptions.jsonl'" \
     -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
         SELECT 'browser' || n, 'webpush', subscription, ARRAY['user:u' || n] FROM s" \
     -c "INSERT INTO bench_items (owner) SELECT 'u' || i FROM generate_series(1, $n) i" -c "VACUUM ANALYZE" -c "CHECKPOINT"
  "$root/build/pushsync" run --config "$work/pushsync.yaml" 2>>"$work/sidecar.log" &
  local sidecar=$!
  bench_pids+=("$sidecar")
  local fake; fake=$(fake_result)
  local cpu; cpu=$(cpu_seconds "$sidecar")
  kill -TERM "$sidecar"; wait "$sidecar" || true
  echo "$fake $cpu"
}

run_web_push() {  # -> "seconds fake_cpu cpu"
  start_fake
  local out; out=$(cd "$root/bench" && NODE_EXTRA_CA_CERTS="$work/server.pem" \
    node webpush_sender.mjs "$work/subscriptions.jsonl" "$vapid_public" "$work/vapid.pem" "$n")
  [ "$(json_field failed <<<"$out")" = 0 ] || { echo "web-push: failures: $out" >&2; exit 1; }
  echo "$(fake_result) $(json_field cpu_seconds <<<"$out")"
}

for round in $(seq "$rounds"); do
  order=(pushsync web-push)
  [ $((round % 2)) = 0 ] && order=(web-push pushsync)
  for v in "${order[@]}"; do
    case "$v" in
      pushsync) r=$(run_pushsync) ;;
      web-push) r=$(run_web_push) ;;
    esac
    echo "$v $r" >>"$work/results"
    echo "round $round: $v: $r (seconds; CPU seconds of the fake, the sender)" >&2
  done
done

echo "Web Push throughput, $n pushes to the fake push service, median of $rounds rounds ($(nproc) CPUs, $(date -u +%F))"
printf '%-10s %10s %18s %16s\n' variant pushes/s "sender CPU s/10k" "fake CPU s/10k"
declare -A rate cpu
for v in pushsync web-push; do
  rate[$v]=$(awk -v v="$v" -v n="$n" '$1 == v { print n / $2 }' "$work/results" | median)
  cpu[$v]=$(awk -v v="$v" -v n="$n" '$1 == v { print $4 * 10000 / n }' "$work/results" | median)
  fake_cpu=$(awk -v v="$v" -v n="$n" '$1 == v { print $3 * 10000 / n }' "$work/results" | median)
  printf '%-10s %10.0f %18.3f %16.3f\n' "$v" "${rate[$v]}" "${cpu[$v]}" "$fake_cpu"
done
awk -v a="${rate[pushsync]}" -v b="${rate[web-push]}" 'BEGIN { printf "pushes/s, pushsync / web-push: %.2f\n", a / b }'
awk -v a="${cpu[pushsync]}" -v b="${cpu[web-push]}" 'BEGIN { printf "CPU per push, web-push / pushsync: %.2f\n", b / a }'
