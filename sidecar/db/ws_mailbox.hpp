#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "sidecar/model/duration.hpp"

namespace pushsync::db {

// Frames for `ws` devices, held in the database until the device
// acknowledges them or they expire; every call runs on a database thread.
class WsMailbox {
 public:
  explicit WsMailbox(const std::string& schema);

  struct Letter {
    std::string installation_id;
    std::string frame;  // the JSON text the device receives
  };
  struct Stored {
    std::int64_t id = 0;
    std::string frame;
  };

  // Stores each letter until now + `ttl`; letters for installations deleted
  // meanwhile are dropped.
  void put(pqxx::connection& conn, const std::vector<Letter>& letters, Duration ttl) const;
  // Unexpired letters of one installation with id > `after`, oldest first.
  std::vector<Stored> pending(pqxx::connection& conn, const std::string& installation_id, std::int64_t after,
                              int limit) const;
  void acknowledge(pqxx::connection& conn, const std::string& installation_id, const std::vector<std::int64_t>& ids) const;
  // Deletes expired letters; returns how many.
  long long expire(pqxx::connection& conn) const;

 private:
  std::string schema_;  // quoted
};

}  // namespace pushsync::db
