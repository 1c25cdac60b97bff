#include "sidecar/db/trigger_ddl.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "sidecar/db/embedded_sql.hpp"
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

std::string column_list(const std::vector<config::Column>& columns, const std::string& record, bool as_text) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += ", ";
    out += record + "." + quote_ident(c.name) + (as_text ? "::text" : "");
  }
  return out;
}

std::string unchanged_condition(const config::TableConfig& table) {
  if (!table.watch) return "false";  // no watch list: every update counts
  // Compared as text so that columns without an equality operator (json,
  // point) cannot make the application's UPDATE fail.
  return "ROW(" + column_list(*table.watch, "OLD", true) + ") IS NOT DISTINCT FROM ROW(" +
         column_list(*table.watch, "NEW", true) + ")";
}

std::string row_id_expression(const config::TableConfig& table, const std::string& record) {
  if (table.id.size() == 1) return "coalesce(" + record + "." + quote_ident(table.id[0].name) + "::text, '')";
  std::string out = "concat_ws(','";
  for (const auto& c : table.id)
    out += ", replace(replace(" + record + "." + quote_ident(c.name) +
           "::text, E'\\\\', E'\\\\\\\\'), ',', E'\\\\,')";
  return out + ")";
}

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

std::string events(const config::TableConfig& table) {
  std::string out;
  for (auto op : table.operations) {
    if (!out.empty()) out += " OR ";
    out += op == Op::insert ? "INSERT" : op == Op::update ? "UPDATE" : "DELETE";
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
  ddl.create = fill_placeholders(std::string(capture_template()),
                                 {
                                     {"function", quote_ident(pushsync_schema) + "." + quote_ident(ddl.function_name)},
                                     {"schema", quote_ident(pushsync_schema)},
                                     {"relation", quoted_relation(table.relation)},
                                     {"unchanged", unchanged_condition(table)},
                                     {"table_key", quote_literal(table.key)},
                                     {"new_row_id", row_id_expression(table, "NEW")},
                                     {"old_row_id", row_id_expression(table, "OLD")},
                                     {"originator", "nullif(current_setting('pushsync.originator', true), '')"},
                                     {"old_cols", captured_object(table, "OLD")},
                                     {"new_cols", captured_object(table, "NEW")},
                                     {"channel", quote_literal(pushsync_schema)},
                                     {"events", events(table)},
                                 });
  return ddl;
}

std::string drop_trigger_ddl(const std::string& pushsync_schema, const config::QualifiedName& relation,
                             const std::string& function_name) {
  std::string rel = quoted_relation(relation);
  return "DO $pushsync$ BEGIN IF to_regclass(" + quote_literal(rel) + ") IS NOT NULL THEN DROP TRIGGER IF EXISTS pushsync_capture ON " +
         rel + "; END IF; END $pushsync$;\nDROP FUNCTION IF EXISTS " + quote_ident(pushsync_schema) + "." +
         quote_ident(function_name) + "();\n";
}

}  // namespace pushsync::db
