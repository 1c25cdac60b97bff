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
