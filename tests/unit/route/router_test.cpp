#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sidecar/config/config_loader.hpp"
#include "sidecar/route/router.hpp"

namespace pushsync::route {
namespace {

using nlohmann::json;
using Fate = ChangeFate::Kind;

// Installations in memory, read the way the database reads them: by tag,
// in id order, after a cursor, at most `limit` per tag. Counts lookups to
// prove one query per batch.
class MemoryDirectory : public Directory {
 public:
  std::vector<std::pair<Installation, std::vector<std::string>>> devices;
  std::map<std::string, std::vector<std::string>> sql_tags;  // first arg -> tags
  int lookups = 0;
  int last_limit = 0;

  std::vector<std::vector<Installation>> audiences(const std::vector<AudienceKey>& keys, int limit) override {
    ++lookups;
    last_limit = limit;
    std::vector<std::vector<Installation>> out;
    for (const auto& key : keys) {
      std::vector<Installation> found;
      for (const auto& [device, tags] : devices) {
        bool carries = std::find(tags.begin(), tags.end(), key.tag) != tags.end() ||
                       key.tag == std::string(installation_tag_prefix) + device.id;
        if (carries && device.id > key.after) found.push_back(device);
      }
      std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
      if (found.size() > static_cast<std::size_t>(limit)) found.resize(static_cast<std::size_t>(limit));
      out.push_back(std::move(found));
    }
    return out;
  }
  std::vector<std::string> tags_from_sql(const std::string&,
                                         const std::vector<std::optional<std::string>>& args) override {
    if (args.at(0) == "boom") throw std::runtime_error("relation \"gone\" does not exist");
    return sql_tags[args.at(0).value_or("")];
  }
};

config::Config load(const std::string& tables, const std::string& delivery = "") {
  return config::parse_config("t.yaml", "database:\n  url: x\n" + delivery + "tables:\n" + tables,
                              [](const std::string&) { return std::nullopt; });
}

const std::string items = "  public.items:\n    tags: [\"user:{owner}\", \"list:{list}\"]\n";

Change change(ChangeId id, Op op, json old_values, json new_values, std::string orig = "") {
  Change c;
  c.id = id;
  c.table_key = "public.items";
  c.rows = {RowChange{op, std::to_string(id % 100), std::move(old_values), std::move(new_values)}};
  c.originator = std::move(orig);
  return c;
}

// One statement that changed `rows` items of `owner`, ids 1..rows.
Change statement(ChangeId id, int rows, const std::string& owner) {
  Change c;
  c.id = id;
  c.table_key = "public.items";
  c.row_count = rows;
  for (int r = 1; r <= rows; ++r) c.rows.push_back({Op::update, std::to_string(r), nullptr, {{"owner", owner}}});
  return c;
}

Change direct(ChangeId id, json push) {
  Change c;
  c.id = id;
  c.rows = {RowChange{Op::update, "", nullptr, std::move(push)}};
  return c;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.devices = {{{"ann-phone", Platform::apns, "tok1"}, {"user:ann"}},
                   {{"ann-tablet", Platform::fcm, "tok2"}, {"user:ann", "list:1"}},
                   {{"bob-ws", Platform::ws, ""}, {"user:bob"}}};
  }
  // `n` devices carrying "all", named d0000..
  void add_everyone(int n) {
    for (int i = 0; i < n; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "d%04d", i);
      dir.devices.push_back({{name, Platform::ws, ""}, {"all"}});
    }
  }
  std::vector<std::string> targets(const RoutedBatch& batch) {
    std::vector<std::string> out;
    for (const auto& p : batch.pushes) out.push_back(p.target.id);
    return out;
  }
  RoutedBatch route(Router& router, std::vector<Change> changes, int budget = 5000, std::vector<Push> retries = {}) {
    return router.route(std::move(changes), std::move(retries), dir, now, budget);
  }
  MemoryDirectory dir;
  DbTime now = DbTime{} + std::chrono::hours(1000);
};

TEST_F(RouterTest, OneDevicePerInstallationEvenWhenSeveralTagsMatch) {
  config::Config config = load(items);
  Router router(config);
  auto batch = route(router, {change(1, Op::insert, nullptr, {{"owner", "ann"}, {"list", 1}})});
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"ann-phone", "ann-tablet"}));
  EXPECT_EQ(dir.lookups, 1);
  EXPECT_EQ(batch.pushes[0].fields.dump(),
            R"({"message":"PUSH-TO-SYNC","table":"items","op":"insert","id":"1","orig":""})");
  EXPECT_EQ(batch.fates[0].kind, Fate::done);
  EXPECT_FALSE(batch.cut);
}

