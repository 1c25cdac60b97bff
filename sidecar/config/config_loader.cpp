#include "sidecar/config/config_loader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "sidecar/config/config_error.hpp"
#include "sidecar/config/table_key.hpp"
#include "sidecar/config/yaml_node.hpp"
#include "sidecar/util/base64url.hpp"
#include "sidecar/util/jwt.hpp"
#include "sidecar/util/readable_file.hpp"

namespace pushsync::config {

namespace {

Template template_at(const YamlNode& node) {
  try {
    return Template::parse(node.str(), node.pos());
  } catch (const std::invalid_argument& e) {
    node.fail(std::string("bad template: ") + e.what());
  }
}

Duration positive_duration(const YamlNode& node, Duration minimum) {
  Duration d = node.duration();
  if (d < minimum) node.fail("must be at least " + std::to_string(minimum.count()) + "ms");
  return d;
}

std::string one_of(const YamlNode& node, std::initializer_list<std::string_view> choices) {
  std::string value = node.str();
  for (auto choice : choices)
    if (value == choice) return value;
  std::string list;
  for (auto choice : choices) list += (list.empty() ? "" : " | ") + std::string(choice);
  node.fail("expected " + list + ", got \"" + value + "\"");
}

Column column_at(const YamlNode& node) {
  std::string name = node.str();
  if (name.empty()) node.fail("column name is empty");
  return Column{name, node.pos()};
}

std::vector<Column> columns_at(const YamlNode& node) {
  std::vector<Column> out;
  if (!node.is_sequence()) return {column_at(node)};
  for (const auto& item : node.items()) out.push_back(column_at(item));
  if (out.empty()) node.fail("list is empty");
  return out;
}

DatabaseConfig read_database(const YamlNode& node) {
  node.entries({"url", "url_file", "schema", "migrate", "batch_size", "batch_pushes", "poll_interval", "busy_poll", "lease",
                "claim"});
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
  if (auto v = node.get("lease")) db.lease = positive_duration(*v, Duration(1000));
  return db;
}

HttpConfig read_http(const YamlNode& node) {
  node.entries({"listen", "api_token", "api_token_file", "max_body", "metrics_public", "max_connections",
                "request_timeout", "db_connections"});
  HttpConfig http;
  if (auto v = node.get("listen")) http.listen = v->str();
  auto token = node.secret("api_token");
  if (!token || token->empty()) node.fail("http.api_token (or api_token_file) is required when http is configured");
  http.api_token = *token;
  if (auto v = node.get("max_body")) http.max_body = v->size();
  if (auto v = node.get("metrics_public")) http.metrics_public = v->boolean();
  if (auto v = node.get("max_connections")) http.max_connections = static_cast<int>(v->integer(1, 100000));
  if (auto v = node.get("request_timeout")) http.request_timeout = positive_duration(*v, Duration(100));
  if (auto v = node.get("db_connections")) http.db_connections = static_cast<int>(v->integer(1, 64));
  return http;
}

// Reads a private key now, so that a wrong one is a config error at `at`,
// not a failure at the first push: `load` must give an EC key when `ec`,
// an RSA key otherwise; `wrong_type` says so. Messages start with `prefix`.
void check_key(const YamlNode& at, const std::string& prefix, bool ec, const std::string& wrong_type,
               const std::function<PrivateKey()>& load) {
  std::string problem;
  try {
    if (load().is_ec() != ec) problem = wrong_type;
  } catch (const std::runtime_error& e) {
    problem = e.what();
  }
  if (!problem.empty()) at.fail(prefix + problem);
}

// The .p8 key Apple issues: PEM, EC P-256.
void check_es256_key(const YamlNode& at, const std::string& file) {
  check_key(at, "", true, "the key in " + file + " is not an EC (ES256) key",
            [&] { return PrivateKey::from_pem_file(file, "key"); });
}

ApnsConfig read_apns(const YamlNode& node) {
  node.entries({"team_id", "key_id", "key_file", "certificate_file", "private_key_file", "private_key_password",
                "private_key_password_file", "topic", "environment", "endpoint", "ca_file", "connections",
                "request_timeout"});
  ApnsConfig apns;
  apns.pos = node.pos();
  auto text = [&](std::string_view key, std::string& out) {
    if (auto v = node.get(key)) out = v->str();
  };
  text("team_id", apns.team_id);
  text("key_id", apns.key_id);
  text("key_file", apns.key_file);
  text("certificate_file", apns.certificate_file);
  text("private_key_file", apns.private_key_file);
  apns.private_key_password = node.secret("private_key_password").value_or("");
  apns.topic = node.required("topic").str();
  if (apns.topic.empty()) node.required("topic").fail("topic (the app's bundle id) is required");
  if (auto v = node.get("environment")) apns.environment = one_of(*v, {"production", "sandbox"});
  text("endpoint", apns.endpoint);
  text("ca_file", apns.ca_file);
  if (auto v = node.get("connections")) apns.connections = static_cast<int>(v->integer(1, 64));
  if (auto v = node.get("request_timeout")) apns.request_timeout = positive_duration(*v, Duration(100));
  bool token_auth = !apns.key_file.empty();
  bool cert_auth = !apns.certificate_file.empty();
  if (token_auth == cert_auth)
    node.fail("set key_file (token auth) or certificate_file + private_key_file (certificate auth), exactly one");
  if (token_auth && (apns.team_id.empty() || apns.key_id.empty()))
    node.fail("token auth needs team_id and key_id next to key_file");
  if (cert_auth && apns.private_key_file.empty()) node.fail("certificate auth needs private_key_file");
  if (token_auth) check_es256_key(node.required("key_file"), apns.key_file);
  return apns;
}

// The JSON key file of a Google service account, checked field by field so
// that a wrong file is an error at its config line, not at the first push.
ServiceAccount read_service_account(const YamlNode& at, const std::string& file) {
  auto text = read_file_text(file);
  if (!text.text) at.fail("cannot read " + file + ": " + text.why);
  auto json = nlohmann::json::parse(*text.text, nullptr, false);
  if (!json.is_object()) at.fail(file + " is not a JSON service account file");
  ServiceAccount account;
  for (auto [key, out] : {std::pair{"project_id", &account.project_id}, {"client_email", &account.client_email},
                          {"private_key", &account.private_key}, {"token_uri", &account.token_uri}}) {
    if (!json.contains(key) || !json[key].is_string() || json[key].get<std::string>().empty())
      at.fail(file + " has no \"" + key + "\" (download the key of a service account from the Firebase console)");
    *out = json[key].get<std::string>();
  }
  if (account.token_uri.rfind("https://", 0) != 0) at.fail(file + ": token_uri must be an https:// URL");
  check_key(at, file + ": ", false, "private_key must be an RSA key",
            [&] { return PrivateKey::from_pem(account.private_key, "private_key"); });
  return account;
}

FcmConfig read_fcm(const YamlNode& node) {
  node.entries({"service_account_file", "endpoint", "ca_file", "connections", "request_timeout"});
  FcmConfig fcm;
  fcm.pos = node.pos();
  fcm.service_account_file = node.required("service_account_file").str();
  fcm.account = read_service_account(node.required("service_account_file"), fcm.service_account_file);
  if (auto v = node.get("endpoint"); v && !v->str().empty()) {
    fcm.endpoint = v->str();
    if (fcm.endpoint.rfind("https://", 0) != 0) v->fail("endpoint must start with https://");
  }
  if (auto v = node.get("ca_file")) fcm.ca_file = v->str();
  if (auto v = node.get("connections")) fcm.connections = static_cast<int>(v->integer(1, 64));
  if (auto v = node.get("request_timeout")) fcm.request_timeout = positive_duration(*v, Duration(100));
  return fcm;
}

WebPushConfig read_webpush(const YamlNode& node) {
  node.entries({"vapid_public_key", "vapid_private_key_file", "subject", "ca_file", "connections", "request_timeout"});
  WebPushConfig webpush;
  webpush.pos = node.pos();
  webpush.vapid_public_key = node.required("vapid_public_key").str();
  webpush.vapid_private_key_file = node.required("vapid_private_key_file").str();
  webpush.subject = node.required("subject").str();
  if (webpush.subject.rfind("mailto:", 0) != 0 && webpush.subject.rfind("https://", 0) != 0)
    node.required("subject").fail("subject must be a mailto: or https: URL push services can reach you at");
  if (auto v = node.get("ca_file")) webpush.ca_file = v->str();
  if (auto v = node.get("connections")) webpush.connections = static_cast<int>(v->integer(1, 64));
  if (auto v = node.get("request_timeout")) webpush.request_timeout = positive_duration(*v, Duration(100));
  std::string public_key, problem;
  try {
    public_key = base64url_encode(PrivateKey::from_pem_file(webpush.vapid_private_key_file, "key").p256_public_point());
  } catch (const std::runtime_error& e) {
    problem = e.what();
  }
  if (!problem.empty()) node.required("vapid_private_key_file").fail(problem);
  if (public_key != webpush.vapid_public_key)
    node.required("vapid_public_key")
        .fail("vapid_public_key is not the public half of the key in " + webpush.vapid_private_key_file +
              " (pushsync vapid-keys prints both)");
  return webpush;
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
