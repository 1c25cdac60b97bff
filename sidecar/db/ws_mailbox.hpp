#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "sidecar/model/duration.hpp"

namespace pushsync::db {

// The NOTIFY channel of the ws devices of `schema`: stored letters
// (WsMailbox) and revoked secrets (WsRevocation).
std::string ws_channel(const std::string& schema);

// Frames for `ws` devices, held in the database until the device
// acknowledges them or they expire; every call runs on a database thread.
// Other sidecars on the same database learn of stored letters by one
// NOTIFY per put() on channel(), carrying the range of ids stored.
class WsMailbox {
 public:
  explicit WsMailbox(const std::string& schema);

  struct Letter {
    std::int64_t id = 0;  // 0 until stored
    std::string installation_id;
    std::string frame;  // the JSON text the device receives
  };

  // `count` new letter ids from the mailbox's sequence, ascending.
  std::vector<std::int64_t> draw_ids(pqxx::connection& conn, std::size_t count) const;
  // Stores numbered letters until now + `ttl` and notifies the other
  // sidecars (letters for installations deleted meanwhile are dropped).
  void put(pqxx::connection& conn, const std::vector<Letter>& letters, Duration ttl) const;
  // Unexpired letters of one installation with id > `after`, oldest first.
  std::vector<Letter> pending(pqxx::connection& conn, const std::string& installation_id, std::int64_t after,
                              int limit) const;
  // Unexpired letters with ids in [first, last] (what another sidecar
  // notified), oldest first.
  std::vector<Letter> range(pqxx::connection& conn, std::int64_t first, std::int64_t last) const;
  // Deletes acknowledged letters.
  void acknowledge(pqxx::connection& conn, const std::vector<std::int64_t>& ids) const;
  // Deletes expired letters; returns how many.
  long long expire(pqxx::connection& conn) const;

  // The NOTIFY channel, and its payload "first last" parsed (false if malformed).
  const std::string& channel() const { return channel_; }
  static bool parse_range(const std::string& payload, std::int64_t& first, std::int64_t& last);

 private:
  std::string schema_;  // quoted
  std::string channel_;
};

}  // namespace pushsync::db
