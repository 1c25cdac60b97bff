#pragma once

#include <exception>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pushsync {

// Work started now and awaited later, so that two things overlap (Boost
// 1.74 has no parallel_group). The result, or the exception, waits in the
// object until get().
template <class T>
class Eager {
 public:
  Eager(const boost::asio::any_io_executor& ex, boost::asio::awaitable<T> work)
      : state_(std::make_shared<State>(ex)) {
    boost::asio::co_spawn(ex, std::move(work), [state = state_](std::exception_ptr error, T value) {
      state->error = error;
      if (!error) state->value = std::move(value);
      state->finished = true;
      state->done.cancel();
    });
  }

  boost::asio::awaitable<T> get() {
    auto state = state_;
    if (!state->finished) {
      boost::system::error_code ignored;
      co_await state->done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    if (state->error) std::rethrow_exception(state->error);
    co_return std::move(*state->value);
  }

 private:
  struct State {
    explicit State(const boost::asio::any_io_executor& ex)
        : done(ex, boost::asio::steady_timer::time_point::max()) {}
    boost::asio::steady_timer done;  // cancelled when finished
    std::optional<T> value;
    std::exception_ptr error;
    bool finished = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace pushsync
