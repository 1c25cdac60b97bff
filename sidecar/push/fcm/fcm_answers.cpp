#include "sidecar/push/fcm/fcm_answers.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sidecar/util/json_text.hpp"
#include "sidecar/util/utf8.hpp"

namespace pushsync::push {

namespace {

// Google's error body: {"error":{"code","message","status","details":[{"errorCode"}]}}.
struct GoogleError {
  std::string code;  // the FcmError errorCode when there is one, else the status
  std::string message;
};

GoogleError error_of(const http2::Response& response) {
  auto body = parse_json_or_discarded(response.body);
  GoogleError e;
  if (!body.is_object() || !body["error"].is_object()) return e;
  const auto& error = body["error"];
  if (error.contains("status") && error["status"].is_string()) e.code = error["status"];
  if (error.contains("message") && error["message"].is_string()) e.message = error["message"];
  if (error.contains("details") && error["details"].is_array())
    for (const auto& detail : error["details"])
      if (detail.is_object() && detail.contains("errorCode") && detail["errorCode"].is_string())
        e.code = detail["errorCode"];
  return e;
}

}  // namespace

Answer fcm_answer(const http2::Response& response) {
  auto error = error_of(response);
  auto verdict = fcm_verdict(response.status, error.code, error.message);
  std::string why = fmt::format("fcm {} {}", response.status, utf8_excerpt(error.code, max_provider_words));
  if (verdict == Verdict::dead && !error.message.empty()) why += ": " + utf8_excerpt(error.message, max_provider_words);
  return {verdict, why, retry_after_of(response)};
}

}  // namespace pushsync::push
