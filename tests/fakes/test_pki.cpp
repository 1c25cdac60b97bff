#include "tests/fakes/test_pki.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pushsync::test {

namespace {

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

std::string temp_dir(const char* kind) {
  std::string templ = std::string("/tmp/pushsync-") + kind + "-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  return templ;
}

TestPki in(const std::string& dir) {
  TestPki pki;
  pki.dir = dir;
  auto f = [&](const char* name) { return dir + "/" + name; };
  pki.ca_cert = f("ca.pem");
  pki.server_cert = f("server.pem");
  pki.server_key = f("server.key");
  pki.client_cert = f("client.pem");
  pki.client_key = f("client.key");
  pki.untrusted_cert = f("untrusted.pem");
  pki.untrusted_key = f("untrusted.key");
  pki.apns_key = f("apns.p8");
  pki.apns_public_key = f("apns.pub");
  pki.fcm_key = f("fcm.pem");
  pki.fcm_public_key = f("fcm.pub");
  pki.files_dir = temp_dir("test-files");
  return pki;
}

// ctest's set when there is one, else a set of this process's own.
TestPki make() {
  const char* shared = std::getenv("PUSHSYNC_TEST_PKI");
  if (shared && std::filesystem::exists(std::string(shared) + "/ready")) return in(shared);
  TestPki pki = in(temp_dir("pki"));
  run(std::string(PUSHSYNC_SOURCE_DIR "/scripts/test-pki.sh make '") + pki.dir + "'");
  return pki;
}

struct Cleanup {
  const TestPki& pki;
  ~Cleanup() {
    std::error_code ignored;
    std::filesystem::remove_all(pki.files_dir, ignored);
    const char* shared = std::getenv("PUSHSYNC_TEST_PKI");
    if (!shared || pki.dir != shared) std::filesystem::remove_all(pki.dir, ignored);
  }
};

}  // namespace

std::string TestPki::service_account_file(const std::string& token_uri, const std::string& project_id) const {
  std::ifstream in(fcm_key);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  nlohmann::json account = {{"type", "service_account"},
                            {"project_id", project_id},
                            {"private_key_id", "0123456789abcdef"},
                            {"private_key", key},
                            {"client_email", "pushsync@" + project_id + ".iam.gserviceaccount.com"},
                            {"token_uri", token_uri}};
  static int n = 0;
  std::string path = files_dir + "/service-account-" + std::to_string(++n) + ".json";
  std::ofstream(path) << account.dump(2);
  return path;
}

const TestPki& TestPki::get() {
  static const TestPki pki = make();
  static const Cleanup cleanup{pki};
  return pki;
}

}  // namespace pushsync::test
