#pragma once

#include <string>

#include "tests/integration/sidecar_fixture.hpp"
#include "tests/support/api_client.hpp"

namespace pushsync::test {

// A sidecar with the HTTP API and the WebSocket channel on a free port
// (APNs and FCM are not configured: only ws devices are served).
class ApiTest : public SidecarTest {
 public:
  static constexpr const char* token = "test-api-token-7f3a";
  // A well-formed APNs device token for installations the tests register.
  inline static const std::string apns_token = std::string(64, 'a');

 protected:
  void SetUp() override;
  // Starts a sidecar (port_ is the last one's); `http_extra` and
  // `websocket_extra` are added to those sections (pings 1 s apart unless
  // `websocket_extra` sets ping_interval); `open_files`: its
  // descriptor limit, when > 0.
  void start(const std::string& http_extra = "", const std::string& websocket_extra = "", long open_files = 0);
  // The http, websocket and users sections start() configures.
  static std::string api_sections(const std::string& http_extra = "", const std::string& websocket_extra = "");

  // A request with the API token and, when there is a body, JSON.
  HttpReply call(const std::string& method, const std::string& target, const std::string& body = "") const;
  // Registers a ws installation with `tags`; returns its channel secret.
  std::string register_ws(const std::string& id, const std::vector<std::string>& tags);

  int port_ = 0;
};

}  // namespace pushsync::test
