#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace pushsync::test {

// tests/fakes/webpush/fake_push_service.mjs, run with node: a strict Web
// Push service that checks VAPID and decrypts every message with http_ece.
class FakePushService {
 public:
  struct Answer {
    int status;
    int retry_after = 0;  // seconds; 0: no Retry-After
    std::string body{};   // empty: "scripted"
  };

  // TLS with `cert`/`key` (a certificate for 127.0.0.1); HTTP/2 and
  // HTTP/1.1, or only HTTP/1.1 (no ALPN).
  enum class Protocols { h2_and_http1, http1_only };
  // `keep_alive_ms`: how long an idle HTTP/1.1 connection stays open (0: Node's 5 s).
  FakePushService(const std::string& cert, const std::string& key, Protocols protocols = Protocols::h2_and_http1,
                  int keep_alive_ms = 0);

  // A new browser subscription bound to `application_server_key` (base64url):
  // {"id", "subscription": {"endpoint", "keys"}}.
  nlohmann::json subscribe(const std::string& application_server_key, const std::vector<Answer>& answers = {});
  void script(const std::string& id, const std::vector<Answer>& answers);
  // {"accepted": [{"id", "payload", "ttl", "urgency", "topic", "protocol"}], "refused": [{"id", "status", "why"}]}
  nlohmann::json received() const;
  std::size_t accepted_count() const { return received()["accepted"].size(); }
  std::string log() const { return process_->err(); }

 private:
  std::unique_ptr<Process> process_;
  int control_port_ = 0;
};

}  // namespace pushsync::test
