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
// statement triggers, an UPDATE's rows pair up by the id columns, every referenced column exists, tags_sql parses; warns about
// installations on platforms no provider in `served` delivers to.
CatalogReport check_catalog(pqxx::connection& conn, const config::Config& config, const std::set<Platform>& served);

// For `check`: tables whose tags can match no installation that exists (a
// constant tag nobody carries, a "user:{id}" with no "user:" tag anywhere).
std::vector<std::string> audience_warnings(pqxx::connection& conn, const config::Config& config);

}  // namespace pushsync::db
