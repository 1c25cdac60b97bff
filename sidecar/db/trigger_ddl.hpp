#pragma once

#include <string>

#include "sidecar/config/config.hpp"

namespace pushsync::db {

struct TriggerDdl {
  std::string function_name;  // unquoted, inside the pushsync schema
  std::string create;         // function + trigger, replaces what exists
};

// The capture trigger for one configured table (triggers/capture.sql).
TriggerDdl capture_trigger_ddl(const std::string& pushsync_schema, const config::TableConfig& table);

// Removes the trigger and its function; safe when the table is gone.
std::string drop_trigger_ddl(const std::string& pushsync_schema, const config::QualifiedName& relation,
                             const std::string& function_name);

std::string quoted_relation(const config::QualifiedName& relation);

}  // namespace pushsync::db
