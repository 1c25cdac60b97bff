#include "sidecar/db/ws_revocation.hpp"

#include <gtest/gtest.h>

namespace pushsync::db {
namespace {

TEST(WsRevocation, ItsNoticeReadsBackWhateverTheInstallationIdHolds) {
  WsRevocation revoked{"bob's phone 2", std::string(64, 'a')};
  auto parsed = WsRevocation::parse(revoked.payload());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->installation_id, "bob's phone 2");
  EXPECT_EQ(parsed->secret_sha256, std::string(64, 'a'));
}

TEST(WsRevocation, OtherNoticesOnTheChannelAreNotRevocations) {
  EXPECT_FALSE(WsRevocation::parse("12 40"));  // a mailbox range
  EXPECT_FALSE(WsRevocation::parse("revoked "));
  EXPECT_FALSE(WsRevocation::parse("revoked abc"));
  EXPECT_FALSE(WsRevocation::parse("revoked  bob"));
}

}  // namespace
}  // namespace pushsync::db
