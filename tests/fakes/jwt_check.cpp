#include "tests/fakes/jwt_check.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sidecar/util/base64url.hpp"

namespace pushsync::test {

namespace {

// JOSE r||s (64 bytes) -> the DER OpenSSL verifies.
std::optional<std::string> raw_to_der(const std::string& raw) {
  if (raw.size() != 64) return std::nullopt;
  auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr), BN_bin2bn(bytes + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool verify_sha256(std::string_view input, const std::string& signature, EVP_PKEY* key) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace

std::optional<Jwt> verify_jwt(std::string_view token, EVP_PKEY* public_key) {
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 == std::string_view::npos ? dot1 : dot1 + 1);
  if (dot1 == std::string_view::npos || dot2 == std::string_view::npos) return std::nullopt;
  auto header = base64url_decode(token.substr(0, dot1));
  auto claims = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header || !claims || !signature) return std::nullopt;
  Jwt jwt{nlohmann::json::parse(*header, nullptr, false), nlohmann::json::parse(*claims, nullptr, false)};
  if (!jwt.header.is_object() || !jwt.claims.is_object()) return std::nullopt;
  std::string alg = jwt.header.value("alg", "");
  bool ec = EVP_PKEY_get_base_id(public_key) == EVP_PKEY_EC;
  if (alg != (ec ? "ES256" : "RS256")) return std::nullopt;
  if (ec) {
    auto der = raw_to_der(*signature);
    if (!der) return std::nullopt;
    signature = der;
  }
  if (!verify_sha256(token.substr(0, dot2), *signature, public_key)) return std::nullopt;
  return jwt;
}

EVP_PKEY* read_public_key(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (!file) throw std::runtime_error("cannot read " + path);
  EVP_PKEY* key = PEM_read_PUBKEY(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (!key) throw std::runtime_error("not a PEM public key: " + path);
  return key;
}

}  // namespace pushsync::test
