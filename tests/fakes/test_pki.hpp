#pragma once

#include <string>

namespace pushsync::test {

// Keys and certificates made with the openssl CLI in a fresh temp dir when
// a test starts: a test CA, a server certificate for localhost/127.0.0.1
// signed by it, a client certificate (APNs certificate auth), an APNs .p8
// key with its public half, and a self-signed server certificate nobody
// trusts.
struct TestPki {
  std::string dir;
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
