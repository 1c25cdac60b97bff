#pragma once

#include <string>
#include <string_view>

#include "sidecar/model/duration.hpp"

namespace pushsync::push {

// What became of one push; every provider answer maps to exactly one kind.
struct Outcome {
  enum class Kind {
    accepted,       // the provider took it: done
    invalid_token,  // the device is gone: disable installation, feedback row
    retry,          // throttled/unavailable: try again after `retry_after` (0: backoff)
    dead,           // will never work: dead letter with `reason`
    provider_down,  // the provider cannot send at all (auth, config, unreachable):
                    // the change waits `retry_after` without using up an attempt
  };
  Kind kind = Kind::accepted;
  std::string reason;
  Duration retry_after{0};

  static Outcome accepted() { return {Kind::accepted, "", Duration{0}}; }
  static Outcome invalid_token(std::string why) { return {Kind::invalid_token, std::move(why), Duration{0}}; }
  static Outcome retry(std::string why, Duration after = Duration{0}) { return {Kind::retry, std::move(why), after}; }
  static Outcome dead(std::string why) { return {Kind::dead, std::move(why), Duration{0}}; }
  static Outcome provider_down(std::string why, Duration after) { return {Kind::provider_down, std::move(why), after}; }
};

constexpr std::string_view to_string(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::accepted: return "accepted";
    case Outcome::Kind::invalid_token: return "invalid_token";
    case Outcome::Kind::retry: return "retry";
    case Outcome::Kind::dead: return "dead";
    case Outcome::Kind::provider_down: return "provider_down";
  }
  return "?";
}

}  // namespace pushsync::push
