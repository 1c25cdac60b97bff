#pragma once

#include <atomic>
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

typedef struct evp_pkey_st EVP_PKEY;

namespace pushsync::test {

// A strict stand-in for Google: the OAuth token endpoint (POST /token, RS256
// assertion verified with the service account's public key, scope, aud and
// lifetime checked, short-lived tokens issued) and FCM HTTP v1 (POST
// /v1/projects/{project}/messages:send, bearer checked on every request,
// message schema and size checked). Tests script errors and read what
// arrived.
class FakeFcm {
 public:
  struct Options {
    std::string cert_file, key_file;  // the server's TLS identity
    std::string public_key_file;      // the service account's public key
    std::string project_id = "demo-project";
    std::string client_email = "pushsync@demo-project.iam.gserviceaccount.com";
    std::chrono::seconds token_lifetime{3600};
    unsigned short port = 0;
    int threads = 1;
    bool record = true;
  };
  // Options with the test PKI's server certificate and key and the public
  // key its tokens are checked with (tests/fakes/test_pki).
  static Options with_test_pki();

  struct Received {
    ServerRequest request;
    std::string bearer;
    int status = 0;
    std::string code;
    std::chrono::steady_clock::time_point at;
    nlohmann::json message() const { return nlohmann::json::parse(request.body)["message"]; }
  };

  struct Next {
    int status = 200;
    std::string code;  // FcmError errorCode, or a google.rpc status
    std::string message;
    std::string retry_after;
    static Next error(int status, std::string code, std::string message = "", std::string retry_after = "") {
      Next n;
      n.status = status;
      n.code = std::move(code);
      n.message = std::move(message);
      n.retry_after = std::move(retry_after);
      return n;
    }
  };

  explicit FakeFcm(Options options);
  ~FakeFcm();

  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_.load()); }
  std::string token_uri() const { return base_url() + "/token"; }

  void script(std::vector<Next> answers);
  // The next answers to one device token, before the general script.
  void script_for(const std::string& token, std::vector<Next> answers);
  // Every well-formed request gets `answer` until `until` (an outage).
  void outage(Next answer, std::chrono::steady_clock::time_point until);
  std::vector<Received> received() const;
  std::size_t accepted_count() const;
  int tokens_issued() const;

 private:
  ServerReply handle(const ServerRequest& request);
  ServerReply token(const ServerRequest& request);
  ServerReply send(const ServerRequest& request);
  // Google's checks of a send; {200, ""} when it passes.
  std::pair<int, std::string> check(const ServerRequest& request, std::string& bearer) const;

  Options options_;
  EVP_PKEY* public_key_ = nullptr;
  mutable std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens_;  // token -> expiry
  AnswerScript<Next> script_;
  std::vector<Received> received_;
  std::size_t accepted_ = 0;
  std::unique_ptr<H2Server> server_;
  // Read by the server's thread (the OAuth audience), set once it listens:
  // the request that reads it comes through a socket, an order ThreadSanitizer cannot see.
  std::atomic<int> port_{0};
};

}  // namespace pushsync::test
