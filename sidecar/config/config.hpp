#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sidecar/config/origin_pattern.hpp"
#include "sidecar/config/source_pos.hpp"
#include "sidecar/config/template.hpp"
#include "sidecar/model/duration.hpp"
#include "sidecar/model/op.hpp"
#include "sidecar/model/push.hpp"

namespace pushsync::config {

using namespace std::chrono_literals;

enum class MigrateMode { automatic, manual };
using PayloadKind = pushsync::PayloadKind;

struct DatabaseConfig {
  std::string url;
  std::string schema = "pushsync";
  MigrateMode migrate = MigrateMode::automatic;
  int batch_size = 500;          // outbox rows (and statement rows) claimed per round
  int batch_pushes = 2500;       // pushes held in memory per round: a bigger fan-out goes in chunks
  Duration poll_interval = 1s;
  Duration busy_poll = 2ms;      // while changes keep coming: claims at least this far apart
  Duration batch_interval = 50ms;  // from 5,000 changes/s: claims this far apart, less CPU per change
  bool claim = true;             // false: serve the API and WebSocket devices only; other replicas send
  Duration truncate_interval = 10s;  // the capture log is emptied at most this often
  Duration lease = 30s;
};

struct HttpConfig {
  std::string listen = "0.0.0.0:8080";
  std::vector<std::string> api_tokens;  // any of them is accepted: rotation without downtime
  std::size_t max_body = 64 * 1024;
  bool metrics_public = false;
  bool console = true;           // GET /console: the operator's page (its data needs the API token)
  int max_connections = 1024;   // more are answered 503 and closed
  Duration request_timeout = 10s;  // to read one request, headers and body
  int db_connections = 4;          // the API's own, beside the dispatcher's
};

struct ApnsConfig {
  std::string team_id;
  std::string key_id;
  std::string key_file;
  std::string certificate_file;
  std::string private_key_file;
  std::string private_key_password;
  std::string topic;
  std::string environment = "production";
  std::string endpoint;
  std::string ca_file;
  int connections = 2;
  Duration request_timeout = 10s;
  SourcePos pos;  // of the section, for errors found when it is used
};

// The parts of a Google service account file FCM needs.
struct ServiceAccount {
  std::string project_id;
  std::string client_email;
  std::string private_key;  // PEM (RSA); never logged
  std::string token_uri;    // https://oauth2.googleapis.com/token
};

struct FcmConfig {
  std::string service_account_file;
  ServiceAccount account;  // read from service_account_file when the config loads
  std::string endpoint = "https://fcm.googleapis.com";
  std::string ca_file;
  int connections = 2;
  Duration request_timeout = 10s;
  SourcePos pos;
};

// Web Push (RFC 8030) to browsers: VAPID identifies pushsync to every push
// service; connections are pooled per push service origin.
struct WebPushConfig {
  std::string vapid_public_key;        // base64url, given to browsers as applicationServerKey
  std::string vapid_private_key_file;  // PEM, EC P-256 (pushsync vapid-keys)
  std::string subject;                 // mailto: or https: contact for push service operators
  std::string ca_file;
  int connections = 2;                 // per push service origin
  std::optional<std::vector<OriginPattern>> allowed_origins;  // nullopt: the browsers' push services
  Duration request_timeout = 10s;
  SourcePos pos;
};

struct WebsocketConfig {
  bool enabled = true;
  Duration ping_interval = 20s;  // a device silent for two intervals is disconnected
  int max_unacked = 64;          // pushes sent to one device and not yet acknowledged
  // Devices connected at once; 0: the open-files limit minus
  // http.max_connections minus 64 (see open_files.hpp).
  int max_connections = 0;
};

struct BackoffConfig {
  Duration initial = 1s;
  Duration max = 5min;
};

struct DeliveryConfig {
  bool dry_run = false;
  std::string dry_run_file = "-";
  int max_attempts = 8;
  BackoffConfig backoff;
  Duration coalesce_window = 200ms;
  bool deliver_to_originator = false;
  Duration expiration = 1h;
};

struct LogConfig {
  std::string level = "info";
  std::string format = "text";
};

struct QualifiedName {
  std::string schema;
  std::string table;
  auto operator<=>(const QualifiedName&) const = default;
};

struct Column {
  std::string name;
  SourcePos pos;
};

struct PayloadConfig {
  PayloadKind kind = PayloadKind::background;
  std::optional<Template> alert;
  std::optional<std::string> sound;
  std::optional<int> badge;
  std::vector<std::pair<std::string, Template>> data;  // in config order
};

struct TableConfig {
  std::string key;            // as written under `tables:`; stored in the outbox
  QualifiedName relation;
  std::string name;           // "table" in payloads
  SourcePos pos;              // of the key
  std::vector<Column> id;
  std::set<Op> operations{Op::insert, Op::update, Op::remove};
  std::optional<std::vector<Column>> watch;  // unset: every update fires
  std::vector<Template> tags;
  std::optional<std::string> tags_sql;
  SourcePos tags_sql_pos;
  std::vector<Column> tags_args;
  PayloadConfig payload;
  Template collapse = Template::parse("{table}:{id}");

  // Columns the trigger must capture from OLD and NEW (templates, tags_args).
  std::vector<Column> captured_columns() const;
};

// Names a payload/collapse template may use besides columns.
inline const std::set<std::string> builtin_template_names{"table", "op", "id"};

struct Config {
  std::string file;  // path the config was read from, for messages
  DatabaseConfig database;
  std::optional<HttpConfig> http;
  std::optional<ApnsConfig> apns;
  std::optional<FcmConfig> fcm;
  std::optional<WebPushConfig> webpush;
  WebsocketConfig websocket;
  DeliveryConfig delivery;
  std::optional<Template> users_tag;
  LogConfig log;
  Duration shutdown_timeout = 10s;
  std::vector<TableConfig> tables;

  const TableConfig* find_table(const std::string& key) const;
};

}  // namespace pushsync::config
