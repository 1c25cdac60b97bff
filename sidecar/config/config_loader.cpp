#include "sidecar/config/config_loader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>

#include "sidecar/config/config_error.hpp"
#include "sidecar/config/node_values.hpp"
#include "sidecar/config/provider_sections.hpp"
#include "sidecar/config/table_key.hpp"
#include "sidecar/config/yaml_node.hpp"
#include "sidecar/util/readable_file.hpp"

namespace pushsync::config {

namespace {

DatabaseConfig read_database(const YamlNode& node) {
  node.entries({"url", "url_file", "schema", "migrate", "batch_size", "batch_pushes", "poll_interval", "busy_poll",
                "batch_interval", "lease", "claim", "truncate_interval"});
  DatabaseConfig db;
  auto url = node.secret("url");
  if (!url || url->empty()) node.fail("database.url (or url_file) is required");
  db.url = *url;
  if (auto v = node.get("schema")) {
    db.schema = v->str();
    if (db.schema.empty() || db.schema.size() > 63) v->fail("schema name must be 1 to 63 bytes");
  }
  if (auto v = node.get("migrate"))
    db.migrate = one_of(*v, {"auto", "manual"}) == "auto" ? MigrateMode::automatic : MigrateMode::manual;
  if (auto v = node.get("batch_size")) db.batch_size = static_cast<int>(v->integer(1, 10000));
  if (auto v = node.get("batch_pushes")) db.batch_pushes = static_cast<int>(v->integer(1, 1000000));
  if (auto v = node.get("poll_interval")) db.poll_interval = positive_duration(*v, Duration(10));
  if (auto v = node.get("busy_poll")) db.busy_poll = v->duration();
  if (auto v = node.get("claim")) db.claim = v->boolean();
  if (db.busy_poll >= db.poll_interval) node.required("busy_poll").fail("busy_poll must be shorter than poll_interval");
  if (auto v = node.get("batch_interval")) {
    db.batch_interval = v->duration();
    if (db.batch_interval >= db.poll_interval) v->fail("batch_interval must be shorter than poll_interval");
  }
  if (auto v = node.get("lease")) db.lease = positive_duration(*v, Duration(1000));
  if (auto v = node.get("truncate_interval")) db.truncate_interval = v->duration();
  return db;
}

// The API tokens of api_token, api_tokens (a list) and api_token_file (one
// per line; blank lines and lines starting with # are skipped), together.
std::vector<std::string> read_api_tokens(const YamlNode& node) {
  std::vector<std::string> tokens;
  if (auto v = node.get("api_token")) tokens.push_back(v->str());
  if (auto v = node.get("api_tokens"))
    for (const auto& item : v->items()) tokens.push_back(item.str());
  if (auto v = node.get("api_token_file")) {
    auto file = read_file_text(v->str());
    if (!file.text) v->fail("cannot read secret file \"" + v->str() + "\": " + file.why);
    std::istringstream lines(*file.text);
    for (std::string line; std::getline(lines, line);) {
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
      if (!line.empty() && line[0] != '#') tokens.push_back(line);
    }
  }
  std::erase_if(tokens, [](const std::string& t) { return t.empty(); });
  if (tokens.empty())
    node.fail("http.api_token, api_tokens or api_token_file is required when http is configured");
  return tokens;
}

HttpConfig read_http(const YamlNode& node) {
  node.entries({"listen", "api_token", "api_tokens", "api_token_file", "max_body", "metrics_public",
                "console", "max_connections", "request_timeout", "db_connections"});
  HttpConfig http;
  if (auto v = node.get("listen")) http.listen = v->str();
  http.api_tokens = read_api_tokens(node);
  if (auto v = node.get("max_body")) http.max_body = v->size();
  if (auto v = node.get("metrics_public")) http.metrics_public = v->boolean();
  if (auto v = node.get("console")) http.console = v->boolean();
  if (auto v = node.get("max_connections")) http.max_connections = static_cast<int>(v->integer(1, 100000));
  if (auto v = node.get("request_timeout")) http.request_timeout = positive_duration(*v, Duration(100));
  if (auto v = node.get("db_connections")) http.db_connections = static_cast<int>(v->integer(1, 64));
  return http;
}

DeliveryConfig read_delivery(const YamlNode& node) {
  node.entries({"dry_run", "dry_run_file", "max_attempts", "backoff", "coalesce_window", "deliver_to_originator",
                "expiration"});
  DeliveryConfig d;
  if (auto v = node.get("dry_run")) d.dry_run = v->boolean();
  if (auto v = node.get("dry_run_file")) d.dry_run_file = v->str();
  if (d.dry_run_file.empty()) d.dry_run_file = "-";
  if (auto v = node.get("max_attempts")) d.max_attempts = static_cast<int>(v->integer(1, 1000));
  if (auto v = node.get("backoff")) {
    v->entries({"initial", "max"});
    if (auto i = v->get("initial")) d.backoff.initial = positive_duration(*i, Duration(1));
    if (auto m = v->get("max")) d.backoff.max = positive_duration(*m, Duration(1));
    if (d.backoff.initial > d.backoff.max) v->fail("backoff.initial must not exceed backoff.max");
  }
  if (auto v = node.get("coalesce_window")) d.coalesce_window = v->duration();
  if (auto v = node.get("deliver_to_originator")) d.deliver_to_originator = v->boolean();
  if (auto v = node.get("expiration")) d.expiration = positive_duration(*v, Duration(1000));
  return d;
}

LogConfig read_log(const YamlNode& node) {
  node.entries({"level", "format"});
  LogConfig log;
  if (auto v = node.get("level")) log.level = one_of(*v, {"trace", "debug", "info", "warn", "error", "off"});
  if (auto v = node.get("format")) log.format = one_of(*v, {"text", "json"});
  return log;
}

const std::vector<std::string_view> reserved_payload_fields{"message", "table", "op", "id", "orig", "aps"};

PayloadConfig read_payload(const YamlNode& node) {
  node.entries({"kind", "alert", "sound", "badge", "data"});
  PayloadConfig p;
  if (auto v = node.get("kind"))
    p.kind = one_of(*v, {"background", "alert"}) == "alert" ? PayloadKind::alert : PayloadKind::background;
  bool alert_kind = p.kind == PayloadKind::alert;
  if (auto v = node.get("alert")) {
    if (!alert_kind) v->fail("alert is only sent with kind: alert");
    p.alert = template_at(*v);
  } else if (alert_kind) {
    node.fail("kind: alert needs an alert text");
  }
  if (auto v = node.get("sound")) {
    if (!alert_kind) v->fail("sound is only sent with kind: alert");
    p.sound = v->str();
  }
  if (auto v = node.get("badge")) {
    std::string text = v->str();
    if (text != "false") {
      if (!alert_kind) v->fail("badge is only sent with kind: alert");
      p.badge = static_cast<int>(v->integer(0, 99999));
    }
  }
  if (auto v = node.get("data")) {
    for (const auto& entry : v->entries()) {
      if (std::find(reserved_payload_fields.begin(), reserved_payload_fields.end(), entry.key) !=
          reserved_payload_fields.end())
        entry.value.fail_at(entry.key_pos, "\"" + entry.key + "\" is reserved in the payload");
      p.data.emplace_back(entry.key, template_at(entry.value));
    }
  }
  return p;
}

// Highest $N used in a query, to compare with the number of tags_args.
int highest_parameter(const std::string& sql) {
  int highest = 0;
  for (std::size_t i = 0; i + 1 < sql.size(); ++i) {
    if (sql[i] != '$' || !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) continue;
    highest = std::max(highest, std::atoi(sql.c_str() + i + 1));
  }
  return highest;
}

void check_template_names(const Template& t, const YamlNode& node, bool allow_builtins) {
  for (const auto& name : t.names())
    if (!allow_builtins && builtin_template_names.count(name) && name != "id")
      node.fail("{" + name + "} is only available in payload and collapse templates");
}

TableConfig read_table(const YamlNode::Entry& entry) {
  const YamlNode& node = entry.value;
  node.entries({"id", "name", "operations", "watch", "tags", "tags_sql", "tags_args", "payload", "collapse"});
  TableConfig t;
  t.key = entry.key;
  t.pos = entry.key_pos;
  std::string error;
  auto relation = split_table_key(entry.key, error);
  if (!relation) node.fail_at(entry.key_pos, "bad table name: " + error);
  t.relation = *relation;
  t.name = t.relation.table;
  if (auto v = node.get("name")) {
    t.name = v->str();
    if (t.name.empty()) v->fail("name must not be empty");
  }
  t.id = node.get("id") ? columns_at(*node.get("id")) : std::vector<Column>{Column{"id", entry.key_pos}};
  if (auto v = node.get("operations")) {
    t.operations.clear();
    for (const auto& item : v->items()) {
      auto op = parse_op(item.str());
      if (!op) item.fail("unknown operation \"" + item.str() + "\"; expected insert, update or delete");
      if (!t.operations.insert(*op).second) item.fail("operation listed twice");
    }
    if (t.operations.empty()) v->fail("operations must name at least one of insert, update, delete");
  }
  if (auto v = node.get("watch")) {
    t.watch = columns_at(*v);
    if (!t.operations.count(Op::update)) v->fail("watch has no effect without update in operations");
  }
  if (auto v = node.get("tags")) {
    for (const auto& item : v->items()) {
      t.tags.push_back(template_at(item));
      check_template_names(t.tags.back(), item, false);
    }
    if (t.tags.empty()) v->fail("tags is empty: no device would ever be notified");
  }
  if (auto v = node.get("tags_sql")) {
    t.tags_sql = v->str();
    t.tags_sql_pos = v->pos();
    if (t.tags_sql->empty()) v->fail("tags_sql is empty");
  }
  if (auto v = node.get("tags_args")) {
    if (!t.tags_sql) v->fail("tags_args needs tags_sql");
    for (const auto& item : v->items()) t.tags_args.push_back(column_at(item));
  }
  if (t.tags_sql) {
    int needed = highest_parameter(*t.tags_sql);
    if (needed != static_cast<int>(t.tags_args.size()))
      node.required("tags_sql").fail("tags_sql uses " + std::to_string(needed) + " parameter(s) but tags_args lists " +
                                     std::to_string(t.tags_args.size()));
  }
  if (t.tags.empty() && !t.tags_sql) node.fail_at(entry.key_pos, "no audience: set tags or tags_sql");
  if (auto v = node.get("payload")) t.payload = read_payload(*v);
  if (auto v = node.get("collapse")) t.collapse = template_at(*v);
  return t;
}

std::vector<TableConfig> read_tables(const YamlNode& node) {
  std::vector<TableConfig> tables;
  auto entries = node.entries();
  if (entries.empty()) node.fail("no tables configured");
  for (const auto& entry : entries) {
    TableConfig t = read_table(entry);
    for (const auto& other : tables) {
      if (other.relation == t.relation)
        entry.value.fail_at(entry.key_pos, "table configured twice (also as \"" + other.key + "\" at line " +
                                               std::to_string(other.pos.line) + ")");
      if (other.name == t.name)
        entry.value.fail_at(entry.key_pos, "payload name \"" + t.name + "\" is also used by \"" + other.key +
                                               "\"; set name: to tell them apart");
    }
    tables.push_back(std::move(t));
  }
  return tables;
}

}  // namespace

std::vector<Column> TableConfig::captured_columns() const {
  std::vector<Column> out;
  auto add = [&](const std::string& column, const SourcePos& at) {
    if (std::none_of(out.begin(), out.end(), [&](const Column& c) { return c.name == column; }))
      out.push_back(Column{column, at});
  };
  auto add_template = [&](const Template& t, bool skip_builtins) {
    for (const auto& column : t.names())
      if (!skip_builtins || !builtin_template_names.count(column)) add(column, t.pos());
  };
  for (const auto& t : tags) add_template(t, false);
  for (const auto& c : tags_args) add(c.name, c.pos);
  if (payload.alert) add_template(*payload.alert, true);
  for (const auto& [field, t] : payload.data) add_template(t, true);
  add_template(collapse, true);
  return out;
}

const TableConfig* Config::find_table(const std::string& key) const {
  for (const auto& t : tables)
    if (t.key == key) return &t;
  return nullptr;
}

Config parse_config(const std::string& file, const std::string& text, const EnvLookup& env) {
  YamlDocument doc{file, env};
  YamlNode root(load_yaml_text(file, text), "", doc);
  if (root.is_null()) throw ConfigError(ConfigIssue{file, {}, "", "config is empty"});
  root.entries({"database", "http", "apns", "fcm", "webpush", "websocket", "delivery", "users", "log", "shutdown_timeout",
                "tables"});
  Config config;
  config.file = file;
  config.database = read_database(root.required("database"));
  if (auto v = root.get("http")) config.http = read_http(*v);
  if (auto v = root.get("apns")) config.apns = read_apns(*v);
  if (auto v = root.get("fcm")) config.fcm = read_fcm(*v);
  if (auto v = root.get("webpush")) config.webpush = read_webpush(*v);
  if (auto v = root.get("websocket")) {
    v->entries({"enabled", "ping_interval", "max_unacked", "max_connections"});
    if (auto e = v->get("enabled")) config.websocket.enabled = e->boolean();
    if (auto e = v->get("ping_interval")) config.websocket.ping_interval = positive_duration(*e, Duration(100));
    if (auto e = v->get("max_unacked")) config.websocket.max_unacked = static_cast<int>(e->integer(1, 10000));
    if (auto e = v->get("max_connections"))
      config.websocket.max_connections = static_cast<int>(e->integer(0, 10'000'000));
  }
  if (auto v = root.get("delivery")) config.delivery = read_delivery(*v);
  if (auto v = root.get("users")) {
    v->entries({"tag"});
    auto tag = v->required("tag");
    config.users_tag = template_at(tag);
    if (config.users_tag->names() != std::vector<std::string>{"user_id"})
      tag.fail("users.tag must use {user_id} and nothing else, e.g. \"_email_{user_id}\"");
  }
  if (auto v = root.get("log")) config.log = read_log(*v);
  if (auto v = root.get("shutdown_timeout")) config.shutdown_timeout = positive_duration(*v, Duration(100));
  config.tables = read_tables(root.required("tables"));
  return config;
}

Config load_config(const std::string& file, const EnvLookup& env) {
  auto text = read_file_text(file);
  if (!text.text) throw ConfigError(ConfigIssue{file, {}, "", "cannot read the config file: " + text.why});
  return parse_config(file, *text.text, env);
}

}  // namespace pushsync::config
