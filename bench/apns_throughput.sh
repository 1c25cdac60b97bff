#!/usr/bin/env bash
# APNs throughput: N pushes (default 100k) from the outbox to the fake APNs
# (tests/fakes, real HTTP/2 over TLS, JWT checked), side by side in the same
# run with @parse/node-apn sending the same N pushes to the same fake:
#   pushsync-1   the sidecar, apns.connections: 1
#   pushsync-2   the sidecar, apns.connections: 2 (the default pool)
#   node-apn-1   @parse/node-apn Provider (one HTTP/2 client)
#   node-apn-2   @parse/node-apn MultiProvider, clientCount 2
#   pushsync-fcm-1  the sidecar sending the same pushes to the fake FCM
#                (OAuth token endpoint + FCM v1), fcm.connections: 1
#   consoles-1   pushsync-1 with the HTTP API on and BENCH_CONSOLES (default
#                10) consoles open (bench/console_pollers.mjs: what the page
#                asks every 2 s); compared with pushsync-1 round by round
#   baseline-1   with BENCH_BASELINE=<git revision>: that revision's sidecar
#                (built into the work dir), apns.connections: 1, in a
#                database of its own, for a side-by-side before/after
# pushes/s is N over the fake's first-to-last request; CPU is the sending
# process's user+system time per 10k pushes (the sidecar's includes routing
# and outbox settling); database CPU is what the cluster's processes used
# meanwhile (claims, installation lookups, settling). The variants
# are interleaved over BENCH_ROUNDS (default 5) rounds; medians are printed
# (a pushsync run lasts about 2 s, so one slow second of the VM moves a
# round: more rounds, steadier medians).
#   BENCH_PUSHES (default 100000), BENCH_ROUNDS (default 5),
#   BENCH_VARIANTS (default: all five, and baseline-1 with BENCH_BASELINE),
#   BENCH_INSERT (statement: the N rows come from one INSERT; rows: N INSERTs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${BENCH_PUSHES:-100000}
rounds=${BENCH_ROUNDS:-5}
"$root/scripts/build.sh" >/dev/null
command -v node >/dev/null || { apt-get install -y -qq nodejs npm >/dev/null; }
[ -d "$root/bench/node_modules/@parse/node-apn" ] ||
  (cd "$root/bench" && npm install --silent --no-audit --no-fund >/dev/null 2>&1)

. "$root/bench/bench_lib.sh"
bench_start_cluster "-c shared_buffers=256MB -c synchronous_commit=off"
db -c "CREATE TABLE bench_items (id bigserial PRIMARY KEY, owner text NOT NULL)"
baseline_url=""
if [ -n "${BENCH_BASELINE:-}" ]; then
  bench_baseline_binary
  db -c "CREATE DATABASE baseline"
  baseline_url=$(url_of baseline)
  psql "$baseline_url" -qX -c "CREATE TABLE bench_items (id bigserial PRIMARY KEY, owner text NOT NULL)"
fi

fake_result() { bench_fake_result; fake="$(json_field seconds <<<"$fake_line") $(json_field cpu_seconds <<<"$fake_line")"; }

# The N changes: one INSERT of N rows (a statement), or N one-row INSERTs
# (BENCH_INSERT=rows: N statements, as many small transactions would make).
if [ "${BENCH_INSERT:-statement}" = rows ]; then
  insert_rows="DO \$\$ BEGIN FOR i IN 1..$n LOOP INSERT INTO bench_items (owner) VALUES ('u' || i); END LOOP; END \$\$"
else
  insert_rows="INSERT INTO bench_items (owner) SELECT 'u' || i FROM generate_series(1, $n) i"
fi

run_pushsync() {  # apns|fcm connections [binary url consoles] -> "seconds fake_cpu cpu db_cpu"
  local binary=${3:-$root/build/pushsync} dburl=${4:-$url} consoles=${5:-0} http="" http_port
  if [ "$consoles" -gt 0 ]; then
    http_port=$((20000 + RANDOM % 20000))
    http="http:
  listen: 127.0.0.1:$http_port
  api_token: bench-console-token"
  fi
  bench_start_fake "$1" "$n"
  if [ "$1" = apns ]; then
    provider="$(bench_apns_yaml)
  connections: $2"
  else
    provider="fcm:
  service_account_file: $account
  endpoint: https://127.0.0.1:$port
  ca_file: $ca
  connections: $2"
  fi
  cat >"$work/pushsync.yaml" <<YAML
database:
  url: "$dburl"
  batch_size: ${BENCH_BATCH:-500}
$provider
$http
log:
  level: warn
tables:
  public.bench_items:
    tags: ["user:{owner}"]
YAML
  "$binary" migrate --config "$work/pushsync.yaml" 2>/dev/null
  psql "$dburl" -v ON_ERROR_STOP=1 -qAtX -c "DELETE FROM pushsync.installations" -c "TRUNCATE bench_items, $(outbox_tables "$dburl") RESTART IDENTITY" \
     -c "INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags)
         SELECT 'dev' || i, '$1', lpad(to_hex(i), 64, '0'), ARRAY['user:u' || i] FROM generate_series(1, $n) i" \
     -c "$insert_rows" -c "VACUUM ANALYZE" -c "CHECKPOINT"
  local db_before; db_before=$(db_cpu_seconds)
  "$binary" run --config "$work/pushsync.yaml" 2>>"$work/sidecar.log" &
  local sidecar=$!
  bench_pids+=("$sidecar")
  local pollers=""
  if [ "$consoles" -gt 0 ]; then
    node "$root/bench/console_pollers.mjs" "$http_port" bench-console-token "$consoles" &
    pollers=$!
    bench_pids+=("$pollers")
  fi
  fake_result
  [ -z "$pollers" ] || kill "$pollers"
  local cpu; cpu=$(cpu_seconds "$sidecar")
  local db_used; db_used=$(awk -v a="$db_before" -v b="$(db_cpu_seconds)" 'BEGIN { print b - a }')
  kill -TERM "$sidecar"; wait "$sidecar" || true
  echo "$fake $cpu $db_used"
}

