#include <gtest/gtest.h>

#include "tests/fakes/test_pki.hpp"

#include <fstream>
#include <map>

#include "sidecar/config/config_error.hpp"
#include "sidecar/config/config_loader.hpp"
#include "sidecar/push/webpush/vapid.hpp"

namespace pushsync::config {
namespace {

EnvLookup env(std::map<std::string, std::string> vars = {{"DATABASE_URL", "host=/tmp dbname=app"}}) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::string header = "database:\n  url: ${DATABASE_URL}\n";
const std::string items = "tables:\n  public.items:\n    tags: [\"user:{owner}\"]\n";

// The first error's text, or "" when the config is accepted.
std::string error_of(const std::string& yaml, const EnvLookup& lookup = env()) {
  try {
    parse_config("pushsync.yaml", yaml, lookup);
    return "";
  } catch (const ConfigError& e) {
    return e.issues().at(0).to_string();
  }
}

TEST(ConfigLoader, TheExampleConfigIsValid) {
  auto vapid = push::webpush::generate_vapid_keys();
  std::string vapid_file = test::TestPki::get().files_dir + "/example-vapid.pem";
  std::ofstream(vapid_file) << vapid.private_pem;
  auto config = load_config(PUSHSYNC_SOURCE_DIR "/config/pushsync.example.yaml",
                            env({{"DATABASE_URL", "postgresql:///app"},
                                {"PUSHSYNC_API_TOKEN", "secret"},
                                {"VAPID_PUBLIC_KEY", vapid.public_key},
                                {"VAPID_PRIVATE_KEY_FILE", vapid_file},
                                {"APNS_KEY_FILE", test::TestPki::get().apns_key},
                                {"FCM_SERVICE_ACCOUNT_FILE",
                                 test::TestPki::get().service_account_file("https://oauth2.googleapis.com/token")}}));
  EXPECT_EQ(config.database.url, "postgresql:///app");
  EXPECT_EQ(config.http->api_tokens, std::vector<std::string>{"secret"});
  EXPECT_EQ(config.apns->topic, "com.example.todo");
  EXPECT_EQ(config.webpush->subject, "mailto:ops@example.com");
  ASSERT_EQ(config.tables.size(), 2u);
  EXPECT_EQ(config.tables[0].relation, (QualifiedName{"public", "todo_items"}));
  EXPECT_EQ(config.tables[0].watch->size(), 3u);
  EXPECT_EQ(config.tables[1].tags_args[0].name, "room_id");
  EXPECT_EQ(config.delivery.backoff.max, std::chrono::minutes(5));
}

TEST(ConfigLoader, DefaultsFollowTheSpec) {
  auto config = parse_config("pushsync.yaml", header + items, env());
  EXPECT_EQ(config.database.schema, "pushsync");
  EXPECT_EQ(config.database.batch_size, 500);
  EXPECT_EQ(config.database.batch_pushes, 2500);
  EXPECT_EQ(config.database.poll_interval, std::chrono::seconds(1));
  EXPECT_EQ(config.database.busy_poll, std::chrono::milliseconds(2));
  EXPECT_EQ(config.database.batch_interval, std::chrono::milliseconds(50));
  EXPECT_TRUE(config.database.claim);
  EXPECT_EQ(config.websocket.max_unacked, 64);
  EXPECT_EQ(config.websocket.max_connections, 0);  // from the open-files limit
  EXPECT_EQ(config.delivery.max_attempts, 8);
  EXPECT_EQ(config.delivery.expiration, std::chrono::hours(1));
  EXPECT_FALSE(config.delivery.deliver_to_originator);
  const auto& t = config.tables[0];
  EXPECT_EQ(t.name, "items");
  EXPECT_EQ(t.id.at(0).name, "id");
  EXPECT_EQ(t.operations.size(), 3u);
  EXPECT_FALSE(t.watch.has_value());
  EXPECT_EQ(t.collapse.text(), "{table}:{id}");
}

TEST(ConfigLoader, EnvironmentDefaultsAndLiteralDollars) {
  auto config = parse_config(
      "pushsync.yaml", "database:\n  url: ${DB:-host=/run}\n  schema: \"$${x}\"\n" + items, env({}));
  EXPECT_EQ(config.database.url, "host=/run");
  EXPECT_EQ(config.database.schema, "${x}");
}

TEST(ConfigLoader, QuotedAndSpacedTableNames) {
  auto config = parse_config("pushsync.yaml",
                             header + "tables:\n  Sales.Order Items:\n    id: [order_no, region]\n"
                                      "    tags: [\"r:{region}\"]\n"
                                      "  '\"my.schema\".orders':\n    tags: [\"o:{owner}\"]\n",
                             env());
  EXPECT_EQ(config.tables[0].relation, (QualifiedName{"Sales", "Order Items"}));
  EXPECT_EQ(config.tables[0].id.size(), 2u);
  EXPECT_EQ(config.tables[1].relation, (QualifiedName{"my.schema", "orders"}));
}

TEST(ConfigLoader, CapturedColumnsAreTheOnesTemplatesUse) {
  auto config = parse_config("pushsync.yaml",
                             header + "tables:\n  public.items:\n    tags: [\"u:{owner}\", \"l:{list_id}\"]\n"
                                      "    payload:\n      data: {t: \"{title} {id}\"}\n"
                                      "    collapse: \"{table}:{id}:{rev}\"\n",
                             env());
  std::vector<std::string> names;
  for (const auto& c : config.tables[0].captured_columns()) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"owner", "list_id", "title", "rev"}));
}

