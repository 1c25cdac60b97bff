#include "sidecar/push/ws/ws_letter_ids.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

namespace pushsync::push {

WsLetterIds::WsLetterIds(db::DbThread& db, const db::WsMailbox& mailbox, boost::asio::any_io_executor executor,
                         std::size_t reserve)
    : db_(db), mailbox_(mailbox), executor_(std::move(executor)), reserve_(reserve) {}

boost::asio::awaitable<void> WsLetterIds::number(std::vector<db::WsMailbox::Letter>& letters) {
  if (spare_.size() < letters.size()) co_await draw(letters.size() - spare_.size() + reserve_);
  for (auto& letter : letters) {
    letter.id = spare_.front();
    spare_.pop_front();
  }
  if (spare_.size() < reserve_ / 2 && !refilling_) {
    refilling_ = true;
    boost::asio::co_spawn(executor_, refill(), boost::asio::detached);
  }
}

// Drawn ids are larger than every spare one: the spares stay ascending.
boost::asio::awaitable<void> WsLetterIds::draw(std::size_t count) {
  auto ids = co_await db_.run([this, count](pqxx::connection& conn) { return mailbox_.draw_ids(conn, count); });
  spare_.insert(spare_.end(), ids.begin(), ids.end());
}

boost::asio::awaitable<void> WsLetterIds::refill() {
  try {
    if (spare_.size() < reserve_) co_await draw(reserve_ - spare_.size());
  } catch (const std::exception& e) {
    spdlog::debug("ws: cannot draw letter ids ahead: {}", e.what());  // the next store draws its own
  }
  refilling_ = false;
}

}  // namespace pushsync::push
