#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace pushsync::cli {

// `pushsync probe [--ready]`: GET /healthz (or /readyz) of the sidecar
// listening on `listen` (http.listen; a wildcard address is reached on
// loopback), for a container HEALTHCHECK or a Kubernetes exec probe, where
// there is no curl. Prints the answer's body; 0 when it is 200, 1 otherwise
// (no answer within `timeout` included).
int probe(const std::string& listen, bool ready, std::chrono::milliseconds timeout, std::ostream& out,
          std::ostream& err);

}  // namespace pushsync::cli
