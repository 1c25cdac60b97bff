// At least 25 distinct bad requests, each answered with its status and a
// JSON error code, and none of them changing anything.
#include <gtest/gtest.h>

#include "tests/integration/api_fixture.hpp"

namespace pushsync::test {
namespace {

struct BadRequest {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
  Headers headers;  // replaces the default (API token + JSON)
  int status;
  std::string code;
  bool default_headers = true;
};

void PrintTo(const BadRequest& bad, std::ostream* out) { *out << bad.name; }

const std::string auth = std::string("Bearer ") + ApiTest::token;
std::string deep_json(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string huge_tag_list() {
  nlohmann::json tags = nlohmann::json::array();
  for (int i = 0; i < 65; ++i) tags.push_back("tag" + std::to_string(i));
  return nlohmann::json{{"platform", "ws"}, {"tags", tags}}.dump();
}

std::vector<BadRequest> bad_requests() {
  const Headers json_only{{"Content-Type", "application/json"}};
  const Headers form_auth{{"Authorization", auth}, {"Content-Type", "application/x-www-form-urlencoded"}};
  const std::string ws_body = R"({"platform":"ws"})";
  return {
      {"MissingToken", "PUT", "/v1/installations/a", ws_body, json_only, 401, "missing_token", false},
      {"WrongToken", "PUT", "/v1/installations/a", ws_body,
       {{"Authorization", "Bearer nope"}, {"Content-Type", "application/json"}}, 401, "invalid_token", false},
      {"NotBearer", "GET", "/v1/installations/a", "", {{"Authorization", std::string("Basic ") + ApiTest::token}}, 401,
       "missing_token", false},
      {"RhoConnectTokenOffThePingRoute", "POST", "/v1/push", R"({"tags":["t"]})",
       {{"X-RhoConnect-API-TOKEN", ApiTest::token}, {"Content-Type", "application/json"}}, 401, "missing_token", false},
      {"WrongRhoConnectToken", "POST", "/rc/v1/users/ping", "user_id=u",
       {{"X-RhoConnect-API-TOKEN", "nope"}, {"Content-Type", "application/x-www-form-urlencoded"}}, 401,
       "invalid_token", false},
      {"UnknownRoute", "GET", "/v1/nothing", "", {}, 404, "not_found"},
      {"UnknownInstallation", "GET", "/v1/installations/nobody", "", {}, 404, "installation_not_found"},
      {"WrongMethod", "POST", "/v1/installations/a", ws_body, {}, 405, "method_not_allowed"},
      {"NoContentType", "PUT", "/v1/installations/a", ws_body, {{"Authorization", auth}}, 415,
       "unsupported_media_type", false},
      {"TextPlain", "POST", "/v1/push", R"({"tags":["t"]})",
       {{"Authorization", auth}, {"Content-Type", "text/plain"}}, 415, "unsupported_media_type", false},
      {"EmptyBody", "PUT", "/v1/installations/a", "", {{"Authorization", auth}, {"Content-Type", "application/json"}},
       400, "empty_body", false},
      {"TruncatedJson", "PUT", "/v1/installations/a", R"({"platform":"ws","tags":["a")", {}, 400, "malformed_json"},
      {"NotAnObject", "PUT", "/v1/installations/a", R"(["ws"])", {}, 400, "not_an_object"},
      {"DeepNesting", "POST", "/v1/push", R"({"tags":["t"],"data":{"x":)" + deep_json(100) + "}}", {}, 400,
       "too_deep"},
      {"InvalidUtf8", "PUT", "/v1/installations/a", "{\"platform\":\"w\xff\"}", {}, 400, "malformed_json"},
      {"OversizedBody", "POST", "/v1/push", R"({"tags":["t"],"alert":")" + std::string(9000, 'x') + "\"}", {}, 413,
       "payload_too_large"},
      {"UnknownField", "PUT", "/v1/installations/a", R"({"platform":"ws","tag":["x"]})", {}, 422, "unknown_field"},
      {"UnknownPlatform", "PUT", "/v1/installations/a", R"({"platform":"wns","pushChannel":"x"})", {}, 422,
       "invalid_platform"},
      {"MissingPlatform", "PUT", "/v1/installations/a", R"({"pushChannel":"x"})", {}, 422, "invalid_platform"},
      {"ApnsTokenNotHex", "PUT", "/v1/installations/a",
       R"({"platform":"apns","pushChannel":")" + std::string(64, 'z') + "\"}", {}, 422, "invalid_push_channel"},
      {"ApnsTokenTooShort", "PUT", "/v1/installations/a", R"({"platform":"apns","pushChannel":"abcd"})", {}, 422,
       "invalid_push_channel"},
      {"FcmTokenEmpty", "PUT", "/v1/installations/a", R"({"platform":"fcm","pushChannel":""})", {}, 422,
       "invalid_push_channel"},
      {"FcmTokenTooLong", "PUT", "/v1/installations/a",
       R"({"platform":"fcm","pushChannel":")" + std::string(4097, 'f') + "\"}", {}, 422, "invalid_push_channel"},
      {"TagsNotAList", "PUT", "/v1/installations/a", R"({"platform":"ws","tags":"user:a"})", {}, 422, "invalid_tags"},
      {"HugeTagList", "PUT", "/v1/installations/a", huge_tag_list(), {}, 422, "too_many_tags"},
      {"TagWithControlCharacter", "PUT", "/v1/installations/a", R"({"platform":"ws","tags":["a\u0000b"]})", {}, 422,
       "invalid_tags"},
      {"TagTooLong", "PUT", "/v1/installations/a",
       R"({"platform":"ws","tags":[")" + std::string(257, 't') + "\"]}", {}, 422, "invalid_tags"},
      {"IdMismatch", "PUT", "/v1/installations/a", R"({"installationId":"b","platform":"ws"})", {}, 422,
       "installation_id_mismatch"},
      {"IdTooLong", "GET", "/v1/installations/" + std::string(300, 'i'), "", {}, 400, "invalid_installation_id"},
      {"BadEscapeInPath", "GET", "/v1/installations/a%zz", "", {}, 400, "malformed_escape"},
      {"PushWithoutTarget", "POST", "/v1/push", R"({"alert":"hi"})", {}, 422, "no_target"},
      {"NegativeBadge", "POST", "/v1/push", R"({"tags":["t"],"badge":-1})", {}, 422, "invalid_badge"},
      {"DataNotAnObject", "POST", "/v1/push", R"({"tags":["t"],"data":[1]})", {}, 422, "invalid_data"},
      {"AlertNotAString", "POST", "/v1/push", R"({"tags":["t"],"alert":{"title":"x"}})", {}, 422, "invalid_alert"},
      {"PingWithoutUser", "POST", "/rc/v1/users/ping", "message=hi", form_auth, 422, "missing_user_id", false},
      {"PingBadEscape", "POST", "/rc/v1/users/ping", "user_id=%G1", form_auth, 400, "malformed_escape", false},
      {"PingAsXml", "POST", "/rc/v1/users/ping", "<ping/>", {{"Authorization", auth}, {"Content-Type", "text/xml"}},
       415, "unsupported_media_type", false},
      {"FeedbackBadSince", "GET", "/v1/feedback?since=yesterday", "", {}, 400, "invalid_since"},
      {"FeedbackBadLimit", "GET", "/v1/feedback?limit=0", "", {}, 400, "invalid_limit"},
      {"WebSocketRouteWithoutUpgrade", "GET", "/v1/ws?installationId=a", "", {}, 400, "websocket_required"},
  };
}

