#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pushsync {

// The process's limit on open files (RLIMIT_NOFILE): every WebSocket
// device, API connection and database connection holds one.
struct OpenFilesLimit {
  long before = 0;  // the soft limit the process started with
  long now = 0;     // after raising it
  long hard = 0;
};

// Raises the soft limit to the hard one (systemd and many shells start
// services at 1,024, about 1,000 devices).
OpenFilesLimit raise_open_files_limit();

// How the open-files limit is shared between the HTTP API's connections
// (http.max_connections), WebSocket devices and a reserve of 64 (database
// and provider connections, the listener, logs). `ws_connections` is
// websocket.max_connections, nullopt when the channel is off. `devices` is
// websocket.max_connections, or when the config leaves it 0, what the limit
// leaves after the other two, at least 16. `problems` are what the
// configuration asks for and the limit cannot give, each naming its keys
// and the limit: said as warnings at startup.
struct DescriptorBudget {
  int devices = 0;
  std::vector<std::string> problems;
};
DescriptorBudget plan_descriptors(long open_files, int http_connections, std::optional<int> ws_connections);

}  // namespace pushsync
