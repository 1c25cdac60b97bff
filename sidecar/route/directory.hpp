#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/model/push.hpp"

namespace pushsync::route {

// Every installation implicitly carries the tag "$InstallationId:{id}", so
// a push can address devices by id.
inline constexpr std::string_view installation_tag_prefix = "$InstallationId:";

struct TaggedInstallation {
  std::string tag;
  Installation installation;
};

// Where audiences come from: the database in production (db/pg_directory),
// a table in memory in unit tests.
class Directory {
 public:
  virtual ~Directory() = default;
  // Enabled installations carrying any of `tags`, one row per matching tag.
  virtual std::vector<TaggedInstallation> installations_for(const std::vector<std::string>& tags) = 0;
  // Rows of a table's tags_sql; throws on SQL errors.
  virtual std::vector<std::string> tags_from_sql(const std::string& sql,
                                                 const std::vector<std::optional<std::string>>& args) = 0;
};

}  // namespace pushsync::route
