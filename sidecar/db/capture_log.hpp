#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection_base>
#include <pqxx/dbtransaction>
#include <pqxx/result>

#include "sidecar/db/change_rows.hpp"
#include "sidecar/db/settlement.hpp"
#include "sidecar/model/change.hpp"

namespace pushsync::db {

// The capture log (db events, sql/005_capture_log.sql). Triggers append to
// it; nothing else writes a row of it. A claim reads the events committed
// after db drain's read_to and visible in a snapshot of its own (a window),
// oldest transaction first; its settlement records how far it got. One
// claim at a time reads it (the reader's lock, an advisory lock held to the
// end of the claim's transaction), so a window is read once, and a claim
// that dies is read again. Once all of it is read, a settlement may empty
// it with TRUNCATE: nothing is deleted row by row, nothing left to vacuum.
class CaptureLog {
 public:
  explicit CaptureLog(const std::string& schema);

  // An SQL expression that waits for the reader's lock, for the transaction.
  std::string lock_reader() const;

  struct Read {
    std::vector<Change> changes;  // logged set, in the order the log is read
    LogWindow window;
  };
  // The query that reads the next `limit` events of the window (prepared
  // on `conn` by prepare_read), run after the reader's lock is taken; or,
  // with `from`, of the window that starts there (a claim ahead).
  void prepare_read(pqxx::connection_base& conn) const;
  std::string read_statement(int limit, const std::optional<LogState>& from = std::nullopt) const;
  // The statement that reads db drain (prepared by prepare_read), and its
  // row as a LogState.
  std::string read_state() const;
  static LogState state_of(const pqxx::row& row);
  // Its `rows`, as many as `budget` takes (their rows' counts in `takes`).
  // The `reader` (holding the reader's lock) closes at once a window begun
  // earlier in which nothing was left.
  Read take(pqxx::dbtransaction& tx, const pqxx::result& rows, int limit, RowBudget& budget,
            std::map<ChangeId, int>& takes, bool reader) const;

  // Writes the log's part of a settlement in its transaction: kept changes
  // copied into db changes, how far the log is read, and, when asked and
  // all of it is read, the log emptied (what committed since is moved to db
  // changes first). Emptying waits for writers in flight at most 10 ms.
  void settle(pqxx::dbtransaction& tx, const Settlement& settlement) const;

 private:
  std::string window_query(const std::string& source) const;
  std::string move_to_changes() const;
  void truncate(pqxx::dbtransaction& tx) const;

  std::string schema_;  // quoted
  std::string schema_name_;
};

}  // namespace pushsync::db
