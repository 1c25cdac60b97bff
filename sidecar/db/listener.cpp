#include "sidecar/db/listener.hpp"

#include <cstdint>

#include <pqxx/nontransaction>

#include "sidecar/db/sql_text.hpp"

namespace pushsync::db {

namespace {

constexpr std::int32_t pushsync_lock_class = 0x70757368;  // "push"

std::int32_t schema_hash(const std::string& schema) {
  std::uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : schema) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return static_cast<std::int32_t>(hash);
}

// Whether some session holds the lock exclusively (a sidecar asleep).
std::string held_exclusively(const std::string& schema) {
  return "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM "
         "pg_database WHERE datname = current_database()) AND classid::int = " + std::to_string(pushsync_lock_class) +
         " AND objid::int = " + std::to_string(schema_hash(schema)) +
         " AND objsubid = 2 AND mode = 'ExclusiveLock' AND granted)";
}

// Clears the flag if it is set and nobody is clearing it (SKIP LOCKED:
// whoever holds the row is clearing it already).
std::string clear_flag(const std::string& quoted_schema) {
  const std::string listener = quoted_schema + ".listener";
  return "UPDATE " + listener + " SET asleep = false WHERE one IN (SELECT one FROM " + listener +
         " WHERE asleep FOR UPDATE SKIP LOCKED)";
}

}  // namespace

std::string wake_lock_arguments(const std::string& schema) {
  return std::to_string(pushsync_lock_class) + ", " + std::to_string(schema_hash(schema));
}

void wake_sleeping_sidecar(pqxx::transaction_base& tx, const std::string& schema) {
  if (tx.exec1("SELECT pg_try_advisory_xact_lock_shared(" + wake_lock_arguments(schema) + ")")[0].as<bool>()) return;
  tx.exec("WITH woken AS (" + clear_flag(quote_ident(schema)) + " RETURNING 1) SELECT pg_notify(" +
          quote_literal(schema) + ", '') FROM woken");
}

Listener::Listener(const std::string& schema)
    : schema_name_(schema),
      schema_(quote_ident(schema)) {}

Listener::Sleep Listener::fall_asleep(pqxx::connection& conn) const {
  pqxx::nontransaction tx(conn);
  // The flag is set (and committed) before the lock is taken: a writer
  // refused the lock finds it set.
  auto armed = tx.exec("UPDATE " + schema_ + ".listener SET asleep = true WHERE one IN (SELECT one FROM " + schema_ +
                       ".listener WHERE NOT asleep FOR UPDATE SKIP LOCKED)");
  if (armed.affected_rows() == 0)  // gone after a crash (unlogged), or set already
    tx.exec("INSERT INTO " + schema_ + ".listener (one, asleep) VALUES (true, true) ON CONFLICT DO NOTHING");
  // Every fall_asleep follows a wake_up (or a new connection), so the lock
  // is not held here. Refused, another sidecar may sleep with it (writers
  // wake it, and a NOTIFY reaches every listener), or a writer's
  // transaction holds it shared, whose change would not wake us.
  if (!tx.exec1("SELECT pg_try_advisory_lock(" + wake_lock_arguments(schema_name_) + ")")[0].as<bool>() &&
      !tx.exec1(held_exclusively(schema_name_))[0].as<bool>())
    return Sleep::restless;
  // Rows another sidecar holds (its claim's locks) are not work for us.
  bool due = tx.exec1("SELECT EXISTS (SELECT 1 FROM " + schema_ +
                      ".changes WHERE due_at <= now() LIMIT 1 FOR UPDATE SKIP LOCKED) OR EXISTS (SELECT 1 FROM " +
                      schema_ + ".deliveries WHERE due_at <= now() LIMIT 1 FOR UPDATE SKIP LOCKED) OR EXISTS "
                      "(SELECT 1 FROM " + schema_ + ".unread_events)")[0]
                 .as<bool>();
  return due ? Sleep::due : Sleep::asleep;
}

void Listener::wake_up(pqxx::connection& conn) const {
  pqxx::nontransaction tx(conn);
  // One round trip, since every wakeup waits for it. The sidecar's session
  // holds no other session-level advisory lock (migrations take theirs for
  // the transaction), so all of them is the wake lock, however often taken.
  tx.exec(clear_flag(schema_) + "; SELECT pg_advisory_unlock_all()");
}

}  // namespace pushsync::db
