#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/model/duration.hpp"
#include "sidecar/model/op.hpp"

namespace pushsync {

using ChangeId = std::int64_t;

// One row a captured statement changed.
struct RowChange {
  Op op = Op::insert;
  std::string row_id;          // key column(s), joined by "," and escaped
  nlohmann::json old_values;   // captured columns of OLD, null for inserts
  nlohmann::json new_values;   // captured columns of NEW, null for deletes
};

// How far a change's fan-out got: rows before `row` are done; of row `row`,
// the installations whose ids sort (bytewise) up to `after` got their push.
struct FanoutCursor {
  int row = 0;
  std::string after;  // "" = none yet
  bool at_start() const { return row == 0 && after.empty(); }
  auto operator<=>(const FanoutCursor&) const = default;
};

// Where a change sits in the capture log (db events): its writer's
// transaction id and its id, the order the log is read in.
struct LogPosition {
  std::string txid;  // xid8, as text
  ChangeId id = 0;
  bool operator==(const LogPosition&) const = default;
};

// How far the capture log is read (db drain): every event visible in
// `read_to`, and, while a window is read in parts, `target` up to `after`.
struct LogState {
  std::string read_to;
  std::string target;  // "" = no window begun
  std::optional<LogPosition> after;
  bool operator==(const LogState&) const = default;
};

// The window of the capture log a claim read: the events committed after
// `read_to` and visible in `target` (snapshots, as text). `read_all`: the
// claim took every event of it that was left.
struct LogWindow {
  std::string read_to;
  std::string target;
  bool read_all = false;
  bool read_any = false;  // the claim read some event of it
  bool resumed = false;   // the window was begun by an earlier claim
  std::optional<LogPosition> after;  // of a resumed window: where this claim went on from
};

// One outbox row, as claimed: a captured statement (one or more rows of
// one table) or a direct push (table_key empty; rows[0].new_values holds
// {tags, alert, sound, badge, data}).
struct Change {
  ChangeId id = 0;
  std::string table_key;       // the `tables:` key of the config
  std::vector<RowChange> rows; // the rows claimed this time: from cursor.row on
  int row_count = 1;           // rows of the whole statement
  FanoutCursor cursor;         // where this claim starts
  std::string originator;      // installation id that made the change, or ""
  DbTime created_at{};         // when the writing transaction started
  std::optional<LogPosition> logged;  // read from the capture log (else from db changes)
};

// A change sent back to the outbox until `until`, the end of its record's
// coalesce window on the database's clock.
struct HeldBack {
  ChangeId change_id;
  DbTime until;
};

}  // namespace pushsync
