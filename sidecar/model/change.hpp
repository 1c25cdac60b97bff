#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "sidecar/model/duration.hpp"
#include "sidecar/model/op.hpp"

namespace pushsync {

using ChangeId = std::int64_t;

// One captured row change, as claimed from the outbox.
struct Change {
  ChangeId id = 0;
  std::string table_key;       // the `tables:` key of the config
  Op op = Op::insert;
  std::string row_id;          // key column(s), joined by "," and escaped
  nlohmann::json old_values;   // captured columns of OLD, null for inserts
  nlohmann::json new_values;   // captured columns of NEW, null for deletes
  std::string originator;      // installation id that made the change, or ""
  int attempts = 0;            // this claim plus the earlier ones that ended in a retry
  DbTime created_at{};         // when the writing transaction started
};

// A change sent back to the outbox until `until`, the end of its record's
// coalesce window on the database's clock.
struct HeldBack {
  ChangeId change_id;
  DbTime until;
};

}  // namespace pushsync
