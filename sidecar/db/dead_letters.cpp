#include "sidecar/db/dead_letters.hpp"

#include <set>

#include <pqxx/pqxx>

#include "sidecar/db/listener.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/db/sql_text.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::db {

namespace {

std::optional<std::string> optional_text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

}  // namespace

nlohmann::json DeadLetterRecord::to_json() const {
  auto or_null = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"id", id},
          {"changeId", change_id},
          {"table", table},
          {"op", op},
          {"rowId", row_id},
          {"installationId", or_null(installation_id)},
          {"platform", or_null(platform)},
          {"reason", reason},
          {"payload", payload},
          {"changedAt", changed_at},
          {"failedAt", failed_at},
          {"retryable", retryable}};
}

DeadLetters::DeadLetters(const std::string& schema) : schema_(quote_ident(schema)), schema_name_(schema) {}

std::vector<DeadLetterRecord> DeadLetters::list(pqxx::connection& conn, const DeadLetterQuery& q) const {
  pqxx::read_transaction tx(conn);
  std::vector<DeadLetterRecord> out;
  for (const auto& row : tx.exec_params(
           "SELECT id, change_id, tbl, op, row_id, installation_id, platform, reason, payload::text, " +
               rfc3339_text("changed_at") + ", " + rfc3339_text("failed_at") +
               ", (push IS NOT NULL AND installation_id IS NOT NULL AND record IS NOT NULL) FROM " + schema_ +
               ".dead_letters WHERE ($1 = '' OR failed_at >= $1::timestamptz) "
               "AND ($2 = '' OR tbl = $2 OR substr(tbl, strpos(tbl, '.') + 1) = $2) "
               "AND ($3 = '' OR strpos(reason, $3) > 0) AND ($5 = '' OR installation_id = $5) ORDER BY " +
               (q.newest_first ? "failed_at DESC, id DESC" : "failed_at, id") + " LIMIT $4 OFFSET $6",
           q.since, q.table, q.reason, q.limit, q.installation, q.offset)) {
    DeadLetterRecord r;
    r.id = row[0].as<long long>();
    r.change_id = row[1].as<long long>();
    r.table = row[2].as<std::string>();
    r.op = row[3].as<std::string>();
    r.row_id = row[4].as<std::string>();
    r.installation_id = optional_text(row[5]);
    r.platform = optional_text(row[6]);
    r.reason = row[7].as<std::string>();
    r.payload = row[8].is_null() ? nlohmann::json() : parse_json(row[8].c_str());
    r.changed_at = row[9].as<std::string>();
    r.failed_at = row[10].as<std::string>();
    r.retryable = row[11].as<bool>();
    out.push_back(std::move(r));
  }
  return out;
}

RetryReport DeadLetters::requeue(pqxx::connection& conn, const std::string& which, const std::string& argument,
                                 const std::vector<long long>& asked) const {
  pqxx::work tx(conn, "pushsync_dead_letters_retry");
  RetryReport report;
  std::set<long long> found;
  // Of several letters for one device and record, the newest change is sent.
  for (const auto& row : tx.exec_params(
           "WITH chosen AS (SELECT * FROM " + schema_ + ".dead_letters WHERE " + which + " FOR UPDATE), "
           "retryable AS (SELECT * FROM chosen WHERE push IS NOT NULL AND installation_id IS NOT NULL "
           "AND record IS NOT NULL), "
           "queued AS (INSERT INTO " + schema_ + ".deliveries AS d (installation_id, record, change_id, tbl, op, "
           "row_id, push, changed_at) SELECT DISTINCT ON (installation_id, record) installation_id, record, "
           "change_id, tbl, op, row_id, push, changed_at FROM retryable ORDER BY installation_id, record, "
           "change_id DESC ON CONFLICT (installation_id, record) DO UPDATE SET due_at = now(), "
           "change_id = greatest(d.change_id, EXCLUDED.change_id), push = CASE WHEN EXCLUDED.change_id > "
           "d.change_id THEN EXCLUDED.push ELSE d.push END RETURNING 1), "
           "removed AS (DELETE FROM " + schema_ + ".dead_letters WHERE id IN (SELECT id FROM retryable)) "
           "SELECT id, id IN (SELECT id FROM retryable), (SELECT count(*) FROM queued) FROM chosen ORDER BY id",
           argument)) {
    long long id = row[0].as<long long>();
    found.insert(id);
    (row[1].as<bool>() ? report.requeued : report.not_retryable).push_back(id);
  }
  for (long long id : asked)
    if (!found.count(id)) report.not_found.push_back(id);
  if (!report.requeued.empty()) wake_sleeping_sidecar(tx, schema_name_);
  tx.commit();
  return report;
}

RetryReport DeadLetters::retry(pqxx::connection& conn, const std::vector<long long>& ids) const {
  std::vector<std::int64_t> list(ids.begin(), ids.end());
  return requeue(conn, "id = ANY($1::bigint[])", bigint_array_literal(list), ids);
}

RetryReport DeadLetters::retry_all(pqxx::connection& conn, const std::string& since,
                                   const RetryProgress& progress) const {
  const std::string chosen = "($1 = '' OR failed_at >= $1::timestamptz)";
  long long total = 0;
  if (progress)
    total = pqxx::read_transaction(conn).exec_params1("SELECT count(*) FROM " + schema_ + ".dead_letters WHERE " +
                                                      chosen, since)[0].as<long long>();
  RetryReport all;
  long long after = 0;  // the highest id done
  for (;;) {
    auto batch = requeue(conn, chosen + " AND id > " + std::to_string(after) + " ORDER BY id LIMIT 1000", since, {});
    if (batch.requeued.empty() && batch.not_retryable.empty()) break;
    for (const auto* ids : {&batch.requeued, &batch.not_retryable})  // each in id order
      if (!ids->empty()) after = std::max(after, ids->back());
    all.requeued.insert(all.requeued.end(), batch.requeued.begin(), batch.requeued.end());
    all.not_retryable.insert(all.not_retryable.end(), batch.not_retryable.begin(), batch.not_retryable.end());
    if (progress) progress(static_cast<long long>(all.requeued.size() + all.not_retryable.size()), total);
  }
  return all;
}

long long DeadLetters::purge(pqxx::connection& conn, const std::string& before) const {
  pqxx::work tx(conn, "pushsync_dead_letters_purge");
  auto result = tx.exec_params("DELETE FROM " + schema_ + ".dead_letters WHERE failed_at < $1::timestamptz", before);
  tx.commit();
  return static_cast<long long>(result.affected_rows());
}

}  // namespace pushsync::db
