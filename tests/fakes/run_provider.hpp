#pragma once

#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sidecar/push/provider.hpp"

namespace pushsync::test {

// Sends `batches` one after another through `provider` (made on `io`),
// `pause` apart, then closes it; the outcomes of each batch.
inline std::vector<std::vector<push::Outcome>> run_provider(boost::asio::io_context& io, push::Provider& provider,
                                                            std::vector<std::vector<Push>> batches,
                                                            Duration pause = Duration(0)) {
  std::vector<std::vector<push::Outcome>> outcomes;
  auto run = [&]() -> boost::asio::awaitable<void> {
    boost::asio::steady_timer timer(io);
    for (auto& batch : batches) {
      outcomes.push_back(co_await provider.send(batch));
      timer.expires_after(pause);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    provider.close();
  };
  boost::asio::co_spawn(io, run, boost::asio::detached);
  io.run();  // returns once the provider's connections are closed: nothing left running
  return outcomes;
}

}  // namespace pushsync::test
