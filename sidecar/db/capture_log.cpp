#include "sidecar/db/capture_log.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "sidecar/db/sql_text.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::db {

namespace {

using nlohmann::json;

// The events of one branch of a window: `where`, visible in the window's
// snapshot, in the order the log is read.
std::string window_branch(const std::string& events, const std::string& where) {
  return "(SELECT * FROM " + events + " WHERE " + where +
         " AND pg_visible_in_snapshot(txid, d.target) ORDER BY txid, id LIMIT $1)";
}

}  // namespace

CaptureLog::CaptureLog(const std::string& schema) : schema_(quote_ident(schema)), schema_name_(schema) {}

std::string CaptureLog::lock_reader() const {
  return "pg_advisory_xact_lock(hashtextextended(" + quote_literal("pushsync.log:" + schema_name_) + ", 0))";
}

// The window's query, reading where it starts from `source` (read_to,
// target, resumed, after_txid, after_id).
std::string CaptureLog::window_query(const std::string& source) const {
  // A window holds the transactions that were in progress at read_to and
  // those that began after it, up to the window's snapshot (PgQ's batch):
  // the first are found one by one, the others as one range of the index.
  // A window read in part goes on after the last event read. The range's
  // lower bound is one row comparison: given a scalar bound and a row
  // comparison, the index scan started from the row comparison's (the
  // log's start when no window was begun).
  const std::string events = schema_ + ".events";
  return "WITH w AS (" + source + "), d AS (SELECT *, (after_txid, after_id) > (pg_snapshot_xmax(read_to), 0) AS "
         "within FROM w) SELECT " + change_columns() + ", c.txid::text, d.read_to::text, d.target::text, d.resumed, "
         "d.after_txid::text, d.after_id FROM d LEFT JOIN LATERAL (SELECT * FROM (" +
         window_branch(events, "txid = ANY (ARRAY(SELECT pg_snapshot_xip(d.read_to))) AND "
                               "(txid, id) > (d.after_txid, d.after_id)") + " UNION ALL " +
         window_branch(events, "(txid, id) > (CASE WHEN d.within THEN d.after_txid ELSE pg_snapshot_xmax(d.read_to) "
                               "END, CASE WHEN d.within THEN d.after_id ELSE 0 END) AND "
                               "txid < pg_snapshot_xmax(d.target)") +
         ") e ORDER BY txid, id LIMIT $1) c ON true ORDER BY c.txid, c.id";
}

void CaptureLog::prepare_read(pqxx::connection_base& conn) const {
  conn.prepare("pushsync_read_log",
               window_query("SELECT read_to, coalesce(target, pg_current_snapshot()) AS target, target IS NOT NULL "
                            "AS resumed, coalesce(after_txid, '0'::xid8) AS after_txid, coalesce(after_id, 0) AS "
                            "after_id FROM " + schema_ + ".drain"));
  conn.prepare("pushsync_read_log_from",
               window_query("SELECT $2::pg_snapshot AS read_to, coalesce(nullif($3, '')::pg_snapshot, "
                            "pg_current_snapshot()) AS target, $3 <> '' AS resumed, coalesce(nullif($4, '')::xid8, "
                            "'0'::xid8) AS after_txid, $5::bigint AS after_id"));
  conn.prepare("pushsync_read_drain", "SELECT read_to::text, coalesce(target::text, ''), coalesce(after_txid::text, "
                                      "''), coalesce(after_id, 0) FROM " + schema_ + ".drain");
  conn.prepare_now("pushsync_read_log");  // known to the server by these names
  conn.prepare_now("pushsync_read_log_from");
  conn.prepare_now("pushsync_read_drain");
}

std::string CaptureLog::read_statement(int limit, const std::optional<LogState>& from) const {
  if (!from) return "EXECUTE pushsync_read_log(" + std::to_string(limit) + ")";
  return "EXECUTE pushsync_read_log_from(" + std::to_string(limit) + ", " + quote_literal(from->read_to) + ", " +
         quote_literal(from->target) + ", " + quote_literal(from->after ? from->after->txid : "") + ", " +
         std::to_string(from->after ? from->after->id : 0) + ")";
}

std::string CaptureLog::read_state() const { return "EXECUTE pushsync_read_drain"; }

LogState CaptureLog::state_of(const pqxx::row& row) {
  LogState state{row[0].as<std::string>(), row[1].as<std::string>(), std::nullopt};
  if (!row[2].as<std::string>().empty()) state.after = LogPosition{row[2].as<std::string>(), row[3].as<ChangeId>()};
  return state;
}

