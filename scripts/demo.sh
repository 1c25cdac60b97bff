#!/usr/bin/env bash
# The demo: a throwaway PostgreSQL, the example to-do app, the sidecar, and
# three devices. Each step changes rows as a user would; the script prints
# what every device receives and the one record the device then pulls.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
echo "Installing missing packages and building (the first run takes a few minutes)..."
"$root/scripts/build.sh" >/dev/null

work=$(mktemp -d /tmp/pushsync-demo-XXXXXX)
pgdir=$(mktemp -d /tmp/pushsync-demo-pg-XXXXXX)  # its own dir: as root it is handed to postgres
sidecar_pid=""
cleanup() {
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

bold "2. The sidecar, configured by examples/todo/pushsync.yaml (dry run: pushes are printed, not sent)"
export DATABASE_URL="$url" PUSHSYNC_DRY_RUN_FILE="$work/pushes.jsonl"
: >"$PUSHSYNC_DRY_RUN_FILE"
"$root/build/pushsync" run --config "$root/examples/todo/pushsync.yaml" 2>"$work/sidecar.log" &
sidecar_pid=$!
for _ in $(seq 100); do
  [ "$(db -c "SELECT to_regclass('pushsync.installations') IS NOT NULL")" = t ] && break
  sleep 0.1
done
sed 's/^/   sidecar: /' "$work/sidecar.log"

bold "3. Three devices register (what the HTTP API will do; here plain SQL)"
db <<'SQL'
INSERT INTO pushsync.installations (installation_id, platform, push_channel, tags) VALUES
  ('ann-iphone', 'apns', '5f1e0c7a9b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f', '{_email_ann@example.com}'),
  ('ann-pixel',  'fcm',  'fcm:APA91bHun4MxP5egoKMwt2KZFBaFUH', '{_email_ann@example.com}'),
  ('bob-web',    'ws',   '', '{_email_bob@example.com}');
SQL
db -c "SELECT '   ' || installation_id || ' (' || platform || ') tags ' || array_to_string(tags, ',') FROM pushsync.installations"

shown=0
# Runs SQL as one user, waits until the outbox is empty, then prints each new
# push and the single record that device pulls because of it.
step() {
  local title=$1 sql=$2
  bold "$title"
  printf '   SQL: %s\n' "$sql"
  db -c "$sql" >/dev/null
  for _ in $(seq 100); do
    [ "$(db -c 'SELECT count(*) FROM pushsync.changes')" = 0 ] && break
    sleep 0.05
  done
  local lines
  lines=$(tail -n +$((shown + 1)) "$PUSHSYNC_DRY_RUN_FILE")
  if [ -z "$lines" ]; then echo "   -> no device is notified"; return; fi
  while IFS= read -r line; do
    shown=$((shown + 1))
    local device platform payload table id row
    device=$(sed -E 's/.*"installation":"([^"]*)".*/\1/' <<<"$line")
    platform=$(sed -E 's/^\{"platform":"([^"]*)".*/\1/' <<<"$line")
    payload=$(sed -E 's/.*"payload":(.*)\}$/\1/' <<<"$line")
    table=$(sed -E 's/.*"table":"([^"]*)".*/\1/' <<<"$payload")
    id=$(sed -E 's/.*"id":"([^"]*)".*/\1/' <<<"$payload")
    printf '   -> %s (%s) receives %s\n' "$device" "$platform" "$payload"
    row=$(db -c "SELECT row_to_json(t) FROM public.\"$table\" t WHERE id = '$id'")
    printf '      and pulls %s %s: %s\n' "$table" "$id" "${row:-(gone: deleted on the server)}"
  done <<<"$lines"
}

step "4. Ann creates a list on her iPhone and shares it with Bob" \
  "BEGIN; SELECT pushsync.set_originator('ann-iphone'); INSERT INTO lists (name, owner_email) VALUES ('Groceries', 'ann@example.com'); INSERT INTO list_members VALUES (1, 'bob@example.com'); COMMIT;"
step "5. Ann adds an item on her iPhone (her iPhone is the originator: only her Pixel hears of it)" \
  "BEGIN; SELECT pushsync.set_originator('ann-iphone'); INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'Buy milk', 'ann@example.com'); COMMIT;"
step "6. A server job touches updated_at, which no config watches" \
  "UPDATE todo_items SET updated_at = now();"
step "7. Bob, in his browser, ticks the item off" \
  "BEGIN; SET LOCAL pushsync.originator = 'bob-web'; UPDATE todo_items SET done = true WHERE id = 1; COMMIT;"
step "8. Ann hands the item to Bob from her Pixel (old and new owner both hear of it)" \
  "BEGIN; SELECT pushsync.set_originator('ann-pixel'); UPDATE todo_items SET owner_email = 'bob@example.com' WHERE id = 1; COMMIT;"
step "9. A cleanup job deletes finished items" \
  "DELETE FROM todo_items WHERE done;"

bold "10. Stopping the sidecar (SIGTERM) and removing the cluster"
kill -TERM "$sidecar_pid"
status=0
wait "$sidecar_pid" || status=$?
sidecar_pid=""
echo "   sidecar exited with status $status"
exit "$status"
