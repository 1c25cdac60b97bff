#pragma once

#include <set>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "sidecar/config/config.hpp"
#include "sidecar/config/config_error.hpp"
#include "sidecar/model/platform.hpp"

namespace pushsync::db {

struct CatalogReport {
  std::vector<config::ConfigIssue> errors;  // config names what the database lacks
  std::vector<std::string> warnings;        // works, but probably not as meant
};

// Validates the config against the live catalog: tables exist and can carry
// row triggers, every referenced column exists, tags_sql parses; warns about
// installations on platforms no provider in `served` delivers to.
CatalogReport check_catalog(pqxx::connection& conn, const config::Config& config, const std::set<Platform>& served);

}  // namespace pushsync::db
