#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "sidecar/util/jwt.hpp"

namespace pushsync::push::webpush {

// VAPID (RFC 8292): the application server's identity, proven to each
// push service with an ES256 JWT {aud: the service's origin, exp, sub}.
// One JWT per origin, signed again when less than an hour of its 12 hours
// is left (push services refuse exp more than 24 h away).
class Vapid {
 public:
  // `public_key`: base64url, uncompressed P-256 point; it must belong to `key`.
  // Throws std::runtime_error when it does not.
  Vapid(PrivateKey key, std::string public_key, std::string subject);

  // The Authorization header value: "vapid t=<jwt>, k=<public key>".
  const std::string& authorization(const std::string& origin,
                                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
  // Forgets the JWTs so the next request signs a new one (after a 401/403).
  void renew() { signed_.clear(); }

  static constexpr std::chrono::hours lifetime{12};

 private:
  struct Signed {
    std::string header;
    std::chrono::system_clock::time_point expires;
  };
  PrivateKey key_;
  std::string public_key_;
  std::string subject_;
  std::unordered_map<std::string, Signed> signed_;
};

// A new P-256 key pair for VAPID: the PKCS#8 PEM private key and the
// base64url public key browsers take as applicationServerKey.
struct VapidKeys {
  std::string private_pem;
  std::string public_key;
};
VapidKeys generate_vapid_keys();

// The base64url uncompressed public point of an EC P-256 private key.
std::string vapid_public_key_of(const PrivateKey& key);

}  // namespace pushsync::push::webpush
