#pragma once

#include <string>

#include <pqxx/connection>

#include "sidecar/route/directory.hpp"

namespace pushsync::db {

// The installations table (and tags_sql) as the router's Directory. Each
// query runs on its own, so a failing tags_sql spoils nothing else.
class PgDirectory : public route::Directory {
 public:
  PgDirectory(pqxx::connection& conn, const std::string& schema);
  std::vector<route::TaggedInstallation> installations_for(const std::vector<std::string>& tags) override;
  std::vector<std::string> tags_from_sql(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& args) override;

 private:
  pqxx::connection& conn_;
  std::string installations_query_;
};

}  // namespace pushsync::db
