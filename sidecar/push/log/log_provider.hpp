#pragma once

#include <string>

#include "sidecar/model/duration.hpp"
#include "sidecar/push/provider.hpp"

namespace pushsync::push {

// delivery.dry_run: writes one JSON line per push that would be sent,
// {"platform","installation","payload"}, where payload is the body the
// platform's provider would carry (device tokens left out), and accepts it.
// Each batch is one write() on an O_APPEND descriptor, so several sidecars
// can share one file without tearing lines.
class LogProvider : public Provider {
 public:
  // `path` "-" means stdout; otherwise the file is appended to.
  LogProvider(const std::string& path, Duration ttl);
  ~LogProvider() override;
  LogProvider(const LogProvider&) = delete;
  LogProvider& operator=(const LogProvider&) = delete;

  boost::asio::awaitable<std::vector<Outcome>> send(std::span<const Push> pushes) override;

  static std::string line_for(const Push& push, Duration ttl);

 private:
  int fd_;
  bool owns_fd_;
  Duration ttl_;
};

}  // namespace pushsync::push