TEST_F(RouterTest, OwnerChangeReachesOldAndNewOwner) {
  config::Config config = load(items);
  Router router(config);
  auto batch = route(router, {change(1, Op::update, {{"owner", "ann"}}, {{"owner", "bob"}})});
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"ann-phone", "ann-tablet", "bob-ws"}));
}

TEST_F(RouterTest, TheOriginatorIsSkippedUnlessConfiguredOtherwise) {
  auto c = change(1, Op::update, nullptr, {{"owner", "ann"}}, "ann-phone");
  config::Config config = load(items);
  Router skipping(config);
  EXPECT_EQ(targets(route(skipping, {c})), (std::vector<std::string>{"ann-tablet"}));
  config::Config to_all = load(items, "delivery:\n  deliver_to_originator: true\n");
  Router sending(to_all);
  EXPECT_EQ(targets(route(sending, {c})), (std::vector<std::string>{"ann-phone", "ann-tablet"}));
}

TEST_F(RouterTest, ChangesOfOneRecordCoalesceIntoTheLatestPush) {
  config::Config config = load(items);
  Router router(config);
  auto batch = route(router, {change(101, Op::insert, nullptr, {{"owner", "bob"}}),
                              change(201, Op::update, {{"owner", "bob"}}, {{"owner", "bob"}}),
                              change(301, Op::remove, {{"owner", "bob"}}, nullptr)});
  ASSERT_EQ(batch.pushes.size(), 1u);
  EXPECT_EQ(batch.pushes[0].fields["op"], "delete");
  EXPECT_EQ(batch.pushes[0].origin.change_id, 301);
  EXPECT_EQ(batch.pushes[0].origin.record, "public.items\n1");
  ASSERT_EQ(batch.fates.size(), 3u);
  for (const auto& fate : batch.fates) EXPECT_EQ(fate.kind, Fate::done);
}

TEST_F(RouterTest, ARecordPushedWithinTheCoalesceWindowIsHeldBack) {
  config::Config config = load(items, "delivery:\n  coalesce_window: 1s\n");
  Router router(config);
  auto t0 = now;
  auto first = route(router, {change(1, Op::insert, nullptr, {{"owner", "bob"}})});
  EXPECT_EQ(first.pushes.size(), 1u);
  now = t0 + std::chrono::milliseconds(400);
  auto second = route(router, {change(101, Op::update, nullptr, {{"owner", "bob"}}),
                               change(2, Op::insert, nullptr, {{"owner", "bob"}})});
  EXPECT_EQ(second.fates[0].kind, Fate::held_back);
  EXPECT_EQ(second.fates[0].until, t0 + std::chrono::seconds(1));
  ASSERT_EQ(second.pushes.size(), 1u);
  EXPECT_EQ(second.pushes[0].fields["id"], "2");
}

TEST_F(RouterTest, NullTagColumnsAddressNobody) {
  config::Config config = load(items);
  Router router(config);
  auto batch = route(router, {change(1, Op::insert, nullptr, {{"owner", nullptr}})});
  EXPECT_TRUE(batch.pushes.empty());
  EXPECT_EQ(batch.fates[0].kind, Fate::done);
  EXPECT_EQ(dir.lookups, 0);
}

TEST_F(RouterTest, AConstantTagReachesItsDevicesWhateverTheRowHolds) {
  dir.devices.push_back({{"kiosk", Platform::ws, ""}, {"all"}});
  config::Config config = load("  public.items:\n    tags: [\"all\"]\n");
  Router router(config);
  // No column is captured for a constant tag: the row images are null.
  auto batch = route(router, {change(1, Op::insert, nullptr, nullptr), change(2, Op::remove, nullptr, nullptr)});
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"kiosk", "kiosk"}));
}

