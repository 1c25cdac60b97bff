#pragma once

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

// websocket.max_connections when the config leaves it 0: what the limit
// leaves after the HTTP API's connections and a reserve of 64 (database and
// provider connections, the listener, logs), at least 16.
int default_ws_connections(long open_files, int http_connections);

}  // namespace pushsync
