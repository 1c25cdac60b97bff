#include "sidecar/util/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>

#include <fmt/format.h>

namespace pushsync {

OpenFilesLimit raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  OpenFilesLimit out{static_cast<long>(limit.rlim_cur), static_cast<long>(limit.rlim_cur),
                     static_cast<long>(limit.rlim_max)};
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) out.now = static_cast<long>(limit.rlim_cur);
  }
  return out;
}

DescriptorBudget plan_descriptors(long open_files, int http_connections, std::optional<int> ws) {
  constexpr long reserve = 64;
  constexpr int fewest_devices = 16;
  const long left = open_files - http_connections - reserve;
  const int ws_connections = ws.value_or(0);
  DescriptorBudget out{ws_connections > 0 ? ws_connections
                                          : static_cast<int>(std::clamp(left, long{fewest_devices}, 10'000'000L)),
                       {}};
  if (http_connections + reserve > open_files)
    out.problems.push_back(fmt::format(
        "http.max_connections ({}) does not fit the open-files limit ({}, less {} for the database and providers): "
        "connections beyond it fail with 'too many open files'; lower http.max_connections or raise the limit "
        "(ulimit -n, systemd LimitNOFILE, docker --ulimit nofile)",
        http_connections, open_files, reserve));
  if (!ws) return out;
  if (ws_connections > 0 && ws_connections > left)
    out.problems.push_back(fmt::format(
        "websocket.max_connections ({}) and http.max_connections ({}) together exceed the open-files limit ({}, "
        "less {}): descriptors run out after about {} devices (accepting pauses, 'too many open files'); lower "
        "one of them or raise the limit",
        ws_connections, http_connections, open_files, reserve, std::max(left, 0L)));
  if (ws_connections == 0 && left < fewest_devices)
    out.problems.push_back(fmt::format(
        "websocket.max_connections is not set and http.max_connections ({}) leaves {} of the open-files limit ({}, "
        "less {}) for WebSocket devices, so at most {} devices can connect: since 0.2 http.max_connections counts "
        "API connections only; set websocket.max_connections for devices, lower http.max_connections, or raise "
        "the limit",
        http_connections, std::max(left, 0L), open_files, reserve, out.devices));
  return out;
}

}  // namespace pushsync
