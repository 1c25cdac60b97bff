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

// One audience to read: the installations carrying `tag` whose ids sort
// (bytewise) after `after`; a fan-out continues where its last chunk ended.
struct AudienceKey {
  std::string tag;
  std::string after;
  auto operator<=>(const AudienceKey&) const = default;
};

// Where audiences come from: the database in production (db/pg_directory),
// a table in memory in unit tests.
class Directory {
 public:
  virtual ~Directory() = default;
  // For each key, in order: at most `limit` enabled installations carrying
  // its tag, ascending by id (bytewise), all after key.after.
  virtual std::vector<std::vector<Installation>> audiences(const std::vector<AudienceKey>& keys, int limit) = 0;
  // Rows of a table's tags_sql; throws on SQL errors.
  virtual std::vector<std::string> tags_from_sql(const std::string& sql,
                                                 const std::vector<std::optional<std::string>>& args) = 0;
};

}  // namespace pushsync::route
