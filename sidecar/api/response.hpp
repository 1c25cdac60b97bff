#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "sidecar/api/api_error.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::api {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// What a handler answers; the server turns it into an HTTP response.
struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;

  // Invalid UTF-8 (echoed from a request) is replaced, never a failure.
  static Response json(int status, const nlohmann::json& body) {
    return {status, json_text_replacing_invalid_utf8(body) + "\n", "application/json", {}};
  }
  static Response empty(int status) { return {status, "", "", {}}; }
  static Response error(const ApiError& e) {
    auto r = json(e.status, {{"error", e.code}, {"message", e.what()}});
    r.headers = e.headers;
    return r;
  }
};

}  // namespace pushsync::api
