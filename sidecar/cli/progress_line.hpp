#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace pushsync::cli {

// One line of progress on a terminal (stderr): the latest text and the time
// since the command began, rewritten in place when the text changes and
// every half second while a long statement runs. On anything but a terminal
// (a pipe, a file, a log collector) it prints nothing at all.
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();  // ends the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void show(std::string_view text);

 private:
  using Clock = std::chrono::steady_clock;
  void draw();  // with mutex_ held
  void tick();

  bool terminal_;
  Clock::time_point began_ = Clock::now();
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::string text_;
  std::thread ticker_;
};

}  // namespace pushsync::cli
