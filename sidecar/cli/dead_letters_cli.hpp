#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "sidecar/db/dead_letters.hpp"

namespace pushsync::cli {

// `pushsync dead-letters list|retry|purge`: what they print. Each returns
// the exit code. Times were checked by the caller (RFC 3339).

// A table (or, with `json`, one JSON object per line), oldest first.
int list_dead_letters(pqxx::connection& conn, const std::string& schema, const db::DeadLetterQuery& query,
                      bool json, std::ostream& out);
// `ids` empty: every dead letter failed at or after `since` ("" for all).
int retry_dead_letters(pqxx::connection& conn, const std::string& schema, const std::vector<long long>& ids,
                       const std::string& since, std::ostream& out, std::ostream& err);
int purge_dead_letters(pqxx::connection& conn, const std::string& schema, const std::string& before,
                       std::ostream& out);

}  // namespace pushsync::cli
