#pragma once

#include "sidecar/api/readiness.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/db/db_pool.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/push/provider_set.hpp"

namespace pushsync::api {

// What the endpoints use. `db` is the API's own database connections, so
// that requests never queue behind the dispatcher's batches.
struct ApiContext {
  const config::Config& config;
  db::DbPool& db;
  metrics::Metrics& metrics;
  const push::ProviderSet& providers;
  const Readiness& readiness;
};

}  // namespace pushsync::api
