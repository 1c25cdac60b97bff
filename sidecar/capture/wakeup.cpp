#include "sidecar/capture/wakeup.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pushsync::capture {

void Wakeup::notify() {
  pending_ = true;
  timer_.cancel();
}

boost::asio::awaitable<bool> Wakeup::wait(Duration timeout) {
  if (!pending_) {
    timer_.expires_after(timeout);
    boost::system::error_code ec;
    co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  bool woken = pending_;
  pending_ = false;
  co_return woken;
}

}  // namespace pushsync::capture
