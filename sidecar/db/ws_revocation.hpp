#pragma once

#include <optional>
#include <string>

#include <pqxx/transaction_base>

namespace pushsync::db {

// A ws installation's channel secret replaced (a PUT issued a new one) or
// deleted with it: told on the ws channel (ws_channel) in the writing
// transaction, so every sidecar closes that device's connection if it was
// made with that secret. A secret stops working at once, not at the next
// connect; a connection made with the new one is not touched, whenever the
// notice arrives.
struct WsRevocation {
  std::string installation_id;
  std::string secret_sha256;  // of the secret revoked

  std::string payload() const;  // "revoked <sha256> <installation id>"
  static std::optional<WsRevocation> parse(const std::string& payload);
  // NOTIFY it on `channel`; delivered when `tx` commits.
  void notify(pqxx::transaction_base& tx, const std::string& channel) const;
};

}  // namespace pushsync::db
