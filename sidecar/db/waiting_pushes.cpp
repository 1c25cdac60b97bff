#include "sidecar/db/waiting_pushes.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include "sidecar/db/sql_text.hpp"

namespace pushsync::db {

std::vector<WaitingPush> waiting_pushes(pqxx::connection& conn, const std::string& schema,
                                        const std::string& installation, int limit) {
  pqxx::read_transaction tx(conn);
  std::vector<WaitingPush> out;
  for (const auto& row : tx.exec_params("SELECT tbl, row_id, attempts, coalesce(last_error, ''), " +
                                            rfc3339_text("due_at") + " FROM " + quote_ident(schema) +
                                            ".deliveries WHERE installation_id = $1 ORDER BY due_at LIMIT $2",
                                        installation, limit))
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(), row[3].as<std::string>(),
                   row[4].as<std::string>()});
  return out;
}

}  // namespace pushsync::db
