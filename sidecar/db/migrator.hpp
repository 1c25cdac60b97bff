#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

#include "sidecar/config/config.hpp"

namespace pushsync::db {

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> triggers_created;  // table keys
  std::vector<std::string> triggers_updated;
  std::vector<std::string> triggers_dropped;  // "schema.table" of removed tables

  bool changed() const;
  std::string summary() const;
};

// Brings the pushsync schema to the newest version and the capture triggers
// in line with the config, in one transaction under an advisory lock (two
// sidecars starting at once take turns). Running it twice changes nothing.
// `step` is told what it is about to do (a migration, a table's trigger,
// the commit), for a person watching: on a big, busy table the time goes
// to waiting for the table's lock and to rewriting what the outbox holds.
using MigrationStep = std::function<void(std::string_view)>;
MigrationReport migrate(pqxx::connection& conn, const config::Config& config, const MigrationStep& step = {});

// Everything migrate could run, as one script for review (`pushsync sql`).
std::string migration_script(const config::Config& config);

// Highest schema version compiled into this binary.
int latest_schema_version();

// The version recorded in the database; 0 when pushsync is not installed.
int installed_schema_version(pqxx::connection& conn, const config::Config& config);

}  // namespace pushsync::db
