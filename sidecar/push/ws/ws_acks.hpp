#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "sidecar/db/db_thread.hpp"
#include "sidecar/db/ws_mailbox.hpp"

namespace pushsync::push {

class WsSession;

// The acknowledgements of every session, deleted from the mailbox in
// batches: while one DELETE runs, the next acknowledgements gather. A
// letter stays in its session's window until its deletion is committed, so
// no read of the mailbox can hand it to the device again.
class WsAcks {
 public:
  WsAcks(db::DbThread& db, const db::WsMailbox& mailbox, boost::asio::any_io_executor executor);

  // `session` acknowledged letter `id`; session->deleted(id) follows.
  void add(const std::shared_ptr<WsSession>& session, std::int64_t id);

 private:
  boost::asio::awaitable<void> flush();

  db::DbThread& db_;
  const db::WsMailbox& mailbox_;
  boost::asio::any_io_executor executor_;
  std::vector<std::pair<std::weak_ptr<WsSession>, std::int64_t>> waiting_;
  bool flushing_ = false;
};

}  // namespace pushsync::push