TEST_F(RouterTest, UnknownTablesAndFailingTagsSqlAreUnroutable) {
  config::Config config = load("  public.rooms:\n    tags_sql: \"SELECT 1 WHERE $1\"\n    tags_args: [id]\n");
  Router router(config);
  auto orphan = change(1, Op::insert, nullptr, json::object());
  orphan.table_key = "public.gone";
  auto failing = change(2, Op::insert, nullptr, {{"id", "boom"}});
  failing.table_key = "public.rooms";
  auto fine = change(3, Op::insert, nullptr, {{"id", "3"}});
  fine.table_key = "public.rooms";
  dir.sql_tags["3"] = {"user:bob"};
  auto batch = route(router, {orphan, failing, fine});
  EXPECT_EQ(batch.fates[0].kind, Fate::unroutable);
  EXPECT_EQ(batch.fates[0].reason, "table_not_configured");
  ASSERT_EQ(batch.unroutable_rows.size(), 1u);
  EXPECT_EQ(batch.unroutable_rows[0].change, 1u);
  EXPECT_EQ(batch.unroutable_rows[0].reason, "tags_sql_failed: relation \"gone\" does not exist");
  EXPECT_EQ(batch.fates[1].kind, Fate::done);
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"bob-ws"}));
}

TEST_F(RouterTest, PayloadTemplatesUseColumnsAndBuiltins) {
  config::Config config =
      load("  public.items:\n    tags: [\"user:{owner}\"]\n    collapse: \"{table}/{op}/{id}/{owner}\"\n"
           "    payload:\n      kind: alert\n      alert: \"{title} changed\"\n      sound: ping\n      badge: 3\n"
           "      data: {who: \"{owner}\", missing: \"[{nothing}]\"}\n");
  Router router(config);
  auto batch = route(router, {change(7, Op::update, nullptr, {{"owner", "bob"}, {"title", "Milk"}})});
  ASSERT_EQ(batch.pushes.size(), 1u);
  const Push& p = batch.pushes[0];
  EXPECT_EQ(p.fields.dump(),
            R"({"message":"PUSH-TO-SYNC","table":"items","op":"update","id":"7","orig":"","who":"bob","missing":"[]"})");
  EXPECT_EQ(p.alert, "Milk changed");
  EXPECT_EQ(p.sound, "ping");
  EXPECT_EQ(p.badge, 3);
  EXPECT_EQ(p.collapse_id, "items/update/7/bob");
}

TEST_F(RouterTest, LongCollapseIdsAreHashedTo64Bytes) {
  config::Config config = load("  public.items:\n    tags: [\"user:{owner}\"]\n    collapse: \"{title}\"\n");
  Router router(config);
  std::string title(100, 'x');
  auto batch = route(router, {change(7, Op::update, nullptr, {{"owner", "bob"}, {"title", title}})});
  ASSERT_EQ(batch.pushes.size(), 1u);
  EXPECT_EQ(batch.pushes[0].collapse_id.size(), 64u);
  EXPECT_EQ(batch.pushes[0].collapse_id, "09ecb6ebc8bcefc733f6f2ec44f791abeed6a99edf0cc31519637898aebd52d8");
}

TEST_F(RouterTest, DirectPushesGoToTheirTagsAndAreNeverMerged) {
  config::Config config = load(items);
  Router router(config);
  json push = {{"tags", {"user:bob"}}, {"alert", "Hello"}, {"data", {{"sources", {"items"}}}}};
  auto batch = route(router, {direct(7, push), direct(8, push)});
  ASSERT_EQ(targets(batch), (std::vector<std::string>{"bob-ws", "bob-ws"}));
  EXPECT_EQ(batch.pushes[0].kind, PayloadKind::alert);
  EXPECT_EQ(batch.pushes[0].alert, "Hello");
  EXPECT_EQ(batch.pushes[0].fields.dump(), R"({"sources":["items"]})");
  EXPECT_EQ(batch.pushes[1].origin.record, "#8");
}

