#include "sidecar/api/request_body.hpp"

#include <gtest/gtest.h>

namespace pushsync::api {
namespace {

Request json_request(const std::string& body, const std::string& type = "application/json") {
  Request r{boost::beast::http::verb::post, "/", 11};
  if (!type.empty()) r.set(boost::beast::http::field::content_type, type);
  r.body() = body;
  return r;
}

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ApiError& e) {
    return std::to_string(e.status) + " " + e.code;
  }
  return "no error";
}

TEST(Form, DecodesEscapesPlusAndListsWrittenWithBrackets) {
  auto fields = parse_form("user_id=user1&message=Hello+user%21&sources[]=Product&sources%5B%5D=Customer&flag");
  EXPECT_EQ(fields["user_id"], std::vector<std::string>{"user1"});
  EXPECT_EQ(fields["message"], std::vector<std::string>{"Hello user!"});
  EXPECT_EQ(fields["sources"], (std::vector<std::string>{"Product", "Customer"}));
  EXPECT_EQ(fields["flag"], std::vector<std::string>{""});
}

TEST(Form, RefusesBadEscapesAndInvalidUtf8) {
  EXPECT_EQ(code_of([] { parse_form("a=%4"); }), "400 malformed_escape");
  EXPECT_EQ(code_of([] { parse_form("a=%zz"); }), "400 malformed_escape");
  EXPECT_EQ(code_of([] { parse_form("a=%ff"); }), "400 invalid_utf8");
}

TEST(Query, IsTheFormAfterTheQuestionMark) {
  EXPECT_EQ(query_of("/v1/feedback?since=2026-01-01T00%3A00%3A00Z")["since"],
            std::vector<std::string>{"2026-01-01T00:00:00Z"});
  EXPECT_TRUE(query_of("/v1/feedback").empty());
}

TEST(JsonBody, ParsesAnObject) {
  EXPECT_EQ(json_object_body(json_request(R"({"a":[1,2]})"))["a"][1], 2);
  EXPECT_EQ(json_object_body(json_request(R"({"a":1})", "Application/JSON; charset=utf-8"))["a"], 1);
}

TEST(JsonBody, RefusalsCarryTheirCodes) {
  EXPECT_EQ(code_of([] { json_object_body(json_request("{}", "text/plain")); }), "415 unsupported_media_type");
  EXPECT_EQ(code_of([] { json_object_body(json_request("{}", "")); }), "415 unsupported_media_type");
  EXPECT_EQ(code_of([] { json_object_body(json_request("")); }), "400 empty_body");
  EXPECT_EQ(code_of([] { json_object_body(json_request("[1]")); }), "400 not_an_object");
  EXPECT_EQ(code_of([] { json_object_body(json_request(R"({"a":)")); }), "400 malformed_json");
  EXPECT_EQ(code_of([] { json_object_body(json_request(R"({"a":1e400})")); }), "400 malformed_json");  // was a 500
  EXPECT_EQ(code_of([] { json_object_body(json_request(std::string(17, '[') + std::string(17, ']'))); }),
            "400 too_deep");
  EXPECT_EQ(code_of([] { json_object_body(json_request("{\"a\":" + std::string(15, '[') + std::string(15, ']') + "}")); }),
            "no error");
}

TEST(JsonBody, AMalformedBodyNamesTheBytePosition) {
  try {
    json_object_body(json_request(R"({"platform": "ws",, })"));
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_NE(std::string(e.what()).find("byte 19"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pushsync::api
