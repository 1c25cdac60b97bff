#include <string>

#include "fuzz/targets.hpp"
#include "sidecar/push/apns/apns_answers.hpp"
#include "sidecar/push/fcm/access_token.hpp"
#include "sidecar/push/fcm/fcm_answers.hpp"
#include "sidecar/push/webpush/webpush_answers.hpp"
#include "sidecar/util/utf8.hpp"

namespace pushsync::fuzz {

namespace {

// Two bytes of status (100-599), then header lines ("name: value\n") up to
// an empty line, then the body.
http2::Response response_of(Input input) {
  http2::Response response;
  if (input.size() < 2) return response;
  response.status = 100 + (input[0] << 8 | input[1]) % 500;
  std::string_view rest(reinterpret_cast<const char*>(input.data()) + 2, input.size() - 2);
  while (!rest.empty()) {
    auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty()) break;
    auto colon = line.find(':');
    response.headers.push_back({std::string(line.substr(0, colon)),
                                colon == std::string_view::npos ? "" : std::string(line.substr(colon + 1))});
  }
  response.body = std::string(rest);
  return response;
}

// The words an answer keeps go to the log and to a dead letter's text column.
void check(const push::Answer& answer) {
  expect(is_valid_utf8(answer.why), "an answer's words are UTF-8");
  expect(answer.why.size() <= 2 * push::max_provider_words + 32, "an answer's words are bounded");
  expect(answer.retry_after >= Duration(0) && answer.retry_after <= std::chrono::hours(1),
         "Retry-After is taken as 0 s to 1 h");
}

}  // namespace

// Whatever a provider answers is read as a verdict with bounded UTF-8
// words; the OAuth endpoint's answer is a token with a sane lifetime or an
// error in words.
void provider_answers(Input input) {
  auto response = response_of(input);
  check(push::apns_answer(response));
  check(push::fcm_answer(response));
  check(push::webpush_answer(response));
  auto token = push::token_answer(response);
  if (token.token) {
    expect(!token.token->empty(), "an access token is not empty");
    expect(token.lifetime >= std::chrono::seconds(1) && token.lifetime <= std::chrono::hours(24),
           "an access token lives 1 s to a day");
  } else {
    expect(is_valid_utf8(token.error) && !token.error.empty(), "a refused token says why in UTF-8");
  }
}

}  // namespace pushsync::fuzz
