#include "sidecar/db/ws_mailbox.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "sidecar/db/sql_text.hpp"

namespace pushsync::db {

WsMailbox::WsMailbox(const std::string& schema) : schema_(quote_ident(schema)) {}

void WsMailbox::put(pqxx::connection& conn, const std::vector<Letter>& letters, Duration ttl) const {
  if (letters.empty()) return;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& l : letters) rows.push_back({{"i", l.installation_id}, {"f", l.frame}});
  pqxx::nontransaction tx(conn);
  tx.exec_params("INSERT INTO " + schema_ + ".ws_mailbox (installation_id, frame, expires_at) "
                 "SELECT r.i, r.f, now() + $2::bigint * interval '1 millisecond' "
                 "FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (i text, f text)) WITH ORDINALITY AS r(i, f, n) "
                 "JOIN " + schema_ + ".installations ON installation_id = r.i ORDER BY r.n",
                 rows.dump(), static_cast<long long>(ttl.count()));
}

std::vector<WsMailbox::Stored> WsMailbox::pending(pqxx::connection& conn, const std::string& installation_id,
                                                  std::int64_t after, int limit) const {
  pqxx::nontransaction tx(conn);
  std::vector<Stored> out;
  for (const auto& row : tx.exec_params("SELECT id, frame FROM " + schema_ + ".ws_mailbox WHERE installation_id = $1 "
                                        "AND id > $2 AND expires_at > now() ORDER BY id LIMIT $3",
                                        installation_id, after, limit))
    out.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>()});
  return out;
}

void WsMailbox::acknowledge(pqxx::connection& conn, const std::string& installation_id,
                            const std::vector<std::int64_t>& ids) const {
  if (ids.empty()) return;
  pqxx::nontransaction tx(conn);
  tx.exec_params("DELETE FROM " + schema_ + ".ws_mailbox WHERE installation_id = $1 AND id = ANY($2::bigint[])",
                 installation_id, bigint_array_literal(ids));
}

long long WsMailbox::expire(pqxx::connection& conn) const {
  pqxx::nontransaction tx(conn);
  return static_cast<long long>(
      tx.exec("DELETE FROM " + schema_ + ".ws_mailbox WHERE expires_at <= now()").affected_rows());
}

}  // namespace pushsync::db
