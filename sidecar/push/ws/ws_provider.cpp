#include "sidecar/push/ws/ws_provider.hpp"

#include <spdlog/spdlog.h>

#include "sidecar/push/wire_format.hpp"

namespace pushsync::push {

WsProvider::WsProvider(db::DbThread& db, const config::Config& config, WsHub& hub)
    : db_(db), mailbox_(config.database.schema), ttl_(config.delivery.expiration), hub_(hub) {}

boost::asio::awaitable<std::vector<Outcome>> WsProvider::send(std::span<const Push> pushes) {
  std::vector<db::WsMailbox::Letter> letters;
  std::vector<std::string> ids;
  letters.reserve(pushes.size());
  for (const auto& push : pushes) {
    letters.push_back({push.target.id, wire_body(push, ttl_)});
    ids.push_back(push.target.id);
  }
  const bool sweep = Clock::now() >= next_sweep_;
  if (sweep) next_sweep_ = Clock::now() + std::chrono::minutes(1);
  std::string error;
  try {
    co_await db_.run([this, &letters, sweep](pqxx::connection& conn) {
      mailbox_.put(conn, letters, ttl_);
      if (sweep) mailbox_.expire(conn);
      return true;
    });
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    spdlog::warn("ws: cannot store {} push(es) in the mailbox: {}", pushes.size(), error);
    co_return std::vector<Outcome>(pushes.size(), Outcome::retry("ws mailbox: " + error));
  }
  hub_.mail_for(ids);
  co_return std::vector<Outcome>(pushes.size(), Outcome::accepted());
}

}  // namespace pushsync::push
