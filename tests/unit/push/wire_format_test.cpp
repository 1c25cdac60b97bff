#include <gtest/gtest.h>

#include "sidecar/push/log/log_provider.hpp"
#include "sidecar/push/wire_format.hpp"

namespace pushsync::push {
namespace {

using namespace std::chrono_literals;

Push sample(Platform platform) {
  Push p;
  p.target = {"dev-1", platform, "device-token"};
  p.fields = {{"message", "PUSH-TO-SYNC"}, {"table", "items"}, {"op", "update"}, {"id", "7"}, {"orig", "dev-2"},
              {"list", "3"}};
  p.collapse_id = "items:7";
  return p;
}

TEST(WireFormat, ApnsBackgroundBody) {
  EXPECT_EQ(apns_body(sample(Platform::apns)).dump(),
            R"({"aps":{"content-available":1},"message":"PUSH-TO-SYNC","table":"items","op":"update","id":"7",)"
            R"("orig":"dev-2","list":"3"})");
}

TEST(WireFormat, ApnsAlertBody) {
  Push p = sample(Platform::apns);
  p.kind = PayloadKind::alert;
  p.alert = "Milk changed";
  p.sound = "default";
  p.badge = 2;
  EXPECT_EQ(apns_body(p)["aps"].dump(), R"({"alert":"Milk changed","sound":"default","badge":2})");
}

TEST(WireFormat, TheApnsWireBodyIsTheApnsBodyAsText) {
  Push background = sample(Platform::apns);
  Push alert = sample(Platform::apns);
  alert.kind = PayloadKind::alert;
  alert.alert = "Milk \"changed\"";
  alert.badge = 2;
  Push own_aps = sample(Platform::apns);  // a column named "aps" replaces Apple's (as in apns_body)
  own_aps.fields["aps"] = {{"x", 1}};
  for (const Push& p : {background, alert, own_aps}) EXPECT_EQ(wire_body(p, 1h), apns_body(p).dump());
}

TEST(WireFormat, TheBodySizedByFitToLimitIsTheOneSent) {
  Push p = sample(Platform::fcm);
  ASSERT_TRUE(fit_to_limit(p, 1h));
  EXPECT_EQ(p.body, fcm_message(p, 1h).dump());
  EXPECT_EQ(wire_body(p, 1h), p.body);
}

TEST(WireFormat, FcmMessageHasOnlyStringDataAndAndroidOptions) {
  Push p = sample(Platform::fcm);
  p.fields["count"] = 5;
  EXPECT_EQ(fcm_message(p, 1h).dump(),
            R"({"message":{"token":"device-token","data":{"message":"PUSH-TO-SYNC","table":"items","op":"update",)"
            R"("id":"7","orig":"dev-2","list":"3","count":"5"},"android":{"priority":"high","collapse_key":"items:7",)"
            R"("ttl":"3600s"}}})");
  EXPECT_FALSE(fcm_message(p, 1h, false)["message"].contains("token"));
}

TEST(WireFormat, WebSocketFrameIsTheFields) {
  EXPECT_EQ(ws_frame(sample(Platform::ws)).dump(),
            R"({"message":"PUSH-TO-SYNC","table":"items","op":"update","id":"7","orig":"dev-2","list":"3"})");
}

TEST(WireFormat, OversizedPushesFallBackToTableOpIdOrAreRefused) {
  Push p = sample(Platform::apns);
  p.fields["list"] = std::string(5000, 'x');
  ASSERT_TRUE(fit_to_limit(p, 1h));
  EXPECT_EQ(apns_body(p).dump(),
            R"({"aps":{"content-available":1},"message":"PUSH-TO-SYNC","table":"items","op":"update","id":"7"})");
  Push huge = sample(Platform::fcm);
  huge.fields["id"] = std::string(5000, '1');
  EXPECT_FALSE(fit_to_limit(huge, 1h));
}

TEST(WireFormat, AWebPushIsTheFieldsAndFitsTheEncryptedLimitOf4096Bytes) {
  Push p = sample(Platform::webpush);
  p.fields["data"] = std::string(3800, 'x');
  ASSERT_TRUE(fit_to_limit(p, 1h));
  EXPECT_EQ(p.body, ws_frame(p).dump());
  EXPECT_LE(p.body.size(), webpush::max_plaintext_bytes);
  EXPECT_TRUE(p.fields.contains("data"));  // 3,8xx bytes: still whole

  Push big = sample(Platform::webpush);
  big.fields["data"] = std::string(4000, 'x');  // would fit APNs' 4096, not Web Push's 3993
  ASSERT_TRUE(fit_to_limit(big, 1h));
  EXPECT_EQ(big.body, R"({"message":"PUSH-TO-SYNC","table":"items","op":"update","id":"7"})");
}

// One change's pushes to many devices are serialized once; each body is
// still the one its own push would have.
TEST(WireFormat, FittingAllGivesEachPushItsOwnBody) {
  std::vector<Push> pushes;
  for (Platform platform : {Platform::apns, Platform::apns, Platform::fcm, Platform::fcm, Platform::ws})
    pushes.push_back(sample(platform));
  pushes[1].fields["id"] = "8";                    // another record
  pushes[3].target.token = "another-device-token";  // FCM's message names its device
  Push oversized = sample(Platform::ws);
  oversized.fields["list"] = std::string(5000, 'x');
  pushes.push_back(oversized);
  pushes.push_back(oversized);  // trimmed like the one before
  Push alert = sample(Platform::ws);
  alert.alert = "hi";
  pushes.push_back(alert);
  pushes.push_back(sample(Platform::ws));
  pushes.push_back(sample(Platform::ws));  // the same change to another device
  pushes.back().target.id = "dev-3";

  std::vector<std::string> expected;
  for (Push p : pushes) expected.push_back(fit_to_limit(p, 1h) ? p.body : "");
  fit_all_to_limit(pushes, 1h);
  for (std::size_t i = 0; i < pushes.size(); ++i) EXPECT_EQ(pushes[i].body, expected[i]) << "push " << i;
  EXPECT_NE(pushes[2].body, pushes[3].body);
  EXPECT_EQ(pushes[5].body, pushes[6].body);
}

TEST(WireFormat, PushesWithinTheLimitAreUntouched) {
  Push p = sample(Platform::ws);
  auto before = p.fields;
  ASSERT_TRUE(fit_to_limit(p, 1h));
  EXPECT_EQ(p.fields, before);
}

TEST(LogProvider, LinesNameThePlatformAndInstallationButNoToken) {
  std::string line = LogProvider::line_for(sample(Platform::fcm), 1h);
  EXPECT_EQ(line.find("device-token"), std::string::npos);
  auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["platform"], "fcm");
  EXPECT_EQ(json["installation"], "dev-1");
  EXPECT_EQ(json["payload"]["data"]["id"], "7");
}

}  // namespace
}  // namespace pushsync::push
