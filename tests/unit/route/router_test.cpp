#include <gtest/gtest.h>

#include "sidecar/config/config_loader.hpp"
#include "sidecar/route/router.hpp"

namespace pushsync::route {
namespace {

using nlohmann::json;

// Installations in memory; counts lookups to prove one query per batch.
class MemoryDirectory : public Directory {
 public:
  std::vector<std::pair<Installation, std::vector<std::string>>> devices;
  std::map<std::string, std::vector<std::string>> sql_tags;  // first arg -> tags
  int lookups = 0;

  std::vector<TaggedInstallation> installations_for(const std::vector<std::string>& tags) override {
    ++lookups;
    std::vector<TaggedInstallation> out;
    for (const auto& [device, device_tags] : devices)
      for (const auto& t : device_tags)
        if (std::find(tags.begin(), tags.end(), t) != tags.end()) out.push_back({t, device});
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
  return Change{id, "public.items", op, std::to_string(id % 100), std::move(old_values), std::move(new_values),
                std::move(orig), 1};
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.devices = {{{"ann-phone", Platform::apns, "tok1"}, {"user:ann"}},
                   {{"ann-tablet", Platform::fcm, "tok2"}, {"user:ann", "list:1"}},
                   {{"bob-ws", Platform::ws, ""}, {"user:bob"}}};
  }
  std::vector<std::string> targets(const RoutedBatch& batch) {
    std::vector<std::string> out;
    for (const auto& p : batch.pushes) out.push_back(p.target.id);
    return out;
  }
  MemoryDirectory dir;
  DbTime now = DbTime{} + std::chrono::hours(1000);
};

TEST_F(RouterTest, OneDevicePerInstallationEvenWhenSeveralTagsMatch) {
  config::Config config = load(items);
  Router router(config);
  auto batch = router.route({change(1, Op::insert, nullptr, {{"owner", "ann"}, {"list", 1}})}, dir, now);
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"ann-tablet", "ann-phone"}));
  EXPECT_EQ(dir.lookups, 1);
  EXPECT_EQ(batch.pushes[0].fields.dump(),
            R"({"message":"PUSH-TO-SYNC","table":"items","op":"insert","id":"1","orig":""})");
}

TEST_F(RouterTest, OwnerChangeReachesOldAndNewOwner) {
  config::Config config = load(items);
  Router router(config);
  auto batch = router.route({change(1, Op::update, {{"owner", "ann"}}, {{"owner", "bob"}})}, dir, now);
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"ann-phone", "ann-tablet", "bob-ws"}));
}

TEST_F(RouterTest, TheOriginatorIsSkippedUnlessConfiguredOtherwise) {
  auto c = change(1, Op::update, nullptr, {{"owner", "ann"}}, "ann-phone");
  config::Config config = load(items);
  EXPECT_EQ(targets(Router(config).route({c}, dir, now)), (std::vector<std::string>{"ann-tablet"}));
  config::Config to_all = load(items, "delivery:\n  deliver_to_originator: true\n");
  EXPECT_EQ(targets(Router(to_all).route({c}, dir, now)), (std::vector<std::string>{"ann-phone", "ann-tablet"}));
}

TEST_F(RouterTest, ChangesOfOneRecordCoalesceIntoTheLatestPush) {
  config::Config config = load(items);
  auto batch = Router(config).route({change(101, Op::insert, nullptr, {{"owner", "bob"}}),
                                     change(201, Op::update, {{"owner", "bob"}}, {{"owner", "bob"}}),
                                     change(301, Op::remove, {{"owner", "bob"}}, nullptr)},
                                    dir, now);
  ASSERT_EQ(batch.pushes.size(), 1u);
  EXPECT_EQ(batch.pushes[0].fields["op"], "delete");
  EXPECT_EQ(batch.pushes[0].change_ids, (std::vector<ChangeId>{101, 201, 301}));
  EXPECT_EQ(batch.changes.size(), 3u);
}