class ApiBadRequest : public ApiTest, public ::testing::WithParamInterface<BadRequest> {};

TEST_P(ApiBadRequest, IsRefusedWithItsStatusAndCodeAndChangesNothing) {
  start();
  const BadRequest& bad = GetParam();
  Headers headers = bad.headers;
  if (bad.default_headers) {
    headers.emplace_back("Authorization", auth);
    if (!bad.body.empty()) headers.emplace_back("Content-Type", "application/json");
  }
  auto reply = http_request(port_, bad.method, bad.target, bad.body, headers);
  EXPECT_EQ(reply.status, bad.status) << reply.body;
  EXPECT_EQ(reply.headers["Content-Type"], "application/json");
  EXPECT_EQ(reply.error_code(), bad.code) << reply.body;
  EXPECT_TRUE(reply.json()["message"].is_string()) << reply.body;
  EXPECT_EQ(reply.body.find(ApiTest::token), std::string::npos) << "an error message must not echo the token";
  if (bad.status == 405) {
    EXPECT_EQ(reply.headers["Allow"], "DELETE, GET, PUT");
  }
  if (bad.status == 401) {
    EXPECT_EQ(reply.headers["WWW-Authenticate"], "Bearer");
  }
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.installations"), "3");
  EXPECT_EQ(outbox_size(), 0);
  // The connection-level refusal did not hurt the server.
  EXPECT_EQ(http_request(port_, "GET", "/healthz").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Api, ApiBadRequest, ::testing::ValuesIn(bad_requests()),
                         [](const ::testing::TestParamInfo<BadRequest>& param) { return param.param.name; });

// Requests that are not even HTTP, answered on the raw connection.
TEST_F(ApiTest, GarbageInsteadOfHttpIsA400) {
  start();
  auto exchange = raw_exchange(port_, "HELLO THERE\r\n\r\n");
  EXPECT_NE(exchange.answer.find("HTTP/1.1 400"), std::string::npos) << exchange.answer;
  EXPECT_NE(exchange.answer.find("\"error\":\"malformed_request\""), std::string::npos) << exchange.answer;
}

TEST_F(ApiTest, HeadersOver16KiBAreA431) {
  start();
  auto exchange = raw_exchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') +
                                          "\r\n\r\n");
  EXPECT_NE(exchange.answer.find("HTTP/1.1 431"), std::string::npos) << exchange.answer.substr(0, 200);
  EXPECT_NE(exchange.answer.find("\"error\":\"headers_too_large\""), std::string::npos);
}

}  // namespace
}  // namespace pushsync::test
