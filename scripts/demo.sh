#!/usr/bin/env bash
# The demo: a throwaway PostgreSQL, the example to-do app, the sidecar with
# its HTTP API, and three simulated devices on the WebSocket channel. Each
# step changes rows as a user would; the script prints what every device
# receives and the one record the device then pulls.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
echo "Installing missing packages and building (the first run takes a few minutes)..."
"$root/scripts/build.sh" pushsync todo-client >/dev/null

work=$(mktemp -d /tmp/pushsync-demo-XXXXXX)
pgdir=$(mktemp -d /tmp/pushsync-demo-pg-XXXXXX)  # its own dir: as root it is handed to postgres
sidecar_pid=""
device_pids=()
cleanup() {
  [ ${#device_pids[@]} -eq 0 ] || kill -TERM "${device_pids[@]}" 2>/dev/null || true
  if [ -n "$sidecar_pid" ] && kill -0 "$sidecar_pid" 2>/dev/null; then kill -TERM "$sidecar_pid"; wait "$sidecar_pid" || true; fi
  "$root/scripts/pg-tmp.sh" stop "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT

if [ -t 1 ]; then bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }; else bold() { printf '\n%s\n' "$*"; }; fi
url=$("$root/scripts/pg-tmp.sh" start "$pgdir")
db() { psql "$url" -v ON_ERROR_STOP=1 -qAtX "$@"; }

bold "1. A throwaway PostgreSQL with the example to-do schema (examples/todo/schema.sql)"
db -f "$root/examples/todo/schema.sql"
echo "   $url"

bold "2. The sidecar, configured by examples/todo/pushsync.yaml (HTTP API and WebSocket channel on a free port)"
export DATABASE_URL="$url" PUSHSYNC_PORT=0 PUSHSYNC_API_TOKEN="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$root/build/pushsync" run --config "$root/examples/todo/pushsync.yaml" 2>"$work/sidecar.log" &
sidecar_pid=$!
for _ in $(seq 200); do grep -q "running:" "$work/sidecar.log" && break; sleep 0.05; done
port=$(sed -nE 's/.*HTTP API listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$work/sidecar.log")
[ -n "$port" ] || { cat "$work/sidecar.log"; exit 1; }
sed 's/^/   sidecar: /' "$work/sidecar.log"

bold "3. Three devices register through the HTTP API and connect to /v1/ws (examples/todo/client)"
start_device() {  # installation tag
  "$root/build/todo-client" --api "127.0.0.1:$port" --token "$PUSHSYNC_API_TOKEN" --installation "$1" \
    --tag "$2" --db "$url" >"$work/$1.log" 2>&1 &
  device_pids+=($!)
}
device_pids=()
devices=(ann-phone ann-tablet bob-web)
start_device ann-phone _email_ann@example.com
start_device ann-tablet _email_ann@example.com
start_device bob-web _email_bob@example.com
for d in "${devices[@]}"; do
  for _ in $(seq 200); do grep -q "listening" "$work/$d.log" && break; sleep 0.05; done
done
declare -A shown
for d in "${devices[@]}"; do sed 's/^/   /' "$work/$d.log"; shown[$d]=$(wc -l <"$work/$d.log"); done

# Waits until every change is delivered and acknowledged, then prints what
# each device printed since the last step: the push and the one record pulled.
show_devices() {
  for _ in $(seq 200); do
    [ "$(db -c 'SELECT (SELECT count(*) FROM pushsync.outbox) + (SELECT count(*) FROM pushsync.ws_mailbox)')" = 0 ] && break
    sleep 0.05
  done
  sleep 0.2  # the devices print after they pull
  local any=0
  for d in "${devices[@]}"; do
    local total; total=$(wc -l <"$work/$d.log")
    if [ "$total" -gt "${shown[$d]}" ]; then tail -n +$((shown[$d] + 1)) "$work/$d.log" | sed 's/^/   /'; any=1; fi
    shown[$d]=$total
  done
  [ $any = 1 ] || echo "   -> no device is notified"
}
step() {
  bold "$1"
  printf '   SQL: %s\n' "$2"
  db -c "$2" >/dev/null
  show_devices
}

step "4. Ann creates a list on her phone and shares it with Bob" \
  "BEGIN; SELECT pushsync.set_originator('ann-phone'); INSERT INTO lists (name, owner_email) VALUES ('Groceries', 'ann@example.com'); INSERT INTO list_members VALUES (1, 'bob@example.com'); COMMIT;"
step "5. Ann adds an item on her phone (the phone is the originator: only her tablet hears of it)" \
  "BEGIN; SELECT pushsync.set_originator('ann-phone'); INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'Buy milk', 'ann@example.com'); COMMIT;"
step "6. A server job touches updated_at, which no config watches" \
  "UPDATE todo_items SET updated_at = now();"
step "7. Bob, in his browser, ticks the item off" \
  "BEGIN; SET LOCAL pushsync.originator = 'bob-web'; UPDATE todo_items SET done = true WHERE id = 1; COMMIT;"
step "8. Ann hands the item to Bob from her tablet (old and new owner both hear of it)" \
  "BEGIN; SELECT pushsync.set_originator('ann-tablet'); UPDATE todo_items SET owner_email = 'bob@example.com' WHERE id = 1; COMMIT;"
step "9. A cleanup job deletes finished items" \
  "DELETE FROM todo_items WHERE done;"

bold "10. A RhoConnect backend pings Bob, unchanged but for the host (curl from the RhoConnect docs)"
echo "   curl -X POST -H \"X-RhoConnect-API-TOKEN: ...\" --data \"user_id=bob@example.com&message=Hello+Bob&sources[]=all&vibrate=2000\" http://127.0.0.1:$port/rc/v1/users/ping"
printf '   -> '
curl -sS -X POST -H "X-RhoConnect-API-TOKEN: $PUSHSYNC_API_TOKEN" \
  --data "user_id=bob@example.com&message=Hello+Bob&sources[]=all&vibrate=2000" "http://127.0.0.1:$port/rc/v1/users/ping"
show_devices

bold "11. Stopping the devices and the sidecar (SIGTERM), removing the cluster"
kill -TERM "${device_pids[@]}" 2>/dev/null || true
wait "${device_pids[@]}" 2>/dev/null || true
device_pids=()
kill -TERM "$sidecar_pid"
status=0
wait "$sidecar_pid" || status=$?
sidecar_pid=""
echo "   sidecar exited with status $status"
exit "$status"
