#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/ws_mailbox.hpp"

namespace pushsync::push {

// The ids of the letters this sidecar stores, drawn from the mailbox's
// sequence ahead of need: numbering a letter then costs no round trip
// before its frame is written (it cost one, about half a millisecond of a
// push to a device that waits for it). Ids drawn and not used when the
// sidecar stops are skipped; ids only need to be unique, and a device's
// letters from one sidecar keep their order.
class WsLetterIds {
 public:
  WsLetterIds(db::DbThread& db, const db::WsMailbox& mailbox, boost::asio::any_io_executor executor,
              std::size_t reserve = 1000);

  // Gives each letter the next id, in order; draws what is missing first,
  // then draws the reserve back up in the background.
  boost::asio::awaitable<void> number(std::vector<db::WsMailbox::Letter>& letters);

 private:
  boost::asio::awaitable<void> draw(std::size_t count);
  boost::asio::awaitable<void> refill();

  db::DbThread& db_;
  const db::WsMailbox& mailbox_;
  boost::asio::any_io_executor executor_;
  std::size_t reserve_;
  std::deque<std::int64_t> spare_;  // ascending
  bool refilling_ = false;
};

}  // namespace pushsync::push
