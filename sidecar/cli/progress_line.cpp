#include "sidecar/cli/progress_line.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace pushsync::cli {

ProgressLine::ProgressLine() : terminal_(isatty(STDERR_FILENO) == 1) {
  if (terminal_) ticker_ = std::thread([this] { tick(); });
}

ProgressLine::~ProgressLine() {
  if (!terminal_) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_one();
  ticker_.join();
  if (!text_.empty()) std::fputs("\n", stderr);
}

void ProgressLine::show(std::string_view text) {
  if (!terminal_) return;
  std::lock_guard lock(mutex_);
  text_ = text;
  draw();
}

void ProgressLine::draw() {
  if (text_.empty()) return;
  const double seconds = std::chrono::duration<double>(Clock::now() - began_).count();
  // Back to the line's start, the text, then the rest of the old line erased.
  fmt::print(stderr, "\r{} ({:.1f} s)\033[K", text_, seconds);
  std::fflush(stderr);
}

void ProgressLine::tick() {
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; })) draw();
}

}  // namespace pushsync::cli
