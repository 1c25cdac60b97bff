#pragma once

#include <boost/asio/awaitable.hpp>

#include "sidecar/api/readiness.hpp"
#include "sidecar/capture/wakeup.hpp"
#include "sidecar/config/config.hpp"
#include "sidecar/db/db_thread.hpp"

namespace pushsync::startup {

// Migrates (database.migrate: auto) or waits for the schema (manual: a
// Kubernetes Job or a DBA runs `pushsync migrate`) and checks the catalog,
// waiting for the database to come up if it is not there yet; `readiness`
// says what it waits for. False if stopped meanwhile.
boost::asio::awaitable<bool> database_ready(const config::Config& config, db::DbThread& db, capture::Wakeup& wakeup,
                                            api::Readiness& readiness, const bool& stopping);

}  // namespace pushsync::startup
