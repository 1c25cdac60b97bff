#pragma once

#include <string>

namespace pushsync::api {

// Whether the sidecar can serve every route. The HTTP API starts before the
// database is prepared (so that /healthz answers while it waits), and is
// ready once the schema is migrated, or found migrated with `migrate:
// manual`, on the connection that LISTENs. Until then every route but
// /healthz and /readyz answers 503 not_ready with the reason, never a 500
// from a missing table. Used on the io_context's thread only.
class Readiness {
 public:
  void waiting(std::string reason) { reason_ = std::move(reason); }
  void ready() { reason_.clear(); }
  bool serving() const { return reason_.empty(); }
  const std::string& waiting_for() const { return reason_; }

 private:
  std::string reason_ = "the sidecar is preparing the database";
};

}  // namespace pushsync::api
