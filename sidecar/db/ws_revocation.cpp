#include "sidecar/db/ws_revocation.hpp"

#include <pqxx/transaction>

namespace pushsync::db {

namespace {
constexpr std::string_view revoked_prefix = "revoked ";
}

std::string WsRevocation::payload() const {
  return std::string(revoked_prefix) + secret_sha256 + " " + installation_id;
}

std::optional<WsRevocation> WsRevocation::parse(const std::string& payload) {
  if (!payload.starts_with(revoked_prefix)) return std::nullopt;
  const auto space = payload.find(' ', revoked_prefix.size());
  if (space == std::string::npos || space == revoked_prefix.size() || space + 1 == payload.size()) return std::nullopt;
  return WsRevocation{payload.substr(space + 1), payload.substr(revoked_prefix.size(), space - revoked_prefix.size())};
}

void WsRevocation::notify(pqxx::transaction_base& tx, const std::string& channel) const {
  tx.exec_params("SELECT pg_notify($1, $2)", channel, payload());
}

}  // namespace pushsync::db