TEST(ConfigLoader, SecretsCanComeFromFiles) {
  std::string path = ::testing::TempDir() + "/token";
  { std::ofstream(path) << "s3cret\n"; }
  auto config = parse_config("pushsync.yaml",
                             header + "http:\n  api_token_file: " + path + "\n" + items, env());
  EXPECT_EQ(config.http->api_tokens, std::vector<std::string>{"s3cret"});
}

// Rotation: every token of api_token, api_tokens and api_token_file (one
// per line, blank lines and # comments skipped) is accepted.
TEST(ConfigLoader, SeveralApiTokensAreAcceptedAtOnce) {
  std::string path = ::testing::TempDir() + "/tokens";
  { std::ofstream(path) << "# rotated 2026-12-01\nfrom-file-1\n\n  \nfrom-file-2\r\n"; }
  auto config = parse_config("pushsync.yaml",
                             header + "http:\n  api_token: inline\n  api_tokens: [listed-1, listed-2]\n"
                                      "  api_token_file: " + path + "\n" + items,
                             env());
  EXPECT_EQ(config.http->api_tokens,
            (std::vector<std::string>{"inline", "listed-1", "listed-2", "from-file-1", "from-file-2"}));
}

struct BadConfig {
  const char* name;
  std::string yaml;
  std::string error;
};

void PrintTo(const BadConfig& c, std::ostream* os) { *os << c.name; }

class BadConfigs : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigs, AreRejectedWithFileLineColumnAndKey) { EXPECT_EQ(error_of(GetParam().yaml), GetParam().error); }