CaptureLog::Read CaptureLog::take(pqxx::dbtransaction& tx, const pqxx::result& rows, int limit, RowBudget& budget,
                                  std::map<ChangeId, int>& takes, bool reader) const {
  Read out;
  out.window = {rows[0][10].as<std::string>(), rows[0][11].as<std::string>(), true, false, rows[0][12].as<bool>(),
                std::nullopt};
  if (out.window.resumed) out.window.after = LogPosition{rows[0][13].as<std::string>(), rows[0][14].as<ChangeId>()};
  int read = 0;
  for (const auto& row : rows) {
    if (row[0].is_null()) break;  // nothing in the window
    ++read;
    Change c = change_from(row);
    const int take = budget.take(c.row_count);
    if (take == 0) {
      out.window.read_all = false;
      break;
    }
    c.logged = LogPosition{row[9].as<std::string>(), c.id};
    takes[c.id] = take;
    out.changes.push_back(std::move(c));
  }
  out.window.read_any = !out.changes.empty();
  if (read == limit) out.window.read_all = false;
  if (reader && out.window.resumed && read == 0) {  // the rest of it was read: close it now, nothing to settle
    tx.exec("UPDATE " + schema_ + ".drain SET read_to = target, target = NULL, after_txid = NULL, after_id = NULL");
    out.window.read_to = out.window.target;
    out.window.resumed = false;
  }
  read_statement_rows(tx, schema_ + ".events", out.changes, takes);
  return out;
}

// The start of an INSERT that moves events e to db changes; the caller
// adds due_at, cursor_row, cursor_after and the FROM.
std::string CaptureLog::move_to_changes() const {
  return "INSERT INTO " + schema_ + ".changes (id, tbl, op, row_id, old_cols, new_cols, originator, created_at, "
         "row_count, row_ids, ops, olds, news, old_columns, new_columns, due_at, cursor_row, cursor_after) "
         "OVERRIDING SYSTEM VALUE SELECT e.id, e.tbl, e.op, e.row_id, e.old_cols, e.new_cols, e.originator, "
         "e.created_at, e.row_count, e.row_ids, e.ops, e.olds, e.news, e.old_columns, e.new_columns, ";
}

void CaptureLog::settle(pqxx::dbtransaction& tx, const Settlement& s) const {
  if (!s.kept.empty()) {
    json kept = json::array();
    for (const auto& k : s.kept)
      kept.push_back({{"txid", k.position.txid},
                      {"id", k.position.id},
                      {"until", k.until ? json(micros(*k.until)) : json()},
                      {"row", k.cursor.row},
                      {"after", k.cursor.after}});
    tx.exec_params(move_to_changes() + "coalesce(to_timestamp(k.until / 1000000.0), now()), k.row, "
                   "nullif(k.after, '') FROM " + schema_ + ".events e JOIN jsonb_to_recordset($1::jsonb) AS "
                   "k(txid text, id bigint, until bigint, row int, after text) ON e.txid = k.txid::xid8 AND e.id = k.id",
                   json_text(kept));
  }
  if (!s.log) return;
  const auto& log = *s.log;
  // Planned once per connection, like the claim's statements (a third of
  // its time was planning).
  tx.conn().prepare("pushsync_set_drain", "UPDATE " + schema_ + ".drain SET read_to = $1::pg_snapshot, target = "
                                          "nullif($2, '')::pg_snapshot, after_txid = $3::xid8, after_id = $4");
  tx.exec_prepared("pushsync_set_drain", log.read_to, log.target,
                   log.after ? std::optional<std::string>(log.after->txid) : std::nullopt,
                   log.after ? std::optional<ChangeId>(log.after->id) : std::nullopt);
  if (s.truncate_log && log.target.empty()) truncate(tx);
}

void CaptureLog::truncate(pqxx::dbtransaction& tx) const {
  // TRUNCATE waits for every writer that has appended and not yet
  // committed, and writers that come meanwhile wait behind it: not for
  // longer than 10 ms, else it is left for the next time.
  try {
    pqxx::subtransaction sub(tx, "pushsync_truncate");
    sub.exec("SET LOCAL lock_timeout = '10ms'; LOCK TABLE " + schema_ + ".events IN ACCESS EXCLUSIVE MODE");
    // Committed after the window's snapshot: not read yet, so kept.
    sub.exec(move_to_changes() + "now(), 0, NULL FROM " + schema_ + ".drain d, " + schema_ +
             ".events e WHERE NOT pg_visible_in_snapshot(e.txid, d.read_to)");
    sub.exec("TRUNCATE " + schema_ + ".events");
    sub.commit();
  } catch (const pqxx::sql_error& e) {
    // The subtransaction is rolled back and the settlement goes on without
    // it. Writers kept the log busy: next time. Anything else (no TRUNCATE
    // privilege) would let the log grow: said every time.
    if (e.sqlstate() != "55P03")
      spdlog::warn("could not empty the capture log {}.events (TRUNCATE): {}", schema_, e.what());
  }
}

}  // namespace pushsync::db
