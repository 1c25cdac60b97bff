#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pushsync::metrics {

using WallTime = std::chrono::system_clock::time_point;

// One push as it was answered.
struct SentPush {
  std::string_view installation;
  std::string_view platform;
  std::string_view record;   // "<table key>\n<row id>", or "#<change id>" for a direct push
  std::string_view outcome;  // accepted, retry, dead, invalid_token, provider_down
  std::string_view reason;   // the provider's words when not accepted
};

// What became of the latest pushes, for the console (GET /v1/status): each
// platform's state, and the last pushes to each installation among the
// `remembered` newest this sidecar sent. Used only on the io_context thread.
class PushStatus {
 public:
  // A platform fails from its first answer that is neither accepted nor a
  // device's own (invalid_token) until the next acceptance.
  struct Platform {
    std::optional<WallTime> failing_since;
    std::string last_error;
    WallTime last_error_at{};
    WallTime last_accepted_at{};
  };
  struct Remembered {
    std::string installation, platform, record, outcome, reason;
    WallTime at;
  };

  explicit PushStatus(std::size_t remembered = 4096) : capacity_(remembered) {}

  void record(const SentPush& push, WallTime at);
  const std::map<std::string, Platform, std::less<>>& platforms() const { return platforms_; }
  // Newest first.
  std::vector<Remembered> sent_to(std::string_view installation) const;

 private:
  std::map<std::string, Platform, std::less<>> platforms_;
  std::size_t capacity_;
  std::vector<Remembered> ring_;  // grows to capacity_, then next_ is overwritten
  std::size_t next_ = 0;
};

}  // namespace pushsync::metrics
