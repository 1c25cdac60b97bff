#include "sidecar/db/migrator.hpp"

#include <map>

#include <pqxx/pqxx>

#include "sidecar/db/embedded_sql.hpp"
#include "sidecar/db/sql_text.hpp"
#include "sidecar/db/trigger_ddl.hpp"

namespace pushsync::db {

namespace {

int version_of(std::string_view file_name) { return std::stoi(std::string(file_name.substr(0, file_name.find('_')))); }

std::string version_table_ddl(const std::string& schema) {
  return "CREATE SCHEMA IF NOT EXISTS " + schema + ";\n" + "CREATE TABLE IF NOT EXISTS " + schema +
         ".schema_version (version integer PRIMARY KEY, name text NOT NULL, "
         "applied_at timestamptz NOT NULL DEFAULT now());\n";
}

struct InstalledTrigger {
  config::QualifiedName relation;
  std::string function_name;
  std::string ddl;
};

std::map<config::QualifiedName, InstalledTrigger> installed_triggers(pqxx::work& tx, const std::string& schema) {
  std::map<config::QualifiedName, InstalledTrigger> out;
  for (const auto& row : tx.exec("SELECT table_schema, table_name, function_name, ddl FROM " + schema +
                                 ".capture_triggers")) {
    config::QualifiedName relation{row[0].as<std::string>(), row[1].as<std::string>()};
    out[relation] = InstalledTrigger{relation, row[2].as<std::string>(), row[3].as<std::string>()};
  }
  return out;
}

void apply_migrations(pqxx::work& tx, const std::string& schema, MigrationReport& report,
                      const MigrationStep& step) {
  report.from_version = tx.exec1("SELECT coalesce(max(version), 0) FROM " + schema + ".schema_version")[0].as<int>();
  report.to_version = report.from_version;
  for (const auto& file : embedded_migrations()) {
    int version = version_of(file.name);
    if (version <= report.from_version) continue;
    step("migration " + std::string(file.name));
    tx.exec(fill_placeholders(std::string(file.text), {{"schema", schema}}));
    tx.exec_params("INSERT INTO " + schema + ".schema_version (version, name) VALUES ($1, $2)", version,
                   std::string(file.name));
    report.to_version = version;
  }
}

void sync_triggers(pqxx::work& tx, const config::Config& config, MigrationReport& report, const MigrationStep& step) {
  const std::string schema = quote_ident(config.database.schema);
  auto installed = installed_triggers(tx, schema);
  for (const auto& table : config.tables) {
    TriggerDdl ddl = capture_trigger_ddl(config.database.schema, table);
    auto it = installed.find(table.relation);
    bool same = it != installed.end() && it->second.ddl == ddl.create;
    if (it != installed.end()) installed.erase(it);  // what remains afterwards left the config
    if (same) continue;
    step("capture trigger of " + table.key + " (waits for the table's lock)");
    tx.exec(ddl.create);
    auto result = tx.exec_params("INSERT INTO " + schema +
                                     ".capture_triggers (table_schema, table_name, function_name, ddl) "
                                     "VALUES ($1, $2, $3, $4) ON CONFLICT (table_schema, table_name) "
                                     "DO UPDATE SET function_name = EXCLUDED.function_name, ddl = EXCLUDED.ddl "
                                     "RETURNING (xmax = 0) AS inserted",
                                 table.relation.schema, table.relation.table, ddl.function_name, ddl.create);
    (result[0][0].as<bool>() ? report.triggers_created : report.triggers_updated).push_back(table.key);
  }
  for (const auto& [relation, trigger] : installed) {
    step("dropping the capture trigger of " + relation.schema + "." + relation.table);
    tx.exec(drop_trigger_ddl(config.database.schema, relation, trigger.function_name));
    tx.exec_params("DELETE FROM " + schema + ".capture_triggers WHERE table_schema = $1 AND table_name = $2",
                   relation.schema, relation.table);
    report.triggers_dropped.push_back(relation.schema + "." + relation.table);
  }
}

}  // namespace

bool MigrationReport::changed() const {
  return from_version != to_version || !triggers_created.empty() || !triggers_updated.empty() ||
         !triggers_dropped.empty();
}

std::string MigrationReport::summary() const {
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out.empty() ? std::string("none") : out;
  };
  if (!changed()) return "schema at version " + std::to_string(to_version) + ", triggers up to date; nothing to do";
  return "schema version " + std::to_string(from_version) + " -> " + std::to_string(to_version) +
         "; triggers created: " + list(triggers_created) + "; updated: " + list(triggers_updated) +
         "; dropped: " + list(triggers_dropped);
}

int latest_schema_version() { return version_of(embedded_migrations().back().name); }

int installed_schema_version(pqxx::connection& conn, const config::Config& config) {
  pqxx::nontransaction tx(conn);
  const std::string table = quote_ident(config.database.schema) + ".schema_version";
  if (tx.exec_params1("SELECT to_regclass($1) IS NULL", table)[0].as<bool>()) return 0;
  return tx.exec1("SELECT coalesce(max(version), 0) FROM " + table)[0].as<int>();
}

MigrationReport migrate(pqxx::connection& conn, const config::Config& config, const MigrationStep& told) {
  const MigrationStep step = told ? told : [](std::string_view) {};
  const std::string schema = quote_ident(config.database.schema);
  MigrationReport report;
  step("waiting for other migrations (an advisory lock)");
  pqxx::work tx(conn, "pushsync_migrate");
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "pushsync.migrate:" + config.database.schema);
  tx.exec("SET LOCAL client_min_messages = warning");  // no NOTICEs for IF NOT EXISTS
  tx.exec("SET LOCAL synchronous_commit = on");        // triggers must survive a crash
  tx.exec(version_table_ddl(schema));
  apply_migrations(tx, schema, report, step);
  sync_triggers(tx, config, report, step);
  step("commit");
  tx.commit();
  return report;
}

std::string migration_script(const config::Config& config) {
  const std::string schema = quote_ident(config.database.schema);
  std::string out =
      "-- pushsync " PUSHSYNC_VERSION ": the DDL `pushsync migrate` runs, in one transaction.\n"
      "-- Migrations already recorded in " + schema + ".schema_version are skipped by migrate;\n"
      "-- triggers are only replaced when their DDL differs from what is installed.\n"
      "BEGIN;\n" + version_table_ddl(schema);
  for (const auto& file : embedded_migrations()) {
    out += "\n-- migration " + std::string(file.name) + "\n";
    out += fill_placeholders(std::string(file.text), {{"schema", schema}});
    out += "INSERT INTO " + schema + ".schema_version (version, name) VALUES (" +
           std::to_string(version_of(file.name)) + ", " + quote_literal(file.name) + ");\n";
  }
  for (const auto& table : config.tables) {
    out += "\n-- table " + table.key + "\n" + capture_trigger_ddl(config.database.schema, table).create;
  }
  return out + "\nCOMMIT;\n";
}

}  // namespace pushsync::db
