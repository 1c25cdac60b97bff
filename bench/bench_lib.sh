# Sourced by the benchmarks after setting $root. Makes a work directory and
# a throwaway cluster; on exit stops every process in bench_pids (SIGTERM,
# then waits for it), removes the cluster and, unless BENCH_KEEP is set, the
# work directory.
#   bench_start_cluster "server options"   sets $work, $url and db()

bench_pids=()
work=$(mktemp -d /tmp/pushsync-bench-XXXXXX)
pgdir=$(mktemp -d /tmp/pushsync-bench-pg-XXXXXX)
bench_cleanup() {
  for p in "${bench_pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  "$root/scripts/pg-tmp.sh" stop "$pgdir"
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap bench_cleanup EXIT

bench_start_cluster() {
  url=$(PG_TMP_OPTS="$1" "$root/scripts/pg-tmp.sh" start "$pgdir")
}
db() { psql "$url" -v ON_ERROR_STOP=1 -qAtX "$@"; }

json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

clk_tck=$(getconf CLK_TCK)
cpu_seconds() { awk -v t="$clk_tck" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }
# CPU seconds of every process of the cluster (backends, walwriter, ...) alive now.
db_cpu_seconds() {
  local postmaster; postmaster=$(head -n 1 "$pgdir/data/postmaster.pid")
  local total=0 p
  for p in $(pgrep -P "$postmaster"); do total=$(awk -v a="$total" -v b="$(cpu_seconds "$p" 2>/dev/null || echo 0)" 'BEGIN { print a + b }'); done
  echo "$total"
}

#   bench_start_fake apns|fcm N [latency]
# Starts tests/fakes as a program; sets fake_pid, fake_out (its stdout),
# port, ca, key, account.
bench_start_fake() {
  exec {fake_out}< <(exec "$root/build/tests/fake_provider" "$@")
  fake_pid=$!
  bench_pids+=("$fake_pid")
  local ready; read -r -u "$fake_out" ready
  port=$(json_field port <<<"$ready")
  ca=$(json_field ca <<<"$ready")
  key=$(json_field apns_key <<<"$ready")
  account=$(json_field service_account <<<"$ready")
}
# Sets fake_line once the fake has seen all N (its second line) and, in
# latency mode, latency_line. A blocking read: polling for it took a third
# of the CPU of the box away from the sender while it ran.
bench_fake_result() {
  read -r -u "$fake_out" fake_line
  latency_line=""
  read -r -t 5 -u "$fake_out" latency_line || true
  exec {fake_out}<&-
}

#   bench_baseline_binary
# With BENCH_BASELINE=<git revision>: sets baseline_bin to that revision's
# pushsync, built into the work dir (or BENCH_BASELINE_BIN, built before).
bench_baseline_binary() {
  baseline_bin=${BENCH_BASELINE_BIN:-$work/baseline/pushsync}
  [ -n "${BENCH_BASELINE_BIN:-}" ] && return
  echo "building $BENCH_BASELINE into $work/baseline (a few minutes)" >&2
  mkdir -p "$work/baseline-src"
  git -C "$root" archive "$BENCH_BASELINE" | tar -x -C "$work/baseline-src"
  cmake -S "$work/baseline-src" -B "$work/baseline" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPUSHSYNC_TESTS=OFF >/dev/null
  cmake --build "$work/baseline" -j "$(nproc)" --target pushsync >/dev/null
}

# The fake APNs bench_start_fake started, as the config's apns section.
bench_apns_yaml() {
  cat <<YAML
apns:
  team_id: TEAM123456
  key_id: KEY1234567
  key_file: $key
  topic: com.example.todo
  endpoint: localhost:$port
  ca_file: $ca
YAML
}

#   bench_databases [SQL]
# Sets databases, binaries and names: this revision's pushsync on the
# cluster's database and, with BENCH_BASELINE, that revision's binary on a
# database of its own; url_of DATABASE gives its URL. SQL (the app's
# tables) runs in each of them. With BENCH_BATCH_INTERVALS (e.g. "10ms
# 50ms") this revision runs once per database.batch_interval instead, each
# in a database of its own (bench_migrate writes the key).
bench_databases() {
  databases=(postgres)
  binaries=("$root/build/pushsync")
  names=(pushsync)
  batch_intervals=()
  if [ -n "${BENCH_BASELINE:-}" ]; then
    bench_baseline_binary
    db -c "CREATE DATABASE baseline"
    databases+=(baseline)
    binaries+=("$baseline_bin")
    names+=("$BENCH_BASELINE")
  elif [ -n "${BENCH_BATCH_INTERVALS:-}" ]; then
    read -r -a batch_intervals <<<"$BENCH_BATCH_INTERVALS"
    local k
    for k in "${!batch_intervals[@]}"; do
      names[k]="batch_interval=${batch_intervals[k]}"
      [ "$k" -eq 0 ] && continue
      db -c "CREATE DATABASE interval_$k"
      databases+=("interval_$k")
      binaries+=("${binaries[0]}")
    done
  fi
  if [ -n "${1:-}" ]; then
    for d in "${databases[@]}"; do psql "$(url_of "$d")" -qX -c "$1"; done
  fi
}
url_of() { echo "${url/dbname=postgres/dbname=$1}"; }

#   bench_migrate INDEX YAML
# Writes $work/pushsync-INDEX.yaml, the config of database INDEX of
# bench_databases (its url, then YAML: the sections after database.url),
# and migrates that database with its binary.
bench_migrate() {
  local interval=""
  [ -z "${batch_intervals[$1]:-}" ] || interval="  batch_interval: ${batch_intervals[$1]}"$'\n'
  printf 'database:\n  url: "%s"\n%s%s\n' "$(url_of "${databases[$1]}")" "$interval" "$2" >"$work/pushsync-$1.yaml"
  "${binaries[$1]}" migrate --config "$work/pushsync-$1.yaml" 2>/dev/null
}

#   bench_rounds LEGEND
# Calls the benchmark's run INDEX for every database of bench_databases,
# $rounds times, interleaved; appends "NAME RESULT" to $work/results and
# shows each result on stderr, LEGEND saying what its figures are.
bench_rounds() {
  local round i r
  for round in $(seq "$rounds"); do
    for i in "${!databases[@]}"; do
      r=$(run "$i")
      echo "${names[$i]} $r" >>"$work/results"
      echo "round $round: ${names[$i]}: $r ($1)" >&2
    done
  done
}

# The outbox of either layout (0.2 queued changes in pushsync.changes; from
# schema 5 triggers append to pushsync.events and changes holds what waits):
#   outbox_tables URL   its tables, "pushsync.changes, pushsync.events"
#   outbox_left URL     changes not routed yet
outbox_tables() {
  psql "$1" -qAtX -c "SELECT string_agg(t, ', ') FROM unnest(ARRAY['pushsync.changes', 'pushsync.events']) t
                       WHERE to_regclass(t) IS NOT NULL"
}
outbox_left() {
  psql "$1" -qAtX -c "SELECT count(*) FROM $(psql "$1" -qAtX -c "SELECT coalesce(to_regclass('pushsync.outbox')::text,
                                                                   'pushsync.changes')")"
}
