#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

typedef struct evp_pkey_st EVP_PKEY;

namespace pushsync::test {

struct Jwt {
  nlohmann::json header;
  nlohmann::json claims;
};

// What Apple and Google do with a JWT: decode it and verify its signature
// with the public key (ES256 as raw r||s, or RS256). nullopt when the token
// is malformed or the signature does not verify.
std::optional<Jwt> verify_jwt(std::string_view token, EVP_PKEY* public_key);

// A PEM public key file (caller frees with EVP_PKEY_free); throws on error.
EVP_PKEY* read_public_key(const std::string& path);

}  // namespace pushsync::test
