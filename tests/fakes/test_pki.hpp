#pragma once

#include <string>

namespace pushsync::test {

// The tests' keys and certificates (scripts/test-pki.sh says which): the
// set ctest made for its run (PUSHSYNC_TEST_PKI), read-only, or else one
// made in a fresh temp dir when the process first asks.
struct TestPki {
  std::string dir;
  std::string files_dir;  // this process's own files (service accounts, keys a test writes)
  std::string ca_cert;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string untrusted_cert, untrusted_key;
  std::string apns_key, apns_public_key;  // PKCS#8 EC P-256 (.p8), PEM public key
  std::string fcm_key, fcm_public_key;    // the service account's RSA key, PEM public key

  // A Google service account JSON file whose token_uri is `token_uri`.
  std::string service_account_file(const std::string& token_uri, const std::string& project_id = "demo-project") const;

  static const TestPki& get();  // made once per test process
};

}  // namespace pushsync::test
