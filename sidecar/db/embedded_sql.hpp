#pragma once

#include <string_view>
#include <vector>

namespace pushsync::db {

struct EmbeddedSql {
  std::string_view name;  // file name, e.g. "001_outbox.sql"
  std::string_view text;
};

// sql/*.sql in name order, and triggers/*.sql; compiled in by CMake.
const std::vector<EmbeddedSql>& embedded_migrations();
const std::vector<EmbeddedSql>& embedded_triggers();

}  // namespace pushsync::db
