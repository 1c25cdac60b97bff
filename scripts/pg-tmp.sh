#!/usr/bin/env bash
# A throwaway PostgreSQL cluster: initdb into DIR, Unix socket in DIR, no TCP.
#   pg-tmp.sh start DIR   prints the libpq connection string on stdout
#   pg-tmp.sh stop DIR    stops the cluster and removes DIR
#   pg-tmp.sh down DIR    stops the server, keeps the cluster (tests: outage)
#   pg-tmp.sh up DIR      starts it again on the same socket
#   pg-tmp.sh restart DIR stop (whatever a killed run left there), then start
# As root it runs the server as the `postgres` user (initdb refuses root).
# PG_TMP_OPTS adds server options, e.g. "-c fsync=off" for tests.
# initdb runs once per user and PostgreSQL version into a template
# (PG_TMP_TEMPLATE, default $TMPDIR/pushsync-pg-template-UID-VERSION); each
# cluster is a copy of it (0.1 s instead of about a second of initdb).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg-tmp: no PostgreSQL server found; run scripts/install-deps.sh" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg-tmp.sh start|stop|down|up|restart DIR" >&2; exit 2; }

server_up() {
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k '$dir' -p $(cat "$dir/port") ${PG_TMP_OPTS:-}" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
}

version=$(basename "$(dirname "$bindir")")
template=${PG_TMP_TEMPLATE:-${TMPDIR:-/tmp}/pushsync-pg-template-$(id -u)-$version}

# The template is made under a lock by the first cluster that needs it,
# into a scratch directory renamed into place only once initdb succeeded.
make_template() {
  local owner; owner=$(id -un); [ "$(id -u)" -eq 0 ] && owner=postgres
  if [ -e "$template" ] && [ "$(stat -c %U "$template")" != "$owner" ]; then
    echo "pg-tmp: $template is not owned by $owner; remove it or set PG_TMP_TEMPLATE" >&2; exit 1
  fi
  [ -f "$template/ready" ] && return
  exec {lock}>"$template.lock"
  flock "$lock"
  if [ ! -f "$template/ready" ]; then
    rm -rf "$template" "$template.new"
    mkdir -m 755 "$template.new"
    chown "$owner" "$template.new"
    as_owner "$bindir/initdb" -D "$template.new/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$template.new/initdb.log" 2>&1 || { cat "$template.new/initdb.log" >&2; rm -rf "$template.new"; exit 1; }
    touch "$template.new/ready"
    mv "$template.new" "$template"
  fi
  exec {lock}>&-
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$dir"
      runuser -u postgres -- test -w "$dir" ||
        { echo "pg-tmp: user postgres cannot reach $dir (a parent directory is private)" >&2; exit 1; }
    fi
    echo $((20000 + RANDOM % 30000)) >"$dir/port"
    make_template
    cp -a "$template/data" "$dir/data"
    server_up
    echo "host=$dir port=$(cat "$dir/port") user=postgres dbname=postgres"
    ;;
  down) as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
  up) server_up ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  restart) "$0" stop "$dir" && exec "$0" start "$dir" ;;
  *) echo "usage: pg-tmp.sh start|stop|down|up|restart DIR" >&2; exit 2 ;;
esac
