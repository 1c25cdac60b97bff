#include "sidecar/util/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>

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

int default_ws_connections(long open_files, int http_connections) {
  constexpr long reserve = 64;
  return static_cast<int>(std::clamp(open_files - http_connections - reserve, 16L, 10'000'000L));
}

}  // namespace pushsync
