#include "sidecar/api/api_tokens.hpp"

#include <gtest/gtest.h>

namespace pushsync::api {
namespace {

TEST(ApiTokens, AnyOfSeveralTokensIsAcceptedAndNothingElse) {
  ApiTokens tokens({"old-token", "new-token"});
  EXPECT_TRUE(tokens.accepts("old-token"));
  EXPECT_TRUE(tokens.accepts("new-token"));
  EXPECT_FALSE(tokens.accepts("new-toke"));
  EXPECT_FALSE(tokens.accepts("new-token "));
  EXPECT_FALSE(tokens.accepts(""));
}

TEST(ApiTokens, ATokenRemovedByAReplacementIsRefused) {
  ApiTokens tokens({"old-token", "new-token"});
  tokens.replace({"new-token"});
  EXPECT_FALSE(tokens.accepts("old-token"));
  EXPECT_TRUE(tokens.accepts("new-token"));
  EXPECT_EQ(tokens.size(), 1u);
}

}  // namespace
}  // namespace pushsync::api
