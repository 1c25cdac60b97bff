#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <pqxx/connection>

namespace pushsync::db {

// A thread that talks to PostgreSQL over one connection. libpqxx calls
// block, so they run here, fed by a queue; results are posted back to the
// io_context. With a `listen_channel`, the same connection LISTENs on it:
// between tasks the thread waits in poll() on the connection's socket and
// its queue, so a NOTIFY reaches `on_notify` (on the io_context) without a
// second connection. A lost connection is reported as a notification too:
// whatever was notified meanwhile is unknown.
// A broken connection is dropped and reopened by the next task.
struct Notification {
  std::string payload;
  bool from_this_connection = false;  // sent by a task of this thread
  bool connection_lost = false;       // notifications may have been missed
};

class DbThread {
 public:
  // asynchronous: commits may be lost in a database crash, which only
  // unclaims or redelivers outbox work. synchronous: for writes a client
  // is told are done (the API).
  enum class Commit { asynchronous, synchronous };
  DbThread(std::string url, std::string listen_channel, boost::asio::io_context& io,
           std::function<void(const Notification&)> on_notify, Commit commit = Commit::asynchronous);
  ~DbThread();
  DbThread(const DbThread&) = delete;
  DbThread& operator=(const DbThread&) = delete;

  // Runs a copy of `task(connection)` on the database thread; exceptions
  // propagate to the awaiting coroutine. The result type must be
  // default-constructible. In a coroutine, pass a named task when it
  // captures anything with a destructor: GCC 12 destroys such temporaries of
  // a co_await expression twice.
  template <class Task>
  auto run(const Task& task) -> boost::asio::awaitable<std::invoke_result_t<Task&, pqxx::connection&>>;

  // Called on the database thread just before the connection is closed
  // (broken, or the thread ends), for state tied to it. Set before the first run().
  void on_disconnect(std::function<void()> callback) { on_disconnect_ = std::move(callback); }

 private:
  using Job = std::function<void()>;
  void enqueue(Job job);
  void loop();
  void wait_for_work_or_notification();
  pqxx::connection& connection();
  void drop_connection_if_broken(std::exception_ptr error);
  void deliver_notifications();
  void drop_connection();

  std::string url_;
  std::string listen_channel_;
  boost::asio::io_context& io_;
  std::function<void(const Notification&)> on_notify_;
  Commit commit_;
  std::function<void()> on_disconnect_;

  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::notification_receiver> receiver_;
  bool listened_before_ = false;

  std::mutex mutex_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  int wake_fd_ = -1;  // eventfd: new job or stop
  std::thread thread_;
};

// Not a coroutine itself: it returns asio's awaitable for the operation, so
// the task lives in that operation and no temporary of a co_await
// expression of ours owns it (GCC 12 destroys such temporaries too early).
template <class Task>
auto DbThread::run(const Task& task) -> boost::asio::awaitable<std::invoke_result_t<Task&, pqxx::connection&>> {
  using Result = std::invoke_result_t<Task&, pqxx::connection&>;
  namespace asio = boost::asio;
  auto initiation = [this, task = std::make_shared<Task>(task)](auto handler) mutable {
    auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
    auto work = asio::make_work_guard(io_);
    enqueue([this, task, shared_handler, work]() mutable {
      std::exception_ptr error;
      Result result{};
      try {
        result = (*task)(connection());
      } catch (...) {
        error = std::current_exception();
        drop_connection_if_broken(error);
      }
      auto executor = asio::get_associated_executor(*shared_handler, io_.get_executor());
      asio::post(executor, [shared_handler, error, result = std::move(result)]() mutable {
        (*shared_handler)(error, std::move(result));
      });
      work.reset();
    });
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, Result)>(
      std::move(initiation), asio::use_awaitable);
}

}  // namespace pushsync::db
