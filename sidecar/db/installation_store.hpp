#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "sidecar/model/platform.hpp"

namespace pushsync::db {

// An installation as the API shows it; times are RFC 3339 (UTC).
struct InstallationRecord {
  std::string id;
  Platform platform = Platform::ws;
  std::string push_channel;
  std::vector<std::string> tags;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> disabled_at;
};

struct InstallationWrite {
  std::string id;
  Platform platform = Platform::ws;
  std::string push_channel;
  std::vector<std::string> tags;
  std::optional<std::string> channel_secret_sha256;  // ws only
};

struct FeedbackRecord {
  long long id = 0;
  std::string installation_id;
  std::string platform;
  std::string push_channel;
  std::string reason;
  std::string reported_at;
};

// The API's reads and writes of pushsync.installations and feedback; every
// call runs on a database thread.
class InstallationStore {
 public:
  explicit InstallationStore(const std::string& schema);

  struct PutResult {
    InstallationRecord installation;
    bool created = false;
    int moved_from = 0;  // other installations that held the same device token
  };
  // Registers or replaces; re-enables a disabled one. The same device token
  // under another installation id is moved here, so a device is never
  // registered twice.
  PutResult put(pqxx::connection& conn, const InstallationWrite& write) const;
  std::optional<InstallationRecord> get(pqxx::connection& conn, const std::string& id) const;
  bool remove(pqxx::connection& conn, const std::string& id) const;

  // The secret's SHA-256 of an enabled ws installation.
  std::optional<std::string> channel_secret_sha256(pqxx::connection& conn, const std::string& id) const;
  // The same for several: those found, by installation id.
  std::map<std::string, std::string> channel_secrets_sha256(pqxx::connection& conn,
                                                            const std::vector<std::string>& ids) const;

  // Rows reported at or after `since_rfc3339` (all when empty), oldest first.
  std::vector<FeedbackRecord> feedback(pqxx::connection& conn, const std::string& since_rfc3339, int limit) const;

 private:
  std::string schema_;  // quoted
  std::string ws_channel_;
};

}  // namespace pushsync::db
