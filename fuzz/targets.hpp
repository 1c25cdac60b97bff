#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

// The fuzz targets: what a hostile peer can hand pushsync, each fed any
// bytes. A target returns normally for every input; a crash, a sanitizer
// report, an exception that escapes or a broken promise it checks (it
// aborts, naming it) is a finding. scripts/fuzz.sh runs them under
// libFuzzer; the unit tests replay every file of fuzz/corpus/<name>.
namespace pushsync::fuzz {

using Input = std::span<const std::uint8_t>;

void config_file(Input input);           // a YAML configuration
void api_request(Input input);           // one HTTP/1.1 request to the API
void ws_frames(Input input);             // what a device sends after its WebSocket handshake
void webpush_subscription(Input input);  // a PushSubscription given at registration
void provider_answers(Input input);      // an answer of APNs, FCM, Google OAuth or a push service
void text_parsers(Input input);          // the small parsers: URLs, durations, templates, notices, ...

struct Target {
  std::string_view name;  // also the folder of its corpus
  void (*run)(Input);
};

inline constexpr Target targets[] = {
    {"config_file", config_file},          {"api_request", api_request},
    {"ws_frames", ws_frames},              {"webpush_subscription", webpush_subscription},
    {"provider_answers", provider_answers}, {"text_parsers", text_parsers},
};

// Stops the process with `what` when a promise does not hold.
void expect(bool holds, std::string_view what);

}  // namespace pushsync::fuzz
