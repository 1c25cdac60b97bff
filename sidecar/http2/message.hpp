#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pushsync::http2 {

struct Header {
  std::string name;   // lower case, as HTTP/2 requires
  std::string value;
  bool sensitive = false;  // never put in the HPACK table (authorization)
};

struct Request {
  std::string method = "POST";
  std::string path;
  std::vector<Header> headers;
  std::string body;
};

// Shared by the streams that carry it: a request the server refused
// unprocessed is resent on another connection without a copy.
using SharedRequest = std::shared_ptr<const Request>;

struct Response {
  int status = 0;
  std::vector<Header> headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const {
    for (const auto& h : headers)
      if (h.name == name) return h.value;
    return std::nullopt;
  }
};

// Why a request got no response.
enum class Failure {
  refused,          // the server never processed it (GOAWAY, REFUSED_STREAM): safe to resend
  reset,            // the stream was reset after it was sent
  connection_lost,  // the connection closed under it
  timeout,          // no answer within the request timeout
  connect_failed,   // no connection could be made (TCP, TLS, ALPN)
};

const char* to_string(Failure failure);

// A response, or the reason there is none.
struct Result {
  std::optional<Response> response;
  Failure failure = Failure::connection_lost;
  std::string detail;  // for logs; never secrets

  static Result of(Response r) { return {std::move(r), Failure::connection_lost, ""}; }
  static Result failed(Failure f, std::string why = "") { return {std::nullopt, f, std::move(why)}; }
};

}  // namespace pushsync::http2