TEST_F(RouterTest, ARecordPushedWithinTheCoalesceWindowIsHeldBack) {
  config::Config config = load(items, "delivery:\n  coalesce_window: 1s\n");
  Router router(config);
  auto t0 = now;
  auto first = router.route({change(1, Op::insert, nullptr, {{"owner", "bob"}})}, dir, t0);
  EXPECT_EQ(first.pushes.size(), 1u);
  auto second = router.route({change(101, Op::update, nullptr, {{"owner", "bob"}}),
                              change(2, Op::insert, nullptr, {{"owner", "bob"}})},
                             dir, t0 + std::chrono::milliseconds(400));
  ASSERT_EQ(second.held_back.size(), 1u);
  EXPECT_EQ(second.held_back[0].change_id, 101);
  EXPECT_EQ(second.held_back[0].until, t0 + std::chrono::seconds(1));
  ASSERT_EQ(second.pushes.size(), 1u);
  EXPECT_EQ(second.pushes[0].fields["id"], "2");
}

TEST_F(RouterTest, NullTagColumnsAddressNobody) {
  config::Config config = load(items);
  auto batch = Router(config).route({change(1, Op::insert, nullptr, {{"owner", nullptr}})}, dir, now);
  EXPECT_TRUE(batch.pushes.empty());
  EXPECT_EQ(dir.lookups, 0);
}

TEST_F(RouterTest, UnknownTablesAndFailingTagsSqlAreUnroutable) {
  config::Config config = load("  public.rooms:\n    tags_sql: \"SELECT 1 WHERE $1\"\n    tags_args: [id]\n");
  Change orphan{1, "public.gone", Op::insert, "1", nullptr, json::object(), "", 1};
  Change failing{2, "public.rooms", Op::insert, "2", nullptr, {{"id", "boom"}}, "", 1};
  Change fine{3, "public.rooms", Op::insert, "3", nullptr, {{"id", "3"}}, "", 1};
  dir.sql_tags["3"] = {"user:bob"};
  auto batch = Router(config).route({orphan, failing, fine}, dir, now);
  ASSERT_EQ(batch.unroutable.size(), 2u);
  EXPECT_EQ(batch.unroutable[0].reason, "table_not_configured");
  EXPECT_EQ(batch.unroutable[1].reason, "tags_sql_failed: relation \"gone\" does not exist");
  EXPECT_EQ(targets(batch), (std::vector<std::string>{"bob-ws"}));
}

TEST_F(RouterTest, PayloadTemplatesUseColumnsAndBuiltins) {
  config::Config config =
      load("  public.items:\n    tags: [\"user:{owner}\"]\n    collapse: \"{table}/{op}/{id}/{owner}\"\n"
           "    payload:\n      kind: alert\n      alert: \"{title} changed\"\n      sound: ping\n      badge: 3\n"
           "      data: {who: \"{owner}\", missing: \"[{nothing}]\"}\n");
  auto batch = Router(config).route({change(7, Op::update, nullptr, {{"owner", "bob"}, {"title", "Milk"}})}, dir, now);
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
  std::string title(100, 'x');
  auto batch = Router(config).route({change(7, Op::update, nullptr, {{"owner", "bob"}, {"title", title}})}, dir, now);
  ASSERT_EQ(batch.pushes.size(), 1u);
  EXPECT_EQ(batch.pushes[0].collapse_id.size(), 64u);
  EXPECT_EQ(batch.pushes[0].collapse_id, "09ecb6ebc8bcefc733f6f2ec44f791abeed6a99edf0cc31519637898aebd52d8");
}

}  // namespace
}  // namespace pushsync::route

namespace pushsync::route {
namespace {

TEST_F(RouterTest, DirectPushesGoToTheirTagsAndAreNeverMerged) {
  config::Config config = load(items);
  Router router(config);
  json push = {{"tags", {"user:bob"}}, {"alert", "Hello"}, {"data", {{"sources", {"items"}}}}};
  auto batch = router.route({Change{7, "", Op::update, "", nullptr, push, "", 1},
                             Change{8, "", Op::update, "", nullptr, push, "", 1}},
                            dir, now);
  ASSERT_EQ(targets(batch), (std::vector<std::string>{"bob-ws", "bob-ws"}));
  EXPECT_EQ(batch.pushes[0].kind, PayloadKind::alert);
  EXPECT_EQ(batch.pushes[0].alert, "Hello");
  EXPECT_EQ(batch.pushes[0].fields.dump(), R"({"sources":["items"]})");
  EXPECT_EQ(batch.pushes[1].change_ids, (std::vector<ChangeId>{8}));
  EXPECT_TRUE(batch.held_back.empty());
}

}  // namespace
}  // namespace pushsync::route
