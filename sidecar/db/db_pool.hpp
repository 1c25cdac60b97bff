#pragma once

#include <memory>
#include <vector>

#include "sidecar/db/db_thread.hpp"

namespace pushsync::db {

// A few database threads taken in turn, for work whose callers each wait
// for a synchronous commit (the HTTP API): their WAL flushes overlap.
class DbPool {
 public:
  DbPool(const std::string& url, int size, boost::asio::io_context& io) {
    for (int i = 0; i < size; ++i)
      threads_.push_back(
          std::make_unique<DbThread>(url, "", io, [](const Notification&) {}, DbThread::Commit::synchronous));
  }

  template <class Task>
  auto run(const Task& task) {
    return threads_[next_++ % threads_.size()]->run(task);
  }

 private:
  std::vector<std::unique_ptr<DbThread>> threads_;
  std::size_t next_ = 0;
};

}  // namespace pushsync::db
