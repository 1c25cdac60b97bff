#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

typedef struct evp_pkey_st EVP_PKEY;

namespace pushsync {

// A private key read from PEM (PKCS#8 .p8 for APNs, the service account's
// RSA key for FCM). Its bytes are never logged.
class PrivateKey {
 public:
  // Throws std::runtime_error naming `what` (e.g. "apns.key_file"), never the key.
  static PrivateKey from_pem(const std::string& pem, const std::string& what);
  static PrivateKey from_pem_file(const std::string& path, const std::string& what);

  EVP_PKEY* get() const { return key_.get(); }
  bool is_ec() const;
  // The uncompressed public point (65 bytes) of an EC P-256 key; throws
  // std::runtime_error for any other key.
  std::string p256_public_point() const;

 private:
  explicit PrivateKey(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;
};

// header.claims.signature, base64url: ES256 for an EC P-256 key (signature
// as raw r||s, 64 bytes, as JOSE requires, not DER), RS256 for RSA. `header`
// gets its "alg" set here.
std::string sign_jwt(nlohmann::json header, const nlohmann::json& claims, const PrivateKey& key);

}  // namespace pushsync
