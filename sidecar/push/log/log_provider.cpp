#include "sidecar/push/log/log_provider.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sidecar/push/wire_format.hpp"

namespace pushsync::push {

LogProvider::LogProvider(const std::string& path, Duration ttl)
    : out_(path == "-" ? stdout : std::fopen(path.c_str(), "a")), owns_file_(path != "-"), ttl_(ttl) {
  if (!out_) throw std::runtime_error("cannot open dry_run_file \"" + path + "\": " + std::strerror(errno));
}

LogProvider::~LogProvider() {
  if (owns_file_) std::fclose(out_);
}

std::string LogProvider::line_for(const Push& push, Duration ttl) {
  nlohmann::ordered_json payload;
  switch (push.target.platform) {
    case Platform::apns: payload = apns_body(push); break;
    case Platform::fcm: payload = fcm_message(push, ttl, false)["message"]; break;
    case Platform::ws: payload = ws_frame(push); break;
  }
  nlohmann::ordered_json line = {
      {"platform", to_string(push.target.platform)}, {"installation", push.target.id}, {"payload", payload}};
  return line.dump();
}

boost::asio::awaitable<std::vector<Outcome>> LogProvider::send(std::span<const Push> pushes) {
  std::vector<Outcome> outcomes;
  outcomes.reserve(pushes.size());
  for (const auto& push : pushes) {
    std::string line = line_for(push, ttl_) + "\n";
    bool written = std::fwrite(line.data(), 1, line.size(), out_) == line.size();
    outcomes.push_back(written ? Outcome::accepted() : Outcome::retry("dry_run_file write failed"));
  }
  if (std::fflush(out_) != 0)
    for (auto& o : outcomes) o = Outcome::retry("dry_run_file write failed");
  co_return outcomes;
}

}  // namespace pushsync::push
