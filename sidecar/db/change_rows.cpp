#include "sidecar/db/change_rows.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "sidecar/db/sql_text.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::db {

namespace {

using nlohmann::json;

json parse_json_or_null(const pqxx::field& field) {
  if (field.is_null()) return nullptr;
  return parse_json(field.c_str());
}

// A statement's captured columns as one object of an array per column
// ({"owner": ["ann", "bob"], ...}); a row is the object of its values.
class ColumnValues {
 public:
  ColumnValues(const pqxx::field& field, std::size_t first) : columns_(parse_json_or_null(field)), first_(first) {}
  json row(std::size_t i) const {
    if (!columns_.is_object()) return nullptr;
    json out = json::object();
    for (const auto& [name, values] : columns_.items()) out[name] = values.at(first_ + i);
    return out;
  }

 private:
  json columns_;
  std::size_t first_;  // the slice's first row
};

// A multi-row statement's slice: (id, op, row_ids, ops, olds, news) as
// JSON arrays, ops and olds/news null where the statement had none, then
// the slice's first row and the captured columns by column (schema 6;
// olds and news are those of rows captured before).
std::vector<RowChange> rows_of(const pqxx::row& row) {
  const Op statement_op = parse_op(row[1].as<std::string>()).value_or(Op::update);
  auto ids = parse_json(row[2].c_str());
  auto ops = parse_json_or_null(row[3]);
  auto olds = parse_json_or_null(row[4]);
  auto news = parse_json_or_null(row[5]);
  const ColumnValues old_columns(row[7], row[6].as<std::size_t>()), new_columns(row[8], row[6].as<std::size_t>());
  std::vector<RowChange> out(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out[i].op = ops.is_array() ? parse_op(ops[i].get<std::string>()).value_or(Op::update) : statement_op;
    out[i].row_id = ids[i].get<std::string>();
    if (olds.is_array()) out[i].old_values = std::move(olds[i]);
    else if (out[i].op != Op::insert) out[i].old_values = old_columns.row(i);
    if (news.is_array()) out[i].new_values = std::move(news[i]);
    else if (out[i].op != Op::remove) out[i].new_values = new_columns.row(i);
  }
  return out;
}

}  // namespace

std::string change_columns() {
  return "c.id, c.tbl, c.op, c.row_id, c.old_cols::text, c.new_cols::text, coalesce(c.originator, ''), "
         "(extract(epoch FROM c.created_at) * 1000000)::bigint, c.row_count";
}

Change change_from(const pqxx::row& row) {
  Change c;
  c.id = row[0].as<ChangeId>();
  c.table_key = row[1].as<std::string>();
  c.row_count = row[8].as<int>();
  if (c.row_count == 1)  // one-row statements keep the plain columns
    c.rows = {RowChange{parse_op(row[2].as<std::string>()).value_or(Op::update), row[3].as<std::string>(),
                        parse_json_or_null(row[4]), parse_json_or_null(row[5])}};
  c.originator = row[6].as<std::string>();
  c.created_at = DbTime(std::chrono::microseconds(row[7].as<long long>()));
  return c;
}

int RowBudget::take(int remaining) {
  if (taken_changes_ >= changes_) return 0;
  const int take = taken_rows_ == 0 ? std::min(remaining, rows_) : taken_rows_ + remaining <= rows_ ? remaining : 0;
  taken_rows_ += remaining;
  if (take > 0) ++taken_changes_;
  return take;
}

void read_statement_rows(pqxx::dbtransaction& tx, const std::string& table, std::vector<Change>& changes,
                         const std::map<ChangeId, int>& takes) {
  std::vector<std::int64_t> ids, counts;
  std::vector<std::string> txids;
  for (const auto& change : changes)
    if (change.row_count > 1) {
      ids.push_back(change.id), counts.push_back(takes.at(change.id));
      txids.push_back(change.logged ? change.logged->txid : "0");
    }
  if (ids.empty()) return;
  auto slice = [](const char* column) {
    return std::string("array_to_json(") + column + "[cursor_row + 1 : cursor_row + k.take])::text";
  };
  const bool logged = changes.front().logged.has_value();  // one table per call: all logged or none
  const std::string source = logged ? "(SELECT *, 0 AS cursor_row FROM " + table + ")" : table;  // read from its start
  const std::string join = logged ? "c.txid = k.txid::xid8 AND c.id = k.id" : "c.id = k.id";
  std::map<ChangeId, std::vector<RowChange>> read;
  for (const auto& row : tx.exec_params("SELECT c.id, op, " + slice("row_ids") + ", " + slice("ops") + ", " +
                                            slice("olds") + ", " + slice("news") + ", cursor_row, old_columns::text, "
                                            "new_columns::text FROM " + source + " c JOIN unnest($1::bigint[], $2::bigint[], "
                                            "$3::text[]) AS k(id, take, txid) ON " + join,
                                        bigint_array_literal(ids), bigint_array_literal(counts),
                                        text_array_literal(txids)))
    read[row[0].as<ChangeId>()] = rows_of(row);
  for (auto& change : changes)
    if (change.row_count > 1) change.rows = std::move(read[change.id]);
}

}  // namespace pushsync::db
