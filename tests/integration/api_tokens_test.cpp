// API tokens: several accepted at once, so a token can be rotated, and read
// again on SIGHUP without a restart; a token removed then is refused.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/api_fixture.hpp"

namespace pushsync::test {
namespace {

class ApiTokensTest : public ApiTest {
 protected:
  void start_with_token_file(const std::string& tokens) {
    token_file_ = write_temp_file("api_tokens", tokens);
    start("  api_token_file: " + token_file_ + "\n");
  }
  int status_with(const std::string& bearer) const {
    return http_request(port_, "GET", "/v1/feedback", "", {{"Authorization", "Bearer " + bearer}}).status;
  }
  void hang_up(const std::string& log_line) {
    Process& sidecar = *sidecars_.back();
    sidecar.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return sidecar.err().find(log_line) != std::string::npos; })) << sidecar.err();
  }

  std::string token_file_;
};

TEST_F(ApiTokensTest, ATokenRemovedFromTheFileIsRefusedAfterSighupAndTheOthersStillWork) {
  start_with_token_file("# rotation in progress\nold-token\nnew-token\n");
  ASSERT_TRUE(eventually([&] { return status_with("old-token") == 200; }));
  EXPECT_EQ(status_with("new-token"), 200);
  EXPECT_EQ(status_with(token), 200) << "http.api_token counts too";
  EXPECT_EQ(status_with("not-a-token"), 401);

  std::ofstream(token_file_) << "new-token\n";
  hang_up("SIGHUP: API tokens read again: 2 accepted");
  EXPECT_EQ(status_with("old-token"), 401);
  EXPECT_EQ(status_with("new-token"), 200);
  EXPECT_EQ(status_with(token), 200);
  const std::string log = sidecars_.back()->err();
  EXPECT_EQ(log.find("old-token"), std::string::npos) << "tokens never reach the log";
  EXPECT_EQ(log.find("new-token"), std::string::npos) << "tokens never reach the log";
}

// A configuration that no longer loads changes nothing: the sidecar goes on
// accepting the tokens it had, and says why it did not take the new ones.
TEST_F(ApiTokensTest, AConfigurationThatCannotBeReadOnSighupKeepsTheTokensInUse) {
  start_with_token_file("old-token\n");
  ASSERT_TRUE(eventually([&] { return status_with("old-token") == 200; }));
  std::remove(token_file_.c_str());
  hang_up("SIGHUP: the configuration could not be read again; the API tokens in use are kept");
  EXPECT_EQ(status_with("old-token"), 200);
}

}  // namespace
}  // namespace pushsync::test