INSTANTIATE_TEST_SUITE_P(
    ConfigLoader, BadConfigs,
    ::testing::Values(
        BadConfig{"TypoInKey", header + "  poll_intervall: 1s\n" + items,
                  "pushsync.yaml:3:3: database.poll_intervall: unknown key \"poll_intervall\" (did you mean "
                  "\"poll_interval\"?)"},
        BadConfig{"UnknownSection", header + "apn:\n  topic: x\n" + items,
                  "pushsync.yaml:3:1: apn: unknown key \"apn\" (did you mean \"apns\"?)"},
        BadConfig{"WrongType", header + "  batch_size: lots\n" + items,
                  "pushsync.yaml:3:15: database.batch_size: expected a whole number, got \"lots\""},
        BadConfig{"OutOfRange", header + "  batch_size: 0\n" + items,
                  "pushsync.yaml:3:15: database.batch_size: must be between 1 and 10000, got 0"},
        BadConfig{"PushBudgetOutOfRange", header + "  batch_pushes: 0\n" + items,
                  "pushsync.yaml:3:17: database.batch_pushes: must be between 1 and 1000000, got 0"},
        BadConfig{"BadDuration", header + "  poll_interval: 5 seconds\n" + items,
                  "pushsync.yaml:3:18: database.poll_interval: expected a duration such as 250ms, 5s, 2m or 1h, "
                  "got \"5 seconds\""},
        BadConfig{"BatchIntervalNotShorterThanPollInterval", header + "  batch_interval: 2s\n" + items,
                  "pushsync.yaml:3:19: database.batch_interval: batch_interval must be shorter than poll_interval"},
        BadConfig{"WebPushOriginPatternWithAPath", header + "webpush:\n  vapid_public_key: k\n  vapid_private_key_file: "
                  "/nonexistent\n  subject: mailto:a@b.c\n  allowed_origins: [\"https://push.example/x\"]\n" + items,
                  "pushsync.yaml:7:21: webpush.allowed_origins[0]: \"https://push.example/x\" is not an origin "
                  "pattern: a host (push.example.com), a wildcard for its subdomains (*.example.com) or *, with an "
                  "optional :port"},
        BadConfig{"DurationWithoutUnit", header + "  lease: 30\n" + items,
                  "pushsync.yaml:3:10: database.lease: expected a duration such as 250ms, 5s, 2m or 1h, got \"30\""},
        BadConfig{"UnsetVariable", "database:\n  url: ${NOPE}\n" + items,
                  "pushsync.yaml:2:8: database.url: environment variable NOPE is not set (use ${NOPE:-default} "
                  "for a default)"},
        BadConfig{"MissingDatabase", items, "pushsync.yaml:1:1: missing required key \"database\""},
        BadConfig{"NoTables", header, "pushsync.yaml:1:1: missing required key \"tables\""},
        BadConfig{"EmptyTags", header + "tables:\n  public.items:\n    tags: []\n",
                  "pushsync.yaml:5:11: tables.public.items.tags: tags is empty: no device would ever be notified"},
        BadConfig{"NoAudience", header + "tables:\n  public.items:\n    id: id\n",
                  "pushsync.yaml:4:3: tables.public.items: no audience: set tags or tags_sql"},
        BadConfig{"BadOperation", header + "tables:\n  public.items:\n    operations: [insert, upsert]\n"
                                           "    tags: [\"u:{owner}\"]\n",
                  "pushsync.yaml:5:26: tables.public.items.operations[1]: unknown operation \"upsert\"; expected "
                  "insert, update or delete"},
        BadConfig{"DuplicateTable", header + items + "  public.items:\n    tags: [\"x:{owner}\"]\n",
                  "pushsync.yaml:6:3: tables.public.items: duplicate key (first at line 4)"},
        BadConfig{"SameTableWrittenTwoWays",
                  header + items + "  '\"public\".items':\n    tags: [\"x:{owner}\"]\n",
                  "pushsync.yaml:6:3: tables.\"public\".items: table configured twice (also as \"public.items\" at "
                  "line 4)"},
        BadConfig{"SameBareNameNeedsName",
                  header + items + "  archive.items:\n    tags: [\"x:{owner}\"]\n",
                  "pushsync.yaml:6:3: tables.archive.items: payload name \"items\" is also used by \"public.items\"; "
                  "set name: to tell them apart"},
        BadConfig{"UnclosedTemplate", header + "tables:\n  public.items:\n    tags: [\"user:{owner\"]\n",
                  "pushsync.yaml:5:12: tables.public.items.tags[0]: bad template: unclosed '{' at offset 5"},
        BadConfig{"AlertOnBackgroundKind",
                  header + items + "    payload:\n      alert: \"{title} changed\"\n",
                  "pushsync.yaml:7:14: tables.public.items.payload.alert: alert is only sent with kind: alert"},
        BadConfig{"ReservedPayloadField", header + items + "    payload:\n      data: {id: \"{title}\"}\n",
                  "pushsync.yaml:7:14: tables.public.items.payload.data.id: \"id\" is reserved in the payload"},
        BadConfig{"TagsArgsMismatch",
                  header + "tables:\n  public.rooms:\n    tags_sql: \"SELECT x FROM m WHERE a = $1 AND b = $2\"\n"
                           "    tags_args: [id]\n",
                  "pushsync.yaml:5:15: tables.public.rooms.tags_sql: tags_sql uses 2 parameter(s) but tags_args "
                  "lists 1"},
        BadConfig{"BadEnumValue", header + "  migrate: sometimes\n" + items,
                  "pushsync.yaml:3:12: database.migrate: expected auto | manual, got \"sometimes\""},
        BadConfig{"BackoffUpsideDown", header + "delivery:\n  backoff: {initial: 10m, max: 1m}\n" + items,
                  "pushsync.yaml:4:12: delivery.backoff: backoff.initial must not exceed backoff.max"},
        BadConfig{"ApnsWithoutAuth", header + "apns:\n  topic: com.example\n" + items,
                  "pushsync.yaml:4:3: apns: set key_file (token auth) or certificate_file + private_key_file "
                  "(certificate auth), exactly one"},
        BadConfig{"HttpWithoutToken", header + "http:\n  listen: 0.0.0.0:80\n" + items,
                  "pushsync.yaml:4:3: http: http.api_token, api_tokens or api_token_file is required when "
                  "http is configured"},
        BadConfig{"MissingSecretFile", header + "http:\n  api_token_file: /nonexistent/token\n" + items,
                  "pushsync.yaml:4:19: http.api_token_file: cannot read secret file \"/nonexistent/token\": "
                  "no such file"},
        BadConfig{"HttpDbConnectionsOutOfRange", header + "http:\n  api_token: t\n  db_connections: 0\n" + items,
                  "pushsync.yaml:5:19: http.db_connections: must be between 1 and 64, got 0"},
        BadConfig{"WebsocketPingTooShort", header + "websocket:\n  ping_interval: 10ms\n" + items,
                  "pushsync.yaml:4:18: websocket.ping_interval: must be at least 100ms"},
        BadConfig{"UsersTagWithoutUserId", header + "users:\n  tag: \"_email_{email}\"\n" + items,
                  "pushsync.yaml:4:8: users.tag: users.tag must use {user_id} and nothing else, e.g. "
                  "\"_email_{user_id}\""},
        BadConfig{"YamlSyntax", header + "tables: [\n",
                  "pushsync.yaml:4:1: YAML syntax error: end of sequence flow not found"},
        BadConfig{"WatchWithoutUpdate",
                  header + "tables:\n  public.items:\n    operations: [insert]\n    watch: [title]\n"
                           "    tags: [\"u:{owner}\"]\n",
                  "pushsync.yaml:6:12: tables.public.items.watch: watch has no effect without update in operations"},
        BadConfig{"BuiltinInTag", header + "tables:\n  public.items:\n    tags: [\"t:{table}\"]\n",
                  "pushsync.yaml:5:12: tables.public.items.tags[0]: {table} is only available in payload and "
                  "collapse templates"}),
    [](const ::testing::TestParamInfo<BadConfig>& p) { return std::string(p.param.name); });

