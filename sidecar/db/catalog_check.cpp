#include "sidecar/db/catalog_check.hpp"

#include <set>

#include <pqxx/pqxx>
#include <pqxx/subtransaction>
#include <pqxx/transaction>

#include "sidecar/db/sql_text.hpp"
#include "sidecar/db/trigger_ddl.hpp"
#include "sidecar/route/directory.hpp"

namespace pushsync::db {

namespace {

using config::Column;
using config::ConfigIssue;
using config::SourcePos;
using config::TableConfig;

// "ERROR:  relation "x" does not exist\nLINE 1: ..." -> relation "x" does not exist
std::string first_line_of(const pqxx::sql_error& e) {
  std::string text = e.what();
  text = text.substr(0, text.find('\n'));
  if (text.rfind("ERROR:  ", 0) == 0) text.erase(0, 8);
  return text;
}

struct TableShape {
  bool exists = false;
  char kind = 0;
  bool readable = false;  // SELECT privilege: a least-privilege run-time role may lack it
  std::set<std::string> columns;
};

// From the catalog by name, which needs no privilege on the table or its
// schema (to_regclass would need USAGE on the schema).
TableShape shape_of(pqxx::transaction_base& tx, const config::QualifiedName& relation) {
  TableShape shape;
  auto rel = tx.exec_params(
      "SELECT c.oid, c.relkind, has_table_privilege(c.oid, 'SELECT') FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
      relation.schema, relation.table);
  if (rel.empty()) return shape;
  shape.exists = true;
  shape.kind = rel[0][1].as<std::string>()[0];
  shape.readable = rel[0][2].as<bool>();
  const std::string oid = rel[0][0].c_str();
  for (const auto& row : tx.exec_params(
           "SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped", oid))
    shape.columns.insert(row[0].as<std::string>());
  return shape;
}

std::vector<Column> referenced_columns(const TableConfig& table) {
  std::vector<Column> out = table.id;
  if (table.watch) out.insert(out.end(), table.watch->begin(), table.watch->end());
  auto captured = table.captured_columns();
  out.insert(out.end(), captured.begin(), captured.end());
  return out;
}

// The capture trigger pairs an UPDATE's old and new rows by a FULL JOIN on
// the id columns, which needs an equality PostgreSQL can merge or hash
// (json, point, xml have none): planned here, so the app's UPDATEs never
// meet that error.
template <class Issue>
void check_key_pairs(pqxx::work& tx, const TableConfig& table, const Issue& issue) {
  const std::string relation = quoted_relation(table.relation);
  std::string select, on;
  for (const auto& c : table.id) {
    select += (select.empty() ? "" : ", ") + quote_ident(c.name);
    on += (on.empty() ? "" : " AND ") + std::string("o.") + quote_ident(c.name) + " = n." + quote_ident(c.name);
  }
  pqxx::subtransaction probe(tx, "key_pairs");
  try {
    probe.exec("EXPLAIN SELECT 1 FROM (SELECT " + select + " FROM " + relation + " LIMIT 0) o FULL JOIN (SELECT " +
               select + " FROM " + relation + " LIMIT 0) n ON " + on);
    probe.commit();
  } catch (const pqxx::sql_error& e) {
    issue(table.id.front().pos, "the id column(s) cannot pair an UPDATE's old and new rows (" + first_line_of(e) +
                                    "); use columns with an equality operator, such as the primary key");
  }
}

void check_table(pqxx::work& tx, const config::Config& config, const TableConfig& table, CatalogReport& report) {
  auto issue = [&](const SourcePos& pos, std::string message) {
    report.errors.push_back(ConfigIssue{config.file, pos, pos.path, std::move(message)});
  };
  TableShape shape = shape_of(tx, table.relation);
  const std::string shown = table.relation.schema + "." + table.relation.table;
  if (!shape.exists) return issue(table.pos, "table \"" + shown + "\" does not exist");
  if (shape.kind != 'r' && shape.kind != 'p')
    return issue(table.pos, "\"" + shown + "\" is not a table (capture triggers need a table)");
  std::set<std::string> reported;
  for (const auto& column : referenced_columns(table)) {
    if (shape.columns.count(column.name) || !reported.insert(column.name).second) continue;
    issue(column.pos, "unknown column \"" + column.name + "\" in table \"" + shown + "\"");
  }
  // Planning needs SELECT; without it (a run-time role), `migrate` checked it.
  if (table.operations.count(Op::update) && reported.empty() && shape.readable) check_key_pairs(tx, table, issue);
  if (table.tags_sql) {
    pqxx::subtransaction probe(tx, "tags_sql");
    try {
      probe.exec("PREPARE pushsync_check_tags_sql AS " + *table.tags_sql);
      probe.exec("DEALLOCATE pushsync_check_tags_sql");
      probe.commit();
    } catch (const pqxx::sql_error& e) {
      issue(table.tags_sql_pos, "tags_sql does not prepare: " + first_line_of(e));
    }
  }
}

void warn_about_unserved_platforms(pqxx::work& tx, const config::Config& config, const std::set<Platform>& served,
                                   CatalogReport& report) {
  const std::string table = quote_ident(config.database.schema) + ".installations";
  if (tx.exec_params1("SELECT to_regclass($1) IS NULL", table)[0].as<bool>()) return;
  for (const auto& row : tx.exec("SELECT platform, count(*) FROM " + table +
                                 " WHERE disabled_at IS NULL GROUP BY platform ORDER BY platform")) {
    std::string platform = row[0].as<std::string>();
    auto known = parse_platform(platform);
    if (known && !served.count(*known))
      report.warnings.push_back(row[1].as<std::string>() + " installation(s) on platform " + platform +
                                " but no " + platform +
                                " provider is configured: their pushes are dead-lettered as provider_not_configured");
  }
}

// The literal start of a tag template ("user:" of "user:{owner}").
std::string literal_prefix(const config::Template& t) {
  const std::string& text = t.text();
  return text.substr(0, text.find('{'));
}

}  // namespace

std::vector<std::string> audience_warnings(pqxx::connection& conn, const config::Config& config) {
  std::vector<std::string> warnings;
  pqxx::read_transaction tx(conn);
  const std::string schema = quote_ident(config.database.schema);
  if (tx.exec_params1("SELECT to_regclass($1) IS NULL", schema + ".installation_tags")[0].as<bool>()) return warnings;
  for (const auto& table : config.tables) {
    if (table.tags_sql) continue;  // its audience is the app's query
    bool reachable = false;
    std::string shown;
    for (const auto& t : table.tags) {
      shown += (shown.empty() ? "" : ", ") + ("\"" + t.text() + "\"");
      const std::string prefix = literal_prefix(t);
      const bool constant = t.names().empty();
      if (prefix.rfind(route::installation_tag_prefix, 0) == 0)
        reachable = reachable || tx.exec1("SELECT EXISTS (SELECT 1 FROM " + schema + ".installations)")[0].as<bool>();
      else
        reachable = reachable || tx.exec_params1("SELECT EXISTS (SELECT 1 FROM " + schema +
                                                     ".installation_tags WHERE CASE WHEN $2 THEN tag = $1 "
                                                     "ELSE starts_with(tag, $1) END)",
                                                 prefix, constant)[0]
                                     .as<bool>();
    }
    if (!reachable)
      warnings.push_back("tables." + table.key + ".tags: no installation carries a tag " +
                         (table.tags.size() == 1 ? "like " : "like any of ") + shown + " yet; changes of " +
                         table.key + " reach nobody until one does");
  }
  return warnings;
}

CatalogReport check_catalog(pqxx::connection& conn, const config::Config& config, const std::set<Platform>& served) {
  CatalogReport report;
  pqxx::work tx(conn, "pushsync_check");
  for (const auto& table : config.tables) check_table(tx, config, table, report);
  warn_about_unserved_platforms(tx, config, served, report);
  return report;  // read only: rolled back
}

}  // namespace pushsync::db
