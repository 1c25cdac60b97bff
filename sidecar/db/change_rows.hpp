#pragma once

#include <map>
#include <string>
#include <vector>

#include <pqxx/dbtransaction>
#include <pqxx/row>

#include "sidecar/model/change.hpp"

namespace pushsync::db {

// What db changes (waiting changes) and db events (the capture log) share:
// a claimed row read as a Change, and the row budget of a claim.

// The select list change_from reads, columns 0-8, of table alias `c`.
std::string change_columns();

// A claimed row (change_columns first): id, table, one-row statements'
// row, originator, creation time and row count.
Change change_from(const pqxx::row& row);

// A claim takes whole changes while their rows fit `rows` (the first one in
// part if it alone is larger), and at most `changes` of them.
class RowBudget {
 public:
  RowBudget(int changes, int rows) : changes_(changes), rows_(rows) {}
  // Rows of a change with `remaining` rows to take (0: stop here).
  int take(int remaining);
  int changes_left() const { return changes_ - taken_changes_; }

 private:
  int changes_;
  int rows_;
  int taken_changes_ = 0;
  int taken_rows_ = 0;
};

// The claimed slice of each multi-row statement in `changes`, in one query
// on `table` (db changes or events), whose rows `key_join` finds from
// k(id, take) and, for events, k.txid; `takes` says how many rows, by id.
void read_statement_rows(pqxx::dbtransaction& tx, const std::string& table, std::vector<Change>& changes,
                         const std::map<ChangeId, int>& takes);

}  // namespace pushsync::db
