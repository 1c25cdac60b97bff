#pragma once

#include <set>

#include <pqxx/connection>

#include "sidecar/config/config.hpp"
#include "sidecar/model/platform.hpp"

namespace pushsync::startup {

// Platforms this config can deliver to (for the catalog check's warnings).
std::set<Platform> served_platforms(const config::Config& config);

// Catalog problems are config errors (config::ConfigError); warnings are
// only logged. A schema newer than this binary (a rollback across a schema
// version) is refused: this binary would misread its outbox.
void require_catalog_ok(pqxx::connection& conn, const config::Config& config);

}  // namespace pushsync::startup
