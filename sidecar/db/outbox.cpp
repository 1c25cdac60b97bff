#include "sidecar/db/outbox.hpp"

#include <pqxx/pqxx>
#include <pqxx/pipeline>
#include <pqxx/transaction>

#include "sidecar/db/change_rows.hpp"
#include "sidecar/db/listener.hpp"
#include "sidecar/db/sql_text.hpp"
#include "sidecar/route/push_document.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::db {

namespace {

using nlohmann::json;

DbTime from_micros(const pqxx::field& field) { return DbTime(std::chrono::microseconds(field.as<long long>())); }
std::string epoch_micros(const std::string& column) {
  return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

// Runs `sql`, whose $1 is a JSON array of rows (jsonb_to_recordset), unless
// there are none.
void exec_rows(pqxx::transaction_base& tx, const std::string& sql, const json& rows) {
  if (!rows.empty()) tx.exec_params(sql, json_text(rows));
}

json origin_columns(const PushOrigin& o, const json& document) {
  return {{"change_id", o.change_id}, {"tbl", o.table_key}, {"op", o.op},       {"row_id", o.row_id},
          {"changed_at", micros(o.changed_at)}, {"push", document}};
}

const char* const origin_recordset =
    "change_id bigint, tbl text, op text, row_id text, changed_at bigint, push jsonb";

}  // namespace

Outbox::Outbox(const std::string& schema)
    : schema_(quote_ident(schema)),
      schema_name_(schema),
      log_(schema) {}

ChangeId Outbox::enqueue_push(pqxx::connection& conn, const json& push) const {
  pqxx::work tx(conn);
  auto id = tx.exec_params1("INSERT INTO " + schema_ +
                                ".events (tbl, op, row_id, new_cols) VALUES ('', 'push', '', $1::jsonb) RETURNING id",
                            json_text(push))[0]
                .as<ChangeId>();
  wake_sleeping_sidecar(tx, schema_name_);
  tx.commit();
  return id;
}

Outbox::Claim Outbox::claim(pqxx::dbtransaction& tx, const Limits& limits) const {
  return read_claim(tx, limits, std::nullopt);
}

std::optional<Outbox::Claim> Outbox::claim_ahead(pqxx::dbtransaction& tx, const Limits& limits,
                                                 const LogState& from) const {
  auto claim = read_claim(tx, limits, from);
  if (!claim.deliveries_waiting) return claim;
  undo_claim(tx);
  return std::nullopt;
}

bool Outbox::confirm_ahead(pqxx::dbtransaction& tx, const LogState& from) const {
  // Two statements in one round trip, the result is the last one's: the
  // read has a snapshot of its own, taken after the lock, so it sees what
  // the lock's last holder committed.
  const auto state = tx.exec("SELECT " + log_.lock_reader() + "; " + log_.read_state());
  return CaptureLog::state_of(state[0]) == from;
}

void Outbox::undo_claim(pqxx::dbtransaction& tx) const { tx.exec("ROLLBACK TO SAVEPOINT pushsync_claim"); }

Outbox::Claim Outbox::read_claim(pqxx::dbtransaction& tx, const Limits& limits,
                                 const std::optional<LogState>& from) const {
  // The reader's lock of the capture log and the row locks of waiting
  // changes and deliveries are the claim. Should this sidecar hang instead
  // of settling, the database ends its session after `lease` and they are
  // free again; should it die, they are free at once. The reader's lock
  // comes first: a claim waiting for it holds nothing a settlement needs.
  // Audiences are read a chunk at a time from an index range in id order
  // (db/pg_directory): a bitmap scan would read and sort all of a big
  // audience for every chunk, and without fresh statistics (devices just
  // imported) the planner picks one. The savepoint lets claim_changes undo
  // locks it should not have taken.
  // JIT off: the planner's guesses for the log's window and a fresh
  // drain row once made it compile a 1 ms query for 15 ms. The settings,
  // the lock, the savepoint, the claim of waiting changes and the read of
  // the log go in one round trip (a pipeline of statements prepared on this
  // connection, run by name); each statement sees what committed before it.
  prepare_claim(tx.conn());
  log_.prepare_read(tx.conn());
  pqxx::result waiting, logged;
  {
    pqxx::pipeline pipeline(tx);
    pipeline.retain(4);
    pipeline.insert("SELECT set_config('idle_in_transaction_session_timeout', '" +
                    std::to_string(limits.lease.count()) + "', true), set_config('enable_bitmapscan', 'off', true), "
                    "set_config('jit', 'off', true)" + (from ? "" : ", " + log_.lock_reader()));
    pipeline.insert("SAVEPOINT pushsync_claim");
    auto waiting_id = pipeline.insert("EXECUTE pushsync_claim(" + std::to_string(limits.changes) + ")");
    auto logged_id = pipeline.insert(log_.read_statement(limits.changes, from));
    pipeline.complete();
    waiting = pipeline.retrieve(waiting_id);
    logged = pipeline.retrieve(logged_id);
  }
  Claim claim;
  RowBudget budget(limits.changes, limits.rows);
  claim.changes = claim_changes(tx, waiting, budget, claim);
  std::map<ChangeId, int> takes;
  auto read = log_.take(tx, logged, limits.changes, budget, takes, !from);
  claim.log_window = read.window;
  std::move(read.changes.begin(), read.changes.end(), std::back_inserter(claim.changes));
  if (claim.deliveries_waiting && !from) claim.retries = claim_retries(tx, limits.retries);
  return claim;
}

void Outbox::prepare_claim(pqxx::connection_base& conn) const {
  // One row even when nothing is due, for now() and whether any delivery
  // waits.
  conn.prepare("pushsync_claim",  // once per connection; planned once
               "SELECT " + change_columns() + ", c.cursor_row, coalesce(c.cursor_after, ''), " + epoch_micros("now()") +
                   ", (SELECT EXISTS (SELECT 1 FROM " + schema_ + ".deliveries)) FROM (VALUES (1)) AS one LEFT JOIN "
                   "LATERAL (SELECT * FROM " + schema_ + ".changes WHERE due_at <= now() ORDER BY id LIMIT $1 "
                   "FOR UPDATE SKIP LOCKED) c ON true ORDER BY c.id");
  conn.prepare_now("pushsync_claim");  // known to the server by that name
}

// Waiting changes (db changes) the claim locked, oldest first.
std::vector<Change> Outbox::claim_changes(pqxx::dbtransaction& tx, const pqxx::result& rows, RowBudget& budget,
                                          Claim& claim) const {
  claim.now = from_micros(rows[0][11]);
  claim.deliveries_waiting = rows[0][12].as<bool>();
  // Each change weighs its rows not yet done.
  std::vector<Change> out;
  std::map<ChangeId, int> takes;  // rows to read, by change
  for (const auto& row : rows) {
    if (row[0].is_null()) break;  // nothing was due
    Change c = change_from(row);
    c.cursor = {row[9].as<int>(), row[10].as<std::string>()};
    const int take = budget.take(c.row_count - c.cursor.row);
    if (take == 0) break;  // and so for every later one
    takes[c.id] = take;
    out.push_back(std::move(c));
  }
  if (out.size() < rows.size() && !rows[0][0].is_null()) keep_only(tx, out);
  read_statement_rows(tx, schema_ + ".changes", out, takes);
  return out;
}

// The claim locked changes past the row budget. Left locked, they would be
// skipped by the next claim (this sidecar's other lane, or another
// sidecar), and a later change of one of their records could overtake
// them. So the claim's locks are undone and those of the changes taken
// are taken again; one another sidecar got or changed meanwhile is left out.
void Outbox::keep_only(pqxx::dbtransaction& tx, std::vector<Change>& taken) const {
  std::vector<std::int64_t> ids;
  for (const auto& c : taken) ids.push_back(c.id);
  tx.exec("ROLLBACK TO SAVEPOINT pushsync_claim");
  std::map<ChangeId, FanoutCursor> kept;
  for (const auto& row : tx.exec_params("SELECT id, cursor_row, coalesce(cursor_after, '') FROM " + schema_ +
                                            ".changes WHERE id = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED",
                                        bigint_array_literal(ids)))
    kept[row[0].as<ChangeId>()] = {row[1].as<int>(), row[2].as<std::string>()};
  std::erase_if(taken, [&](const Change& c) {
    auto it = kept.find(c.id);
    return it == kept.end() || it->second != c.cursor;
  });
}

std::vector<Push> Outbox::claim_retries(pqxx::dbtransaction& tx, int limit) const {
  tx.conn().prepare("pushsync_claim_deliveries",
                    "SELECT d.id, d.installation_id, i.platform, i.push_channel, d.record, d.change_id, d.tbl, d.op, "
                    "d.row_id, d.push::text, " + epoch_micros("d.changed_at") + ", d.attempts FROM " + schema_ +
                    ".deliveries d LEFT JOIN " + schema_ + ".installations i ON i.installation_id = "
                    "d.installation_id AND i.disabled_at IS NULL WHERE d.due_at <= now() ORDER BY d.due_at, d.id "
                    "LIMIT $1 FOR UPDATE OF d SKIP LOCKED");
  std::vector<Push> out;
  for (const auto& row : tx.exec_prepared("pushsync_claim_deliveries", limit)) {
    Push p;
    p.origin = {row[5].as<ChangeId>(), row[6].as<std::string>(), row[7].as<std::string>(), row[8].as<std::string>(),
                from_micros(row[10]), row[4].as<std::string>(), row[0].as<DeliveryId>(), row[11].as<int>()};
    auto platform = row[2].is_null() ? std::nullopt : parse_platform(row[2].as<std::string>());
    if (platform) p.target = {row[1].as<std::string>(), *platform, row[3].as<std::string>()};
    route::read_push_document(parse_json(row[9].c_str()), p);
    out.push_back(std::move(p));
  }
  return out;
}

std::map<std::pair<std::string, std::string>, DeliveryId> Outbox::lock_waiting(pqxx::dbtransaction& tx,
                                                                               const std::vector<Push>& pushes) const {
  std::vector<std::string> installations, records;
  for (const auto& p : pushes)
    if (!p.origin.delivery) installations.push_back(p.target.id), records.push_back(p.origin.record);
  std::map<std::pair<std::string, std::string>, DeliveryId> out;
  if (installations.empty()) return out;
  for (const auto& row : tx.exec_params("SELECT d.id, d.installation_id, d.record FROM " + schema_ +
                                            ".deliveries d JOIN unnest($1::text[], $2::text[]) AS k(i, r) "
                                            "ON d.installation_id = k.i AND d.record = k.r ORDER BY d.id "
                                            "FOR UPDATE OF d",
                                        text_array_literal(installations), text_array_literal(records)))
    out[{row[1].as<std::string>(), row[2].as<std::string>()}] = row[0].as<DeliveryId>();
  return out;
}

void Outbox::write_retries(pqxx::dbtransaction& tx, const Settlement& s) const {
  json fresh = json::array(), again = json::array();
  for (const auto& r : s.retries) {
    json row = origin_columns(r.origin, r.document);
    row["delay"] = r.delay.count();
    row["attempts"] = r.attempts;
    row["reason"] = r.reason;
    if (r.origin.delivery) {
      row["id"] = *r.origin.delivery;
      again.push_back(std::move(row));
    } else {
      row["installation_id"] = r.installation_id;
      row["record"] = r.origin.record;
      fresh.push_back(std::move(row));
    }
  }
  // Retries wait from the settlement (clock_timestamp: now() is the claim's time).
  const std::string due = "clock_timestamp() + r.delay * interval '1 millisecond'";
  exec_rows(tx,
            "UPDATE " + schema_ + ".deliveries d SET due_at = " + due + ", attempts = r.attempts, last_error = "
            "r.reason, change_id = r.change_id, tbl = r.tbl, op = r.op, row_id = r.row_id, push = r.push, "
            "changed_at = to_timestamp(r.changed_at / 1000000.0) FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, " +
                origin_recordset + ", delay bigint, attempts int, reason text) WHERE d.id = r.id",
            again);
  // A row another batch made for the same device and record meanwhile keeps
  // its schedule and takes the newer payload.
  exec_rows(tx,
            "INSERT INTO " + schema_ + ".deliveries AS d (installation_id, record, change_id, tbl, op, row_id, push, "
            "changed_at, due_at, attempts, last_error) SELECT r.installation_id, r.record, r.change_id, r.tbl, r.op, "
            "r.row_id, r.push, to_timestamp(r.changed_at / 1000000.0), " + due + ", r.attempts, r.reason "
            "FROM jsonb_to_recordset($1::jsonb) AS r(installation_id text, record text, " + origin_recordset +
                ", delay bigint, attempts int, reason text) ORDER BY r.installation_id, r.record "
                "ON CONFLICT (installation_id, record) DO UPDATE SET change_id = EXCLUDED.change_id, "
                "tbl = EXCLUDED.tbl, op = EXCLUDED.op, row_id = EXCLUDED.row_id, push = EXCLUDED.push, "
                "changed_at = EXCLUDED.changed_at WHERE d.change_id < EXCLUDED.change_id",
            fresh);
  json folds = json::array();
  for (const auto& f : s.folds) {
    json row = origin_columns(f.origin, f.document);
    row["id"] = f.delivery;
    folds.push_back(std::move(row));
  }
  exec_rows(tx,
            "UPDATE " + schema_ + ".deliveries d SET change_id = r.change_id, tbl = r.tbl, op = r.op, row_id = "
            "r.row_id, push = r.push, changed_at = to_timestamp(r.changed_at / 1000000.0) FROM "
            "jsonb_to_recordset($1::jsonb) AS r(id bigint, " + origin_recordset +
                ") WHERE d.id = r.id AND d.change_id < r.change_id",
            folds);
}

void Outbox::settle(pqxx::dbtransaction& tx, const Settlement& s) const {
  json dead = json::array();
  for (const auto& d : s.dead_letters)
    dead.push_back({{"change_id", d.change_id},
                    {"tbl", d.table_key},
                    {"op", d.op},
                    {"row_id", d.row_id},
                    {"changed_at", micros(d.changed_at)},
                    {"installation_id", d.installation_id.empty() ? json() : json(d.installation_id)},
                    {"platform", d.platform.empty() ? json() : json(d.platform)},
                    {"reason", d.reason},
                    {"payload", d.payload},
                    {"push", d.push},
                    {"record", d.record.empty() ? json() : json(d.record)}});
  exec_rows(tx,
            "INSERT INTO " + schema_ + ".dead_letters (change_id, tbl, op, row_id, installation_id, platform, reason, "
            "payload, push, record, changed_at) SELECT change_id, tbl, op, row_id, installation_id, platform, reason, "
            "payload, push, record, to_timestamp(changed_at / 1000000.0) FROM jsonb_to_recordset($1::jsonb) AS "
            "d(change_id bigint, tbl text, op text, row_id text, changed_at bigint, installation_id text, "
            "platform text, reason text, payload jsonb, push jsonb, record text)",
            dead);
  json invalid = json::array();
  for (const auto& t : s.invalid_tokens) invalid.push_back({{"installation_id", t.installation_id}, {"reason", t.reason}});
  exec_rows(tx,
            "WITH d AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(installation_id text, reason text)), "
            "disabled AS (UPDATE " + schema_ + ".installations i SET disabled_at = now(), last_error = d.reason "
            "FROM d WHERE i.installation_id = d.installation_id AND i.disabled_at IS NULL "
            "RETURNING i.installation_id, i.platform, i.push_channel, d.reason) "
            "INSERT INTO " + schema_ + ".feedback (installation_id, platform, push_channel, reason) "
            "SELECT * FROM disabled",
            invalid);
  write_retries(tx, s);
  if (!s.delivered.empty())
    tx.exec_params("DELETE FROM " + schema_ + ".deliveries WHERE id = ANY($1::bigint[])",
                   bigint_array_literal(s.delivered));
  json progress = json::array();
  for (const auto& p : s.progress)
    progress.push_back({{"id", p.change_id}, {"row", p.cursor.row}, {"after", p.cursor.after}});
  exec_rows(tx,
            "UPDATE " + schema_ + ".changes c SET cursor_row = r.row, cursor_after = nullif(r.after, '') "
            "FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, row int, after text) WHERE c.id = r.id",
            progress);
  // Held-back changes share their record's deadline (database clock).
  json held = json::array();
  for (const auto& h : s.held_back) held.push_back({{"id", h.change_id}, {"until", micros(h.until)}});
  exec_rows(tx,
            "UPDATE " + schema_ + ".changes c SET due_at = to_timestamp(r.until / 1000000.0) "
            "FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, until bigint) WHERE c.id = r.id",
            held);
  if (!s.done.empty())
    tx.exec_params("DELETE FROM " + schema_ + ".changes WHERE id = ANY($1::bigint[])", bigint_array_literal(s.done));
  log_.settle(tx, s);
}

Backlog Outbox::backlog(pqxx::connection& conn) const {
  // Bounded reads only: each count stops at Backlog::counted_to, and the
  // oldest change is the first of `changes` by id and the first unread
  // event by the log's index (unread events begin at read_to's xmin).
  const std::string unread = " FROM " + schema_ + ".drain d, " + schema_ + ".events e WHERE e.txid >= "
                             "pg_snapshot_xmin(d.read_to) AND NOT pg_visible_in_snapshot(e.txid, d.read_to)";
  auto bounded_count = [&](const std::string& from) {
    return "(SELECT count(*) FROM (SELECT 1 " + from + " LIMIT $1) x)";
  };
  pqxx::nontransaction tx(conn);
  auto row = tx.exec_params1(
      "SELECT least(" + bounded_count("FROM " + schema_ + ".changes") + " + " + bounded_count(unread) +
          ", $1), coalesce(extract(epoch FROM now() - least((SELECT created_at FROM " + schema_ +
          ".changes ORDER BY id LIMIT 1), (SELECT e.created_at" + unread + " ORDER BY e.txid, e.id LIMIT 1))), "
          "0)::float8, " + bounded_count("FROM " + schema_ + ".ws_mailbox") + ", " +
          bounded_count("FROM " + schema_ + ".deliveries") + ", " + bounded_count("FROM " + schema_ + ".dead_letters"),
      Backlog::counted_to);
  return {row[0].as<long long>(), row[1].as<double>(), row[2].as<long long>(), row[3].as<long long>(),
          row[4].as<long long>()};
}

}  // namespace pushsync::db
