#include "sidecar/push/ws/ws_provider.hpp"

#include <spdlog/spdlog.h>

#include "sidecar/push/wire_format.hpp"

namespace pushsync::push {

WsProvider::WsProvider(const config::Config& config, WsHub& hub) : ttl_(config.delivery.expiration), hub_(hub) {}

boost::asio::awaitable<std::vector<Outcome>> WsProvider::send(std::span<const Push> pushes) {
  std::vector<WsHub::Letter> letters;
  letters.reserve(pushes.size());
  for (const auto& push : pushes) letters.push_back({0, push.target.id, wire_body(push, ttl_)});
  const bool sweep = Clock::now() >= next_sweep_;
  if (sweep) next_sweep_ = Clock::now() + std::chrono::minutes(1);
  std::string error;
  try {
    co_await hub_.store(std::move(letters), ttl_, sweep);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    spdlog::warn("ws: cannot store {} push(es) in the mailbox: {}", pushes.size(), error);
    co_return std::vector<Outcome>(pushes.size(), Outcome::retry("ws mailbox: " + error));
  }
  co_return std::vector<Outcome>(pushes.size(), Outcome::accepted());
}

}  // namespace pushsync::push
