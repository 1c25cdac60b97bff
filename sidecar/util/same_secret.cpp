#include "sidecar/util/same_secret.hpp"

#include <string>

#include <openssl/crypto.h>

#include "sidecar/util/sha256.hpp"

namespace pushsync {

bool same_secret(std::string_view given, std::string_view expected) {
  std::string a = sha256_hex(given);
  std::string b = sha256_hex(expected);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace pushsync
