#include "sidecar/push/apns/apns_answers.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sidecar/util/json_text.hpp"
#include "sidecar/util/utf8.hpp"

namespace pushsync::push {

namespace {

std::string reason_of(const http2::Response& response) {
  auto body = parse_json_or_discarded(response.body);
  if (body.is_object() && body.contains("reason") && body["reason"].is_string()) return body["reason"];
  return "";
}

}  // namespace

Answer apns_answer(const http2::Response& response) {
  std::string reason = reason_of(response);
  return {apns_verdict(response.status, reason),
          fmt::format("apns {} {}", response.status, utf8_excerpt(reason, max_provider_words)),
          retry_after_of(response)};
}

}  // namespace pushsync::push
