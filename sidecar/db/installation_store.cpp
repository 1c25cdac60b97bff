#include "sidecar/db/installation_store.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "sidecar/db/sql_text.hpp"
#include "sidecar/db/ws_mailbox.hpp"
#include "sidecar/db/ws_revocation.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::db {

namespace {

const std::string installation_columns = "installation_id, platform, push_channel, array_to_json(tags)::text, " +
                                         rfc3339_text("created_at") + ", " + rfc3339_text("updated_at") + ", " +
                                         rfc3339_text("disabled_at");

InstallationRecord installation_from(const pqxx::row& row) {
  InstallationRecord r;
  r.id = row[0].as<std::string>();
  r.platform = parse_platform(row[1].as<std::string>()).value_or(Platform::ws);
  r.push_channel = row[2].as<std::string>();
  for (const auto& tag : parse_json(row[3].as<std::string>())) r.tags.push_back(tag.get<std::string>());
  r.created_at = row[4].as<std::string>();
  r.updated_at = row[5].as<std::string>();
  if (!row[6].is_null()) r.disabled_at = row[6].as<std::string>();
  return r;
}

}  // namespace

InstallationStore::InstallationStore(const std::string& schema)
    : schema_(quote_ident(schema)), ws_channel_(ws_channel(schema)) {}

InstallationStore::PutResult InstallationStore::put(pqxx::connection& conn, const InstallationWrite& w) const {
  pqxx::work tx(conn);
  PutResult result;
  // ws channels are named by their installation; apns/fcm tokens are unique.
  if (w.platform != Platform::ws)
    result.moved_from = static_cast<int>(tx.exec_params("DELETE FROM " + schema_ + ".installations WHERE platform = $1 AND "
                                       "push_channel = $2 AND installation_id <> $3",
                                       std::string(to_string(w.platform)), w.push_channel, w.id)
                            .affected_rows());
  // The secret it replaces is revoked with it (read under the row's lock:
  // a concurrent PUT revokes the one this one issues).
  auto replaced = tx.exec_params("SELECT channel_secret_sha256 FROM " + schema_ + ".installations WHERE "
                                 "installation_id = $1 AND channel_secret_sha256 IS NOT NULL FOR UPDATE", w.id);
  auto row = tx.exec_params1(
      "INSERT INTO " + schema_ + ".installations AS i (installation_id, platform, push_channel, tags, "
      "channel_secret_sha256) VALUES ($1, $2, $3, $4::text[], $5) ON CONFLICT (installation_id) DO UPDATE SET "
      "platform = EXCLUDED.platform, push_channel = EXCLUDED.push_channel, tags = EXCLUDED.tags, "
      "channel_secret_sha256 = EXCLUDED.channel_secret_sha256, updated_at = now(), disabled_at = NULL, "
      "last_error = NULL RETURNING (xmax = 0), " + installation_columns,
      w.id, std::string(to_string(w.platform)), w.push_channel, text_array_literal(w.tags), w.channel_secret_sha256);
  if (!replaced.empty()) WsRevocation{w.id, replaced[0][0].as<std::string>()}.notify(tx, ws_channel_);
  tx.commit();
  result.created = row[0].as<bool>();
  pqxx::row installation = row.slice(1, row.size());
  result.installation = installation_from(installation);
  return result;
}

std::optional<InstallationRecord> InstallationStore::get(pqxx::connection& conn, const std::string& id) const {
  pqxx::nontransaction tx(conn);
  auto rows = tx.exec_params("SELECT " + installation_columns + " FROM " + schema_ +
                                 ".installations WHERE installation_id = $1",
                             id);
  if (rows.empty()) return std::nullopt;
  return installation_from(rows[0]);
}

bool InstallationStore::remove(pqxx::connection& conn, const std::string& id) const {
  pqxx::work tx(conn);
  auto removed = tx.exec_params("DELETE FROM " + schema_ + ".installations WHERE installation_id = $1 "
                                "RETURNING channel_secret_sha256", id);
  if (!removed.empty() && !removed[0][0].is_null()) {
    WsRevocation{id, removed[0][0].as<std::string>()}.notify(tx, ws_channel_);
    tx.exec_params("DELETE FROM " + schema_ + ".ws_mailbox WHERE installation_id = $1", id);  // its letters
  }
  tx.commit();
  return !removed.empty();
}

std::optional<std::string> InstallationStore::channel_secret_sha256(pqxx::connection& conn,
                                                                    const std::string& id) const {
  auto found = channel_secrets_sha256(conn, {id});
  if (found.empty()) return std::nullopt;
  return found.begin()->second;
}

std::map<std::string, std::string> InstallationStore::channel_secrets_sha256(
    pqxx::connection& conn, const std::vector<std::string>& ids) const {
  pqxx::nontransaction tx(conn);
  std::map<std::string, std::string> out;
  for (const auto& row : tx.exec_params("SELECT installation_id, channel_secret_sha256 FROM " + schema_ +
                                            ".installations WHERE installation_id = ANY($1::text[]) AND platform = "
                                            "'ws' AND disabled_at IS NULL AND channel_secret_sha256 IS NOT NULL",
                                        text_array_literal(ids)))
    out[row[0].as<std::string>()] = row[1].as<std::string>();
  return out;
}

std::vector<FeedbackRecord> InstallationStore::feedback(pqxx::connection& conn, const std::string& since_rfc3339,
                                                        int limit) const {
  pqxx::nontransaction tx(conn);
  std::vector<FeedbackRecord> out;
  auto rows = tx.exec_params("SELECT id, installation_id, platform, push_channel, reason, " + rfc3339_text("reported_at") +
                                 " FROM " + schema_ + ".feedback WHERE ($1 = '' OR reported_at >= $1::timestamptz) "
                                 "ORDER BY reported_at, id LIMIT $2",
                             since_rfc3339, limit);
  for (const auto& row : rows)
    out.push_back({row[0].as<long long>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>()});
  return out;
}

}  // namespace pushsync::db
