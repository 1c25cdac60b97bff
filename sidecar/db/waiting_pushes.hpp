#pragma once

#include <string>
#include <vector>

#include <pqxx/connection>

namespace pushsync::db {

// A push to one installation waiting in pushsync.deliveries to be retried
// (or for its provider); times are RFC 3339.
struct WaitingPush {
  std::string table;  // the `tables:` key ("" for a direct push)
  std::string row_id;
  int attempts = 0;
  std::string last_error;
  std::string due_at;
};

// The first `limit` of them by due time (the index of (installation, record)).
std::vector<WaitingPush> waiting_pushes(pqxx::connection& conn, const std::string& schema,
                                        const std::string& installation, int limit);

}  // namespace pushsync::db
