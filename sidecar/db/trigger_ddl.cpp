#include "sidecar/db/trigger_ddl.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "sidecar/db/embedded_sql.hpp"
#include "sidecar/db/listener.hpp"
#include "sidecar/db/sql_text.hpp"

namespace pushsync::db {

namespace {

std::string_view capture_template() {
  for (const auto& file : embedded_triggers())
    if (file.name == "capture.sql") return file.text;
  throw std::logic_error("triggers/capture.sql is not embedded");
}

// Readable and unique within 63 bytes: capture_<schema>_<table>_<hash>.
std::string function_name_for(const config::QualifiedName& relation) {
  std::string readable;
  for (char c : relation.schema + "_" + relation.table)
    readable += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  std::uint32_t hash = 2166136261u;  // FNV-1a over the exact names
  for (char c : relation.schema + '\0' + relation.table) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "_%08x", hash);
  return "capture_" + readable.substr(0, 40) + suffix;
}

std::string text_row(const std::vector<config::Column>& columns, const std::string& record) {
  std::string out = "ROW(";
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += (i ? ", " : "") + record + "." + quote_ident(columns[i].name) + "::text";
  return out + ")";
}

// Only rows whose watched columns changed count; compared as text so that
// columns without an equality operator (json, point) cannot make the
// application's UPDATE fail.
std::string changed_condition(const config::TableConfig& table) {
  if (!table.watch) return "true";  // no watch list: every update counts
  return text_row(*table.watch, "o") + " IS DISTINCT FROM " + text_row(*table.watch, "n");
}

std::string row_id_expression(const config::TableConfig& table, const std::string& record) {
  if (table.id.size() == 1) return "coalesce(" + record + "." + quote_ident(table.id[0].name) + "::text, '')";
  std::string out = "concat_ws(','";
  for (const auto& c : table.id)
    out += ", replace(replace(" + record + "." + quote_ident(c.name) +
           "::text, E'\\\\', E'\\\\\\\\'), ',', E'\\\\,')";
  return out + ")";
}

// The captured columns of `record` as one JSON object (jsonb).
std::string captured_object(const config::TableConfig& table, const std::string& record) {
  auto columns = table.captured_columns();
  if (columns.empty()) return "NULL::jsonb";
  std::string out = "jsonb_build_object(";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ", ";
    out += quote_literal(columns[i].name) + ", " + record + "." + quote_ident(columns[i].name);
  }
  return out + ")";
}

// A statement of several rows keeps its captured columns by column: the
// select-list items that carry them out of `record` (", o.owner AS
// pushsync_o1, ..."), and, over a group of rows, one JSON object of
// arrays ({"owner": [...], ...}) or, for a group of one row, its object.
// Aggregated by column, a 50,000-row DELETE's log rows take less than
// half the time of an array of one object per row (bench/BENCHMARKS.md).
std::string captured_items(const config::TableConfig& table, const std::string& record) {
  std::string out;
  auto columns = table.captured_columns();
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += ", " + record + "." + quote_ident(columns[i].name) + " AS pushsync_" + record + std::to_string(i + 1);
  return out;
}

std::string captured_by_column(const config::TableConfig& table, const std::string& record, bool one_row) {
  auto columns = table.captured_columns();
  if (columns.empty()) return one_row ? "NULL::jsonb" : "NULL::json";
  std::string out = "json_build_object(";
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += (i ? ", " : "") + quote_literal(columns[i].name) + ", json_agg(r.pushsync_" + record +
           std::to_string(i + 1) + ")" + (one_row ? " -> 0" : "");
  return out + (one_row ? ")::jsonb" : ")");
}

// Every column an UPDATE's old and new rows are read for: key, captured, watched.
std::string joined_columns(const config::TableConfig& table) {
  std::vector<std::string> names;
  auto add = [&](const std::vector<config::Column>& columns) {
    for (const auto& c : columns)
      if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  };
  add(table.id);
  add(table.captured_columns());
  if (table.watch) add(*table.watch);
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + quote_ident(name);
  return out;
}

