#include "sidecar/push/log/log_provider.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sidecar/push/wire_format.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::push {

LogProvider::LogProvider(const std::string& path, Duration ttl)
    : fd_(path == "-" ? STDOUT_FILENO : ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)),
      owns_fd_(path != "-"),
      ttl_(ttl) {
  if (fd_ < 0) throw std::runtime_error("cannot open dry_run_file \"" + path + "\": " + std::strerror(errno));
}

LogProvider::~LogProvider() {
  if (owns_fd_) ::close(fd_);
}

namespace {

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string LogProvider::line_for(const Push& push, Duration ttl) {
  nlohmann::ordered_json payload;
  switch (push.target.platform) {
    case Platform::apns: payload = apns_body(push); break;
    case Platform::fcm: payload = fcm_message(push, ttl, false)["message"]; break;
    case Platform::ws:
    case Platform::webpush: payload = ws_frame(push); break;
  }
  nlohmann::ordered_json line = {
      {"platform", to_string(push.target.platform)}, {"installation", push.target.id}, {"payload", payload}};
  return json_text(line);
}

boost::asio::awaitable<std::vector<Outcome>> LogProvider::send(std::span<const Push> pushes) {
  std::string lines;
  for (const auto& push : pushes) lines += line_for(push, ttl_) + "\n";
  Outcome outcome = write_all(fd_, lines) ? Outcome::accepted() : Outcome::retry("dry_run_file write failed");
  co_return std::vector<Outcome>(pushes.size(), outcome);
}

}  // namespace pushsync::push
