#include "tests/integration/api_fixture.hpp"

namespace pushsync::test {

void ApiTest::SetUp() { SidecarTest::SetUp(); }

std::string ApiTest::api_sections(const std::string& http_extra, const std::string& websocket_extra) {
  const bool own_ping = websocket_extra.find("ping_interval:") != std::string::npos;
  return std::string("http:\n  listen: 127.0.0.1:0\n  api_token: ") + token + "\n  max_body: 8KiB\n" + http_extra +
         "websocket:\n" + (own_ping ? "" : "  ping_interval: 1s\n") + websocket_extra + "users:\n  tag: \"user:{user_id}\"\n";
}

void ApiTest::start(const std::string& http_extra, const std::string& websocket_extra, long open_files) {
  providers_yaml_ = api_sections(http_extra, websocket_extra);
  Process& sidecar = start_sidecar(write_config(app_tables), open_files);
  port_ = http_port_of(sidecar);
  ASSERT_NE(port_, 0) << sidecar.err();
}

HttpReply ApiTest::call(const std::string& method, const std::string& target, const std::string& body) const {
  Headers headers{{"Authorization", std::string("Bearer ") + token}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return http_request(port_, method, target, body, headers);
}

std::string ApiTest::register_ws(const std::string& id, const std::vector<std::string>& tags) {
  auto reply = call("PUT", "/v1/installations/" + id, nlohmann::json{{"platform", "ws"}, {"tags", tags}}.dump());
  EXPECT_TRUE(reply.status == 200 || reply.status == 201) << reply.body;
  return reply.json().value("channelSecret", "");
}

}  // namespace pushsync::test
