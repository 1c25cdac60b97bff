#include "sidecar/push/ws/ws_acks.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/push/ws/ws_session.hpp"

namespace pushsync::push {

namespace asio = boost::asio;

WsAcks::WsAcks(db::DbThread& db, const db::WsMailbox& mailbox, asio::any_io_executor executor)
    : db_(db), mailbox_(mailbox), executor_(std::move(executor)) {}

void WsAcks::add(const std::shared_ptr<WsSession>& session, std::int64_t id) {
  waiting_.emplace_back(session, id);
  if (flushing_) return;
  flushing_ = true;
  asio::co_spawn(executor_, flush(), asio::detached);
}

asio::awaitable<void> WsAcks::flush() {
  while (!waiting_.empty()) {
    auto batch = std::move(waiting_);
    waiting_.clear();
    std::vector<std::int64_t> ids;
    ids.reserve(batch.size());
    for (const auto& entry : batch) ids.push_back(entry.second);
    std::string error;
    try {
      auto remove = [this, ids](pqxx::connection& conn) {
        mailbox_.acknowledge(conn, ids);
        return true;
      };
      co_await db_.run(remove);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      // The letters stay in their sessions' windows (not sent again) while
      // this is retried; those of ended sessions go out again next connection.
      spdlog::warn("ws: cannot delete {} acknowledged letter(s): {}; retrying in 1 s", ids.size(), error);
      std::erase_if(batch, [](const auto& entry) { return entry.first.expired(); });
      waiting_.insert(waiting_.begin(), batch.begin(), batch.end());
      asio::steady_timer pause(executor_, std::chrono::seconds(1));
      co_await pause.async_wait(asio::use_awaitable);
      continue;
    }
    for (const auto& [session, id] : batch)
      if (auto alive = session.lock()) alive->deleted(id);
  }
  flushing_ = false;
}

}  // namespace pushsync::push
