#pragma once

#include <string>

#include <pqxx/dbtransaction>

#include "sidecar/route/directory.hpp"

namespace pushsync::db {

// The installations (through installation_tags) and tags_sql as the
// router's Directory, read in the caller's transaction. Each tags_sql runs
// in a savepoint of its own, so a failing one spoils nothing else.
class PgDirectory : public route::Directory {
 public:
  PgDirectory(pqxx::dbtransaction& tx, const std::string& schema);
  std::vector<std::vector<Installation>> audiences(const std::vector<route::AudienceKey>& keys, int limit) override;
  std::vector<std::string> tags_from_sql(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& args) override;
  // Enabled installations carrying any of `tags` (the push API's answer).
  long long count(const std::vector<std::string>& tags);

 private:
  std::optional<std::vector<std::vector<Installation>>> whole_audiences(const std::vector<route::AudienceKey>& keys,
                                                                        int limit);
  std::vector<std::vector<Installation>> audiences_in_chunks(const std::vector<route::AudienceKey>& keys, int limit);

  pqxx::dbtransaction& tx_;
  std::string schema_;  // quoted
};

}  // namespace pushsync::db
