#pragma once

#include "sidecar/config/config.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/push/provider_set.hpp"

namespace pushsync::api {

// What the endpoints use. `db` is the API's own database thread, so that
// requests never queue behind the dispatcher's batches.
struct ApiContext {
  const config::Config& config;
  db::DbThread& db;
  metrics::Metrics& metrics;
  const push::ProviderSet& providers;
};

}  // namespace pushsync::api
