// A ws device's channel secret stops working at once when it is rotated
// (PUT issues a new one) or the installation is deleted: the connection
// made with it is closed, on every sidecar; one made with the new secret
// stays open.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/api_fixture.hpp"

namespace pushsync::test {
namespace {

using namespace std::chrono_literals;

TEST_F(ApiTest, RotatingTheChannelSecretClosesTheConnectionMadeWithTheOldOne) {
  start();
  auto old_secret = register_ws("bob-ws", {"user:bob"});
  WsDevice connected(port_, "bob-ws", old_secret);
  ASSERT_EQ(connected.refused_with(), 0);
  auto new_secret = register_ws("bob-ws", {"user:bob"});
  EXPECT_TRUE(connected.closed_by_server(10s));
  EXPECT_EQ(WsDevice(port_, "bob-ws", old_secret).refused_with(), 401);
  WsDevice reconnected(port_, "bob-ws", new_secret);
  ASSERT_EQ(reconnected.refused_with(), 0);
  sql(url_, "INSERT INTO items (title, owner) VALUES ('after the rotation', 'bob')");
  auto frame = reconnected.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["title"], "after the rotation");
}

// The notice of a rotation can arrive after the device reconnected with
// the new secret: that connection is not the one revoked.
TEST_F(ApiTest, AConnectionMadeWithTheNewSecretOutlivesTheNoticeOfItsRotation) {
  start();
  register_ws("bob-ws", {"user:bob"});
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice connected(port_, "bob-ws", secret);
  ASSERT_EQ(connected.refused_with(), 0);
  register_ws("ann-ws", {"user:ann"});  // a later notice, for another device, is seen after bob's
  sql(url_, "INSERT INTO items (title, owner) VALUES ('still here', 'bob')");
  auto frame = connected.next();
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["title"], "still here");
}

TEST_F(ApiTest, DeletingAWsInstallationClosesItsConnection) {
  start();
  auto secret = register_ws("bob-ws", {"user:bob"});
  WsDevice connected(port_, "bob-ws", secret);
  ASSERT_EQ(connected.refused_with(), 0);
  EXPECT_EQ(call("DELETE", "/v1/installations/bob-ws").status, 204);
  EXPECT_TRUE(connected.closed_by_server(10s));
}

}  // namespace
}  // namespace pushsync::test