TEST(ConfigLoader, AMissingFileIsAClearError) {
  try {
    load_config("/nonexistent/pushsync.yaml", env());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/pushsync.yaml: cannot read the config file: no such file");
  }
}

}  // namespace
}  // namespace pushsync::config

namespace pushsync::config {
namespace {

TEST(ConfigLoader, WebPushErrorsPointAtTheirKey) {
  auto vapid = push::webpush::generate_vapid_keys();
  std::string vapid_file = test::TestPki::get().files_dir + "/vapid-errors.pem";
  std::ofstream(vapid_file) << vapid.private_pem;
  auto webpush = [&](const std::string& key_file, const std::string& subject) {
    return "database: {url: postgresql:///app}\nwebpush:\n  vapid_public_key: " + vapid.public_key +
           "\n  vapid_private_key_file: " + key_file + "\n  subject: \"" + subject +
           "\"\ntables:\n  items:\n    tags: [\"user:{owner}\"]\n";
  };
  EXPECT_EQ(error_of(webpush(vapid_file, "mailto:ops@example.com")), "");
  EXPECT_EQ(error_of(webpush(vapid_file, "ops@example.com")),
            "pushsync.yaml:5:12: webpush.subject: subject must be a mailto: or https: URL push services can reach "
            "you at");
  EXPECT_EQ(error_of(webpush(test::TestPki::get().fcm_key, "mailto:ops@example.com")),
            "pushsync.yaml:4:27: webpush.vapid_private_key_file: the key is not an EC P-256 key");
}

}  // namespace
}  // namespace pushsync::config