// A change reaching more devices than a batch may hold is sent in chunks:
// each chunk starts where the last one stopped, and every device gets it
// exactly once.
TEST_F(RouterTest, AFanOutLargerThanTheBudgetGoesInChunksFromItsCursor) {
  add_everyone(10);
  for (auto& [device, tags] : dir.devices)
    if (device.id == "d0003") tags.push_back("also");  // a second tag of one device
  config::Config config = load("  public.items:\n    tags: [\"all\", \"also\"]\n");
  Router router(config);
  std::multiset<std::string> reached;
  Change c = change(1, Op::insert, nullptr, nullptr);
  int chunks = 0;
  for (;; ++chunks) {
    auto batch = route(router, {c}, 4);
    EXPECT_LE(batch.pushes.size(), 4u);
    EXPECT_LE(dir.last_limit, 5);
    for (const auto& p : batch.pushes) reached.insert(p.target.id);
    if (batch.fates[0].kind == Fate::done) break;
    ASSERT_EQ(batch.fates[0].kind, Fate::cut);
    EXPECT_TRUE(batch.cut);
    c.cursor = batch.fates[0].cursor;
    ASSERT_LT(chunks, 10) << "no progress";
  }
  EXPECT_EQ(reached.size(), 10u);  // d0003 once, although it carries both tags
  EXPECT_EQ(std::set<std::string>(reached.begin(), reached.end()).size(), 10u);
  EXPECT_EQ(chunks, 2);
}

TEST_F(RouterTest, AStatementIsCutBetweenRowsAndTheChangesAfterItWait) {
  config::Config config = load(items);
  Router router(config);
  // 5 rows of ann's (2 devices each) and then a change of bob's.
  auto batch = route(router, {statement(1, 5, "ann"), change(2, Op::insert, nullptr, {{"owner", "bob"}})}, 5);
  EXPECT_EQ(batch.pushes.size(), 5u);
  ASSERT_EQ(batch.fates[0].kind, Fate::cut);
  EXPECT_EQ(batch.fates[0].cursor, (FanoutCursor{2, "ann-phone"}));  // row 3 reached its first device
  EXPECT_EQ(batch.fates[1].kind, Fate::deferred);
  EXPECT_TRUE(batch.cut);
}

TEST_F(RouterTest, AStatementClaimedInPartIsCutAfterItsLastClaimedRow) {
  config::Config config = load(items);
  Router router(config);
  Change part = statement(1, 3, "bob");
  part.row_count = 10;  // the claim read rows 0..2 of 10
  auto batch = route(router, {part});
  EXPECT_EQ(batch.pushes.size(), 3u);
  EXPECT_EQ(batch.fates[0].kind, Fate::cut);
  EXPECT_EQ(batch.fates[0].cursor, (FanoutCursor{3, ""}));
  EXPECT_EQ(batch.rows_routed, 3u);
}

Push retry_of(DeliveryId id, const std::string& installation, ChangeId change_id, const std::string& op) {
  Push p;
  p.target = {installation, Platform::ws, ""};
  p.origin = {change_id, "public.items", op, "1", {}, "public.items\n1", id, 2};
  p.fields = {{"op", op}};
  return p;
}

TEST_F(RouterTest, ARetryAndANewerChangeOfItsRecordBecomeOnePushThatSettlesTheRetry) {
  config::Config config = load(items);
  Router router(config);
  auto batch = route(router, {change(301, Op::remove, {{"owner", "bob"}}, nullptr)}, 5000,
                     {retry_of(9, "bob-ws", 201, "update")});
  ASSERT_EQ(batch.pushes.size(), 1u);
  EXPECT_EQ(batch.pushes[0].fields["op"], "delete");
  EXPECT_EQ(batch.pushes[0].origin.delivery, 9);
  EXPECT_EQ(batch.pushes[0].origin.attempts, 2);
}

TEST_F(RouterTest, ARetryWhoseInstallationIsGoneIsDropped) {
  config::Config config = load(items);
  Router router(config);
  Push gone = retry_of(9, "", 201, "update");
  auto batch = route(router, {}, 5000, {gone});
  EXPECT_TRUE(batch.pushes.empty());
  EXPECT_EQ(batch.stale, (std::vector<DeliveryId>{9}));
}

TEST_F(RouterTest, AFreshPushForARecordWaitingToBeRetriedFoldsIntoTheWaitingOne) {
  config::Config config = load(items);
  Router router(config);
  auto batch = route(router, {change(301, Op::update, nullptr, {{"owner", "ann"}})});
  fold_into_pending(batch, {{{"ann-tablet", "public.items\n1"}, 42}});
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"ann-phone"}));
  ASSERT_EQ(batch.folds.size(), 1u);
  EXPECT_EQ(batch.folds[0].delivery, 42);
  EXPECT_EQ(batch.folds[0].push.origin.change_id, 301);
}

}  // namespace
}  // namespace pushsync::route
