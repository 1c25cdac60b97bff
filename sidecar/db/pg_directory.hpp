#pragma once

#include <string>

#include <pqxx/dbtransaction>

#include "sidecar/route/directory.hpp"

namespace pushsync::db {

// The installations table (and tags_sql) as the router's Directory, read in
// the caller's transaction. Each tags_sql runs in a savepoint of its own, so
// a failing one spoils nothing else.
class PgDirectory : public route::Directory {
 public:
  PgDirectory(pqxx::dbtransaction& tx, const std::string& schema);
  std::vector<route::TaggedInstallation> installations_for(const std::vector<std::string>& tags) override;
  std::vector<std::string> tags_from_sql(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& args) override;

 private:
  pqxx::dbtransaction& tx_;
  std::string installations_query_;
};

}  // namespace pushsync::db
