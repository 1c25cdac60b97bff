#include "tests/fakes/test_pki.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pushsync::test {

namespace {

void run(const std::string& command) {
  if (std::system((command + " 2>/dev/null").c_str()) != 0) throw std::runtime_error("failed: " + command);
}

TestPki make() {
  char templ[] = "/tmp/pushsync-pki-XXXXXX";
  if (!mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
  TestPki pki;
  pki.dir = templ;
  auto f = [&](const char* name) { return pki.dir + "/" + name; };
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
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
  std::ofstream(f("server.ext")) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  run("openssl req -x509" + ec + "-keyout " + f("ca.key") + " -out " + pki.ca_cert +
      " -days 2 -subj /CN=pushsync-test-ca");
  auto signed_by_ca = [&](const std::string& cert, const std::string& key, const std::string& cn,
                          const std::string& ext) {
    run("openssl req" + ec + "-keyout " + key + " -out " + cert + ".csr -subj /CN=" + cn);
    run("openssl x509 -req -in " + cert + ".csr -CA " + pki.ca_cert + " -CAkey " + f("ca.key") +
        " -CAcreateserial -days 2 -out " + cert + ext);
  };
  signed_by_ca(pki.server_cert, pki.server_key, "localhost", " -extfile " + f("server.ext"));
  signed_by_ca(pki.client_cert, pki.client_key, "com.example.todo", "");
  run("openssl req -x509" + ec + "-keyout " + pki.untrusted_key + " -out " + pki.untrusted_cert +
      " -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1");
  run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + pki.apns_key);
  run("openssl pkey -in " + pki.apns_key + " -pubout -out " + pki.apns_public_key);
  run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + pki.fcm_key);
  run("openssl pkey -in " + pki.fcm_key + " -pubout -out " + pki.fcm_public_key);
  return pki;
}

struct Cleanup {
  const TestPki& pki;
  ~Cleanup() { std::system(("rm -rf '" + pki.dir + "'").c_str()); }
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
  std::string path = dir + "/service-account-" + std::to_string(++n) + ".json";
  std::ofstream(path) << account.dump(2);
  return path;
}

const TestPki& TestPki::get() {
  static const TestPki pki = make();
  static const Cleanup cleanup{pki};
  return pki;
}

}  // namespace pushsync::test