run_node() {  # clients -> "seconds fake_cpu cpu db_cpu"
  bench_start_fake apns "$n"
  local out; out=$(node "$root/bench/node_apn_client.js" "$port" "$ca" "$key" "$n" "$1")
  fake_result
  [ "$(echo "$out" | json_field failed)" = 0 ] || { echo "node-apn: failures: $out" >&2; exit 1; }
  echo "$fake $(echo "$out" | json_field cpu_seconds) 0"
}

# Each pushsync variant runs right before the node-apn one it is divided by:
# the VM's speed drifts over tens of seconds.
default_variants="pushsync-1 node-apn-1 pushsync-2 node-apn-2 pushsync-fcm-1${BENCH_BASELINE:+ baseline-1}"
read -ra variants <<<"${BENCH_VARIANTS:-$default_variants}"
for round in $(seq "$rounds"); do
  order=("${variants[@]}")
  # Every other round runs the variants in reverse (A B, B A, ...), so that
  # neither side of a pair always runs first.
  if [ $((round % 2)) = 0 ]; then
    order=(); for ((k = ${#variants[@]} - 1; k >= 0; k--)); do order+=("${variants[k]}"); done
  fi
  for v in "${order[@]}"; do
    case "$v" in
      pushsync-fcm-*) r=$(run_pushsync fcm "${v#pushsync-fcm-}") ;;
      baseline-*) r=$(run_pushsync apns "${v#baseline-}" "$baseline_bin" "$baseline_url") ;;
      consoles-*) r=$(run_pushsync apns "${v#consoles-}" "$root/build/pushsync" "$url" "${BENCH_CONSOLES:-10}") ;;
      pushsync-*) r=$(run_pushsync apns "${v#pushsync-}") ;;
      node-apn-*) r=$(run_node "${v#node-apn-}") ;;
    esac
    echo "$v $r" >>"$work/results"
    echo "round $round: $v: $r (seconds; CPU seconds of the fake, the sender, the database)" >&2
  done
done

echo "Push throughput, $n pushes to the fake APNs (and FCM), median of $rounds rounds ($(nproc) CPUs, $(date -u +%F))"
printf '%-15s %10s %18s %18s %16s\n' variant pushes/s "sender CPU s/10k" "database CPU s/10k" "fake CPU s/10k"
declare -A rate
declare -A cpu
for v in "${variants[@]}"; do
  rate[$v]=$(awk -v v="$v" -v n="$n" '$1 == v { print n / $2 }' "$work/results" | median)
  cpu[$v]=$(awk -v v="$v" -v n="$n" '$1 == v { print $4 * 10000 / n }' "$work/results" | median)
  fake_cpu=$(awk -v v="$v" -v n="$n" '$1 == v { print $3 * 10000 / n }' "$work/results" | median)
  db_cpu=$(awk -v v="$v" -v n="$n" '$1 == v { print $5 * 10000 / n }' "$work/results" | median)
  printf '%-15s %10.0f %18.3f %18.3f %16.3f\n' "$v" "${rate[$v]}" "${cpu[$v]}" "$db_cpu" "$fake_cpu"
done
# The ratio of each round (the VM's speed drifts between rounds), then the median.
round_ratios() {  # pushsync-variant node-variant -> one ratio per line
  awk -v p="$1" -v q="$2" '$1 == p { ps[++i] = $2 } $1 == q { ns[++j] = $2 } END { for (k = 1; k <= i; k++) print ns[k] / ps[k] }' \
    "$work/results"
}
ratio_line() {  # pushsync-variant node-variant label
  echo "pushes/s, pushsync / node-apn, $3: median $(round_ratios "$1" "$2" | median | xargs printf '%.2f')" \
       "(rounds: $(round_ratios "$1" "$2" | xargs printf '%.2f ' | sed 's/ $//'))"
}
ran() { [[ " ${variants[*]} " == *" $1 "* ]]; }
if ran pushsync-1 && ran node-apn-1; then
  ratio_line pushsync-1 node-apn-1 "one connection"
  awk -v a="${cpu[pushsync-1]}" -v b="${cpu[node-apn-1]}" \
    'BEGIN { printf "CPU per push, node-apn / pushsync (one connection): %.2f\n", b / a }'
fi
if ran pushsync-2 && ran node-apn-2; then ratio_line pushsync-2 node-apn-2 "pool of two"; fi
if ran pushsync-1 && ran consoles-1; then
  echo "pushes/s, with ${BENCH_CONSOLES:-10} consoles open / without (one connection): median" \
       "$(round_ratios consoles-1 pushsync-1 | median | xargs printf '%.2f')" \
       "(rounds: $(round_ratios consoles-1 pushsync-1 | xargs printf '%.2f ' | sed 's/ $//'))"
fi
if ran pushsync-1 && ran baseline-1; then
  echo "pushes/s, this revision / $BENCH_BASELINE (one connection): median" \
       "$(awk '$1 == "baseline-1" { b[++i] = $2 } $1 == "pushsync-1" { p[++j] = $2 } END { for (k = 1; k <= i; k++) print b[k] / p[k] }' "$work/results" | median | xargs printf '%.2f')"
fi
