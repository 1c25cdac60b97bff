#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/answer_script.hpp"
#include "tests/fakes/h2_server.hpp"
#include "tests/fakes/jwt_check.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace pushsync::test {

// A strict stand-in for api.push.apple.com: checks what Apple checks
// (token or certificate auth, path, topic, push type and priority, expiry,
// collapse id, apns-id, body size and shape) and answers like Apple. Tests
// script its next answers and read what it received.
class FakeApns {
 public:
  struct Options {
    std::string cert_file, key_file;  // the server's TLS identity
    std::string client_ca;            // set: certificate auth (clients must present one)
    std::string public_key_file;      // set: token auth, JWTs verified with it
    std::string team_id = "TEAM123456";
    std::string key_id = "KEY1234567";
    std::string topic = "com.example.todo";
    unsigned short port = 0;
    int threads = 1;
    std::uint32_t max_concurrent_streams = 1000;
    bool record = true;  // false: only count (benchmarks)
  };
  // Options with the test PKI's server certificate and key and the public
  // key its tokens are checked with (tests/fakes/test_pki).
  static Options with_test_pki();

  struct Received {
    ServerRequest request;
    std::string jwt;   // the bearer token, "" with certificate auth
    int status = 0;    // what the fake answered (0: stalled or dropped)
    std::string reason;
    std::chrono::steady_clock::time_point at;
    std::chrono::system_clock::time_point wall;  // the same moment, for latencies measured against other processes
    nlohmann::json body() const { return nlohmann::json::parse(request.body); }
    std::string token() const { return request.path.substr(std::string("/3/device/").size()); }
  };

  // One scripted answer for the next well-formed request (the checks run
  // first; a request that fails them gets Apple's error instead).
  struct Next {
    int status = 200;
    std::string reason;
    std::string retry_after;   // Retry-After header when not empty
    ServerReply::Action action = ServerReply::Action::answer;
    bool then_goaway = false;

    static Next answer(int status, std::string reason = "", std::string retry_after = "") {
      Next n;
      n.status = status;
      n.reason = std::move(reason);
      n.retry_after = std::move(retry_after);
      return n;
    }
    static Next ok_then_goaway() {
      Next n;
      n.then_goaway = true;
      return n;
    }
    static Next act(ServerReply::Action action) {
      Next n;
      n.action = action;
      return n;
    }
  };

  explicit FakeApns(Options options);
  ~FakeApns();

  unsigned short port() const { return server_->port(); }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port()); }
  int connections() const { return server_->connections_accepted(); }

  void script(std::vector<Next> answers);
  // The next answers to one device token, before the general script.
  void script_for(const std::string& token, std::vector<Next> answers);
  // Every well-formed request gets `answer` until `until` (an outage).
  void outage(Next answer, std::chrono::steady_clock::time_point until);

  std::vector<Received> received() const;
  std::vector<Received> accepted() const;  // answered 200
  std::size_t accepted_count() const;

 private:
  ServerReply handle(const ServerRequest& request);
  // Apple's checks; "" when the request passes them.
  std::pair<int, std::string> check(const ServerRequest& request, std::string& jwt) const;

  std::optional<Jwt> verified(const std::string& jwt) const;

  Options options_;
  EVP_PKEY* public_key_ = nullptr;
  mutable std::mutex verified_mutex_;
  mutable std::map<std::string, Jwt> verified_;
  mutable std::mutex mutex_;
  AnswerScript<Next> script_;
  std::vector<Received> received_;
  std::size_t accepted_ = 0;
  std::unique_ptr<H2Server> server_;
};

}  // namespace pushsync::test
