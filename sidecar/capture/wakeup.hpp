#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sidecar/model/duration.hpp"

namespace pushsync::capture {

// A doorbell on the io_context: notify() (a NOTIFY arrived, or shutdown)
// ends the current or next wait early.
class Wakeup {
 public:
  explicit Wakeup(boost::asio::io_context& io) : timer_(io) {}

  void notify();
  // True when woken by notify(), false when `timeout` passed.
  boost::asio::awaitable<bool> wait(Duration timeout);

 private:
  boost::asio::steady_timer timer_;
  bool pending_ = false;
};

}  // namespace pushsync::capture