std::string same_key(const config::TableConfig& table) {
  std::string out;
  for (const auto& c : table.id)
    out += (out.empty() ? "" : " AND ") + std::string("o.") + quote_ident(c.name) + " = n." + quote_ident(c.name);
  return out;
}

// One statement trigger per configured operation, each with the transition
// tables it can have; the others are dropped.
std::string trigger_statements(const config::TableConfig& table, const std::string& function) {
  const std::string relation = quoted_relation(table.relation);
  std::string out;
  for (auto op : {Op::insert, Op::update, Op::remove}) {
    const std::string event = op == Op::insert ? "INSERT" : op == Op::update ? "UPDATE" : "DELETE";
    const std::string name = "pushsync_capture_" + std::string(to_string(op));
    out += "DROP TRIGGER IF EXISTS " + name + " ON " + relation + ";\n";
    if (!table.operations.count(op)) continue;
    const std::string tables = op == Op::insert   ? "NEW TABLE AS pushsync_new"
                               : op == Op::update ? "OLD TABLE AS pushsync_old NEW TABLE AS pushsync_new"
                                                  : "OLD TABLE AS pushsync_old";
    out += "CREATE TRIGGER " + name + " AFTER " + event + " ON " + relation + "\n  REFERENCING " + tables +
           "\n  FOR EACH STATEMENT EXECUTE FUNCTION " + function + "();\n";
  }
  return out;
}

}  // namespace

std::string quoted_relation(const config::QualifiedName& relation) {
  return quote_ident(relation.schema) + "." + quote_ident(relation.table);
}

TriggerDdl capture_trigger_ddl(const std::string& pushsync_schema, const config::TableConfig& table) {
  TriggerDdl ddl;
  ddl.function_name = function_name_for(table.relation);
  const std::string function = quote_ident(pushsync_schema) + "." + quote_ident(ddl.function_name);
  ddl.create = fill_placeholders(std::string(capture_template()),
                                 {
                                     {"function", function},
                                     {"schema", quote_ident(pushsync_schema)},
                                     {"relation", quoted_relation(table.relation)},
                                     {"table_key", quote_literal(table.key)},
                                     {"new_row_id", row_id_expression(table, "n")},
                                     {"old_row_id", row_id_expression(table, "o")},
                                     {"originator", "nullif(current_setting('pushsync.originator', true), '')"},
                                     {"old_cols", captured_object(table, "o")},
                                     {"new_cols", captured_object(table, "n")},
                                     {"old_items", captured_items(table, "o")},
                                     {"new_items", captured_items(table, "n")},
                                     {"old_columns", captured_by_column(table, "o", false)},
                                     {"new_columns", captured_by_column(table, "n", false)},
                                     {"old_one", captured_by_column(table, "o", true)},
                                     {"new_one", captured_by_column(table, "n", true)},
                                     {"columns", joined_columns(table)},
                                     {"same_key", same_key(table)},
                                     {"changed", changed_condition(table)},
                                     {"channel", quote_literal(pushsync_schema)},
                                     {"wake_lock", wake_lock_arguments(pushsync_schema)},
                                     {"triggers", trigger_statements(table, function)},
                                 });
  return ddl;
}

std::string drop_trigger_ddl(const std::string& pushsync_schema, const config::QualifiedName& relation,
                             const std::string& function_name) {
  std::string rel = quoted_relation(relation);
  std::string drops;
  for (const char* name : {"pushsync_capture", "pushsync_capture_insert", "pushsync_capture_update",
                           "pushsync_capture_delete"})
    drops += " DROP TRIGGER IF EXISTS " + std::string(name) + " ON " + rel + ";";
  return "DO $pushsync$ BEGIN IF to_regclass(" + quote_literal(rel) + ") IS NOT NULL THEN" + drops +
         " END IF; END $pushsync$;\nDROP FUNCTION IF EXISTS " + quote_ident(pushsync_schema) + "." +
         quote_ident(function_name) + "();\n";
}

}  // namespace pushsync::db
