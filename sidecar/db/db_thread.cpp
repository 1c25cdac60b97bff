#include "sidecar/db/db_thread.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/notification>
#include <spdlog/spdlog.h>

namespace pushsync::db {

namespace {

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::string& channel, std::function<void(Notification)> on_notify)
      : pqxx::notification_receiver(c, channel), on_notify_(std::move(on_notify)) {}
  void operator()(const std::string& payload, int backend_pid) override {
    on_notify_({payload, backend_pid == conn().backendpid(), false});
  }

 private:
  std::function<void(Notification)> on_notify_;
};

}  // namespace

DbThread::DbThread(std::string url, std::string listen_channel, boost::asio::io_context& io,
                   std::function<void(const Notification&)> on_notify, Commit commit)
    : url_(std::move(url)),
      listen_channel_(std::move(listen_channel)),
      io_(io),
      on_notify_(std::move(on_notify)),
      commit_(commit) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  thread_ = std::thread([this] { loop(); });
}

DbThread::~DbThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
}

void DbThread::enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void DbThread::loop() {
  for (;;) {
    Job job;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      if (!jobs_.empty()) {
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
    }
    if (job) {
      job();
      deliver_notifications();
    } else {
      wait_for_work_or_notification();
    }
  }
  drop_connection();
}

void DbThread::drop_connection() {
  if (conn_ && on_disconnect_) on_disconnect_();
  receiver_.reset();
  conn_.reset();
}

void DbThread::wait_for_work_or_notification() {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {-1, POLLIN, 0}};
  if (conn_) fds[1].fd = conn_->sock();
  int ready = ::poll(fds, 2, -1);
  if (ready < 0) return;  // EINTR: look at the queue again
  if (fds[0].revents & POLLIN) {
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
  }
  if (fds[1].fd >= 0 && fds[1].revents) deliver_notifications();
}

void DbThread::deliver_notifications() {
  if (!conn_) return;
  try {
    conn_->get_notifs();
  } catch (const std::exception& e) {
    spdlog::warn("database connection lost while listening: {}", e.what());
    drop_connection();
    // Whoever waits for a wakeup must look at the outbox: the next claim
    // reconnects and sees what was committed meanwhile.
    boost::asio::post(io_, [this] { on_notify_({"", false, true}); });
  }
}

pqxx::connection& DbThread::connection() {
  if (!conn_) {
    conn_ = std::make_unique<pqxx::connection>(url_);
    // Claims and settles may commit asynchronously: losing one in a database
    // crash only unclaims or redelivers (at-least-once holds), and writers
    // stop sharing WAL flushes with us. The migrator opts back in.
    if (commit_ == Commit::asynchronous) pqxx::nontransaction(*conn_).exec("SET synchronous_commit = off");
    // Our queries are many and short: compiling them costs more than it saves.
    pqxx::nontransaction(*conn_).exec("SET jit = off");
    if (!listen_channel_.empty()) {
      receiver_ = std::make_unique<Receiver>(*conn_, listen_channel_, [this](Notification n) {
        boost::asio::post(io_, [this, n = std::move(n)] { on_notify_(n); });
      });
      // Listening again: what was notified while the connection was down is unknown.
      if (listened_before_) boost::asio::post(io_, [this] { on_notify_({"", false, true}); });
      listened_before_ = true;
    }
    spdlog::info("connected to database {} on {}", conn_->dbname(), conn_->hostname() ? conn_->hostname() : "socket");
  }
  return *conn_;
}

void DbThread::drop_connection_if_broken(std::exception_ptr error) {
  bool broken = conn_ && !conn_->is_open();
  try {
    std::rethrow_exception(error);
  } catch (const pqxx::broken_connection&) {
    broken = true;
  } catch (...) {
  }
  if (broken) drop_connection();
}

}  // namespace pushsync::db
