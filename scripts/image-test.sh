#!/usr/bin/env bash
# Opt-in image test (not part of scripts/test.sh): builds the pushsync image
# and uses it as a new user would, against a throwaway PostgreSQL on the host.
#   scripts/image-test.sh
# Uses docker when a Docker engine answers, podman otherwise (installed from
# Debian if missing). When no registry is reachable, the Dockerfile's base
# images (debian:12, debian:12-slim) are made locally with debootstrap from
# this machine's apt sources. Prints the image size and start-up time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
image=pushsync:test
work=$(mktemp -d /tmp/pushsync-image-test.XXXXXX)
chmod 755 "$work"
container=""
say() { printf '\n== %s\n' "$*"; }
fail() { echo "image-test: FAILED: $*" >&2; [ -n "$container" ] && $engine logs "$container" >&2 || true; exit 1; }

cleanup() {
  [ -n "$container" ] && $engine rm -f "$container" >/dev/null 2>&1 || true
  "$root/scripts/pg-tmp.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
install_packages() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# --- the engine ------------------------------------------------------------
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  engine=docker; build_opts=(); run_opts=(--network host)
else
  install_packages podman runc debootstrap uidmap
  engine=podman
  # A sandbox like this machine's allows neither the default ulimits nor
  # crun's cgroup setup nor a network namespace for builds.
  printf '[containers]\ndefault_ulimits = []\n' >"$work/containers.conf"
  export CONTAINERS_CONF="$work/containers.conf"
  build_opts=(--isolation chroot --format docker)  # OCI images have no HEALTHCHECK
  run_opts=(--runtime /usr/bin/runc --network host)
fi
echo "engine: $engine"
"$root/scripts/install-deps.sh"  # the host side: PostgreSQL for the throwaway cluster, curl

# --- base images -----------------------------------------------------------
# Each FROM name must exist locally or be pullable; otherwise debootstrap it.
apt_mirror() {
  local uri
  uri=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')
  echo "${uri:-http://deb.debian.org/debian}"
}
# What Docker's official Debian images add to a debootstrap: apt keeps no
# .debs or caches; -slim also leaves out docs, man pages and translations.
make_docker_like() {
  local rootfs=$1
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
}
make_slim() {
  local rootfs=$1
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
DPKG
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{groff,info,linda,lintian/overrides,locale,man}/*
}
# Every FROM name must exist locally or be pullable; otherwise debootstrap
# Debian 12 once and tag it under both names (debian:12, debian:12-slim).
ensure_base() {
  local name=$1
  $engine image inspect "$name" >/dev/null 2>&1 && return 0
  timeout 60 $engine pull "$name" >/dev/null 2>&1 && return 0
  if ! $engine image inspect pushsync-local/debian:12-slim >/dev/null 2>&1; then
    say "no registry: building the Debian 12 base with debootstrap from $(apt_mirror)"
    local rootfs="$work/rootfs"
    $sudo debootstrap --variant=minbase bookworm "$rootfs" "$(apt_mirror)" >"$work/debootstrap.log" 2>&1 ||
      { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap"; }
    make_docker_like "$rootfs"
    $sudo tar -C "$rootfs" -c . | $engine import - pushsync-local/debian:12 >/dev/null
    make_slim "$rootfs"
    $sudo tar -C "$rootfs" -c . | $engine import - pushsync-local/debian:12-slim >/dev/null
    $sudo rm -rf "$rootfs"
  fi
  case "$name" in
    *-slim) $engine tag pushsync-local/debian:12-slim "$name" ;;
    *) $engine tag pushsync-local/debian:12 "$name" ;;
  esac
}
for base in $(awk 'toupper($1) == "FROM" {print $2}' Dockerfile | sort -u); do ensure_base "$base"; done

# --- build -----------------------------------------------------------------
say "building $image"
start=$(date +%s)
$engine build "${build_opts[@]}" -t "$image" . >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; fail "build"; }
build_seconds=$(( $(date +%s) - start ))
size=$($engine image inspect --format '{{.Size}}' "$image")
echo "built in ${build_seconds} s; image size $((size / 1000000)) MB"

# --- a database, a config and secrets as a user has them --------------------
say "throwaway PostgreSQL on the host, the todo example's schema"
url=$("$root/scripts/pg-tmp.sh" start "$work/pg")
psql -q -v ON_ERROR_STOP=1 "$url" -f examples/todo/schema.sql >/dev/null
port=$((20000 + RANDOM % 30000))
token=image-test-token-$RANDOM$RANDOM
mkdir -p "$work/etc" "$work/secrets"
printf '%s\n' "$token" >"$work/secrets/api_token"
cat >"$work/etc/pushsync.yaml" <<YAML
database:
  url: \${DATABASE_URL}
http:
  listen: 127.0.0.1:$port
  api_token_file: /run/secrets/api_token
delivery:
  dry_run: true    # pushes are written to stdout as JSON lines
users:
  tag: "_email_{user_id}"
tables:
  public.todo_items:
    tags: ["_email_{owner_email}"]
    payload:
      data: {title: "{title}"}
YAML
uid=$($engine image inspect --format '{{.Config.User}}' "$image" | cut -d: -f1)
[[ "$uid" =~ ^[0-9]+$ ]] || fail "USER is \"$uid\", not numeric"
echo "image user: $uid"
# Config and secrets 0600, as on a host; first owned by root: a clear error.
chmod 600 "$work/etc/pushsync.yaml" "$work/secrets/api_token"
# run [engine options...] -- [pushsync arguments...]
run() {
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  $engine run "${run_opts[@]}" "${opts[@]}" \
    -e DATABASE_URL="$url" -v "$work/pg:$work/pg" \
    -v "$work/etc:/etc/pushsync:ro" -v "$work/secrets:/run/secrets:ro" "$image" "$@"
}

say "a config the image's user cannot read"
set +e
denied=$(run --rm -- check 2>&1); code=$?
set -e
echo "$denied"
[ $code -eq 2 ] || fail "check exited $code, not 2"
grep -q "permission denied (pushsync runs as uid $uid" <<<"$denied" || fail "no permission-denied message with the uid"
chown -R "$uid:$uid" "$work/etc" "$work/secrets"

# --- run -------------------------------------------------------------------
say "pushsync run (migrations from inside), readiness, HEALTHCHECK"
start_ns=$(date +%s%N)
container=$(run -d --name "pushsync-image-test-$$" -- run)
api="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$api/readyz")" = 200 ] && break
  sleep 0.05
done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
[ "$(curl -s -o /dev/null -w '%{http_code}' "$api/readyz")" = 200 ] || fail "/readyz never answered 200"
echo "ready ${ready_ms} ms after \`$engine run\`"
$engine exec "$container" /usr/local/bin/pushsync probe --ready || fail "probe --ready in the container"
if [ "$engine" = podman ]; then
  $engine healthcheck run "$container" && echo "HEALTHCHECK: healthy" || fail "HEALTHCHECK"
else
  for _ in $(seq 1 30); do
    [ "$(docker inspect --format '{{.State.Health.Status}}' "$container")" = healthy ] && break; sleep 1
  done
  [ "$(docker inspect --format '{{.State.Health.Status}}' "$container")" = healthy ] || fail "HEALTHCHECK"
  echo "HEALTHCHECK: healthy"
fi

say "register a device, change a row, see the push"
curl -sf -X PUT "$api/v1/installations/ann-phone" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"platform":"ws","tags":["_email_ann@example.com"]}' >/dev/null ||
  fail "PUT /v1/installations"
psql -q "$url" -c "INSERT INTO lists (name, owner_email) VALUES ('home', 'ann@example.com');
  INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'image test', 'ann@example.com')"
for _ in $(seq 1 100); do
  $engine logs "$container" 2>/dev/null | grep -q '"title":"image test"' && break; sleep 0.1
done
$engine logs "$container" 2>/dev/null | grep '"title":"image test"' || fail "no push for the change"

say "SIGTERM"
stop_ns=$(date +%s%N)
$engine stop -t 10 "$container" >/dev/null
stop_ms=$(( ($(date +%s%N) - stop_ns) / 1000000 ))
code=$($engine inspect --format '{{.State.ExitCode}}' "$container")
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
$engine logs "$container" 2>&1 | tail -n 3
lines=$($engine logs "$container" 2>&1 | grep -vc '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T\|^{' || true)
[ "$lines" = 0 ] || fail "$lines log line(s) that are not one entry each"

say "image-test passed: $engine, image $((size / 1000000)) MB, built in ${build_seconds} s, ready in ${ready_ms} ms, stopped in ${stop_ms} ms with exit 0"
