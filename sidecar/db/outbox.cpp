#include "sidecar/db/outbox.hpp"

#include <pqxx/pqxx>
#include <pqxx/transaction>

#include "sidecar/db/sql_text.hpp"

namespace pushsync::db {

namespace {

nlohmann::json parse_json_or_null(const pqxx::field& field) {
  if (field.is_null()) return nullptr;
  return nlohmann::json::parse(field.c_str());
}

// UPDATE changes SET `set_clause` for each item's change, in one statement;
// the clause sees the item's value_of(item) as r.v.
template <class Item, class ValueOf>
void update_each(pqxx::transaction_base& tx, const std::string& schema, const std::vector<Item>& items,
                 ValueOf value_of, const std::string& set_clause) {
  if (items.empty()) return;
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> values;
  for (const auto& item : items) ids.push_back(item.change_id), values.push_back(value_of(item));
  tx.exec_params("UPDATE " + schema + ".changes c SET " + set_clause +
                     " FROM unnest($1::bigint[], $2::bigint[]) AS r(id, v) WHERE c.id = r.id",
                 bigint_array_literal(ids), bigint_array_literal(values));
}

}  // namespace

Outbox::Outbox(const std::string& schema)
    : schema_(quote_ident(schema)),
      channel_(schema),
      claim_sql_("SELECT id, tbl, op, row_id, old_cols::text, new_cols::text, coalesce(originator, ''), attempts + 1, "
                 "(extract(epoch FROM now()) * 1000000)::bigint, (extract(epoch FROM created_at) * 1000000)::bigint "
                 "FROM " + schema_ + ".changes WHERE due_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED") {}

ChangeId Outbox::enqueue_push(pqxx::connection& conn, const nlohmann::json& push) const {
  pqxx::work tx(conn);
  auto id = tx.exec_params1("INSERT INTO " + schema_ +
                                ".changes (tbl, op, row_id, new_cols) VALUES ('', 'push', '', $1::jsonb) RETURNING id",
                            push.dump())[0]
                .as<ChangeId>();
  // Like the capture trigger: NOTIFY (which serializes commits) only when a
  // sidecar is asleep; a busy one polls.
  tx.exec_params("WITH woken AS (UPDATE " + schema_ + ".listener SET asleep = false WHERE one IN (SELECT one FROM " +
                     schema_ + ".listener WHERE asleep FOR UPDATE SKIP LOCKED) RETURNING 1) "
                     "SELECT pg_notify($1, '') FROM woken",
                 channel_);
  tx.commit();
  return id;
}

Outbox::Claim Outbox::claim(pqxx::dbtransaction& tx, int limit, Duration lease) const {
  // The row locks are the claim. Should this sidecar hang instead of
  // settling, the database ends its session after `lease` and the rows are
  // free again; should it die, they are free at once.
  tx.exec("SET LOCAL idle_in_transaction_session_timeout = " + std::to_string(lease.count()));
  tx.conn().prepare("pushsync_claim", claim_sql_);  // once per connection; planned once
  auto rows = tx.exec_prepared("pushsync_claim", limit);
  Claim claim;
  auto& out = claim.changes;
  out.reserve(rows.size());
  if (!rows.empty()) claim.now = DbTime(std::chrono::microseconds(rows[0][8].as<long long>()));
  for (const auto& row : rows) {
    Change c;
    c.id = row[0].as<ChangeId>();
    c.table_key = row[1].as<std::string>();
    c.op = parse_op(row[2].as<std::string>()).value_or(Op::update);
    c.row_id = row[3].as<std::string>();
    c.old_values = parse_json_or_null(row[4]);
    c.new_values = parse_json_or_null(row[5]);
    c.originator = row[6].as<std::string>();
    c.attempts = row[7].as<int>();
    c.created_at = DbTime(std::chrono::microseconds(row[9].as<long long>()));
    out.push_back(std::move(c));
  }
  return claim;
}

// The flag row is only ever changed through SKIP LOCKED: whoever holds it is
// changing it already, and neither writers nor the sidecar ever wait for it.
bool Outbox::fall_asleep(pqxx::connection& conn) const {
  pqxx::nontransaction tx(conn);
  auto armed = tx.exec("UPDATE " + schema_ + ".listener SET asleep = true WHERE one IN (SELECT one FROM " + schema_ +
                       ".listener WHERE NOT asleep FOR UPDATE SKIP LOCKED)");
  if (armed.affected_rows() == 0)  // gone after a crash (unlogged), or set already
    tx.exec("INSERT INTO " + schema_ + ".listener (one, asleep) VALUES (true, true) ON CONFLICT DO NOTHING");
  // Separate statement, so the flag is committed before we look: a change
  // committed after this check finds the flag set and notifies.
  // Rows another sidecar holds (its claim's locks) are not work for us.
  return tx.exec1("SELECT EXISTS (SELECT 1 FROM " + schema_ +
                  ".changes WHERE due_at <= now() LIMIT 1 FOR UPDATE SKIP LOCKED)")[0].as<bool>();
}

void Outbox::wake_up(pqxx::connection& conn) const {
  pqxx::nontransaction tx(conn);
  tx.exec("UPDATE " + schema_ + ".listener SET asleep = false WHERE one IN (SELECT one FROM " + schema_ +
          ".listener WHERE asleep FOR UPDATE SKIP LOCKED)");
}

void Outbox::settle(pqxx::dbtransaction& tx, const Settlement& s) const {
  if (!s.dead_letters.empty()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& d : s.dead_letters)
      rows.push_back({{"change_id", d.change_id},
                      {"installation_id", d.installation_id.empty() ? nlohmann::json() : nlohmann::json(d.installation_id)},
                      {"platform", d.platform.empty() ? nlohmann::json() : nlohmann::json(d.platform)},
                      {"reason", d.reason},
                      {"payload", d.payload}});
    tx.exec_params("INSERT INTO " + schema_ +
                       ".dead_letters (change_id, tbl, op, row_id, installation_id, platform, reason, payload, "
                       "changed_at) SELECT c.id, c.tbl, c.op, c.row_id, d.installation_id, d.platform, d.reason, "
                       "d.payload, c.created_at FROM jsonb_to_recordset($1::jsonb) AS d(change_id bigint, "
                       "installation_id text, platform text, reason text, payload jsonb) JOIN " + schema_ +
                       ".changes c ON c.id = d.change_id",
                   rows.dump());
  }
  if (!s.invalid_tokens.empty()) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& t : s.invalid_tokens) rows.push_back({{"installation_id", t.installation_id}, {"reason", t.reason}});
    tx.exec_params("WITH d AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(installation_id text, reason text)), "
                   "disabled AS (UPDATE " + schema_ + ".installations i SET disabled_at = now(), last_error = d.reason "
                   "FROM d WHERE i.installation_id = d.installation_id AND i.disabled_at IS NULL "
                   "RETURNING i.installation_id, i.platform, i.push_channel, d.reason) "
                   "INSERT INTO " + schema_ + ".feedback (installation_id, platform, push_channel, reason) "
                   "SELECT * FROM disabled",
                   rows.dump());
  }
  // Retries wait from the settlement (clock_timestamp: now() is the claim's
  // time) and count an attempt; postponed and held-back changes do not.
  // Held-back changes share their record's deadline (database clock).
  update_each(tx, schema_, s.retries, [](const Settlement::Retry& r) { return r.delay.count(); },
              "due_at = clock_timestamp() + r.v * interval '1 millisecond', attempts = c.attempts + 1");
  update_each(tx, schema_, s.postponed, [](const Settlement::Retry& r) { return r.delay.count(); },
              "due_at = clock_timestamp() + r.v * interval '1 millisecond'");
  update_each(tx, schema_, s.held_back,
              [](const HeldBack& h) {
                return std::chrono::duration_cast<std::chrono::microseconds>(h.until.time_since_epoch()).count();
              },
              "due_at = to_timestamp(r.v / 1000000.0)");
  if (!s.done.empty())
    tx.exec_params("DELETE FROM " + schema_ + ".changes WHERE id = ANY($1::bigint[])", bigint_array_literal(s.done));
}

Backlog Outbox::backlog(pqxx::connection& conn) const {
  pqxx::nontransaction tx(conn);
  auto row = tx.exec1("SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8, "
                      "(SELECT count(*) FROM " + schema_ + ".ws_mailbox) FROM " + schema_ + ".changes");
  return {row[0].as<long long>(), row[1].as<double>(), row[2].as<long long>()};
}

}  // namespace pushsync::db
