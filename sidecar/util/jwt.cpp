#include "sidecar/util/jwt.hpp"

#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sidecar/util/base64url.hpp"
#include "sidecar/util/json_text.hpp"
#include "sidecar/util/readable_file.hpp"

namespace pushsync {

namespace {

// An ES256 signature comes out of OpenSSL as DER; JOSE wants r||s, 32 bytes each.
std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())),
                                                            &ECDSA_SIG_free);
  if (!sig) throw std::runtime_error("ES256 signature could not be decoded");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  return raw;
}

std::string sign_sha256(const std::string& input, const PrivateKey& key) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1)
    throw std::runtime_error("cannot sign a JWT with this key");
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("cannot sign a JWT with this key");
  signature.resize(length);
  return signature;
}

}  // namespace

PrivateKey::PrivateKey(EVP_PKEY* key) : key_(key, &EVP_PKEY_free) {}

PrivateKey PrivateKey::from_pem(const std::string& pem, const std::string& what) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!key) throw std::runtime_error(what + ": not a PEM private key");
  int type = EVP_PKEY_get_base_id(key);
  if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    throw std::runtime_error(what + ": the key must be EC P-256 (ES256) or RSA (RS256)");
  }
  return PrivateKey(key);
}

PrivateKey PrivateKey::from_pem_file(const std::string& path, const std::string& what) {
  auto file = read_file_text(path);
  if (!file.text) throw std::runtime_error(what + ": cannot read " + path + ": " + file.why);
  return from_pem(*file.text, what + " (" + path + ")");
}

bool PrivateKey::is_ec() const { return EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_EC; }

std::string PrivateKey::p256_public_point() const {
  std::string point(65, '\0');
  std::size_t length = 0;
  char group[64] = {};
  std::size_t group_length = 0;
  if (!is_ec() ||
      EVP_PKEY_get_utf8_string_param(key_.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &group_length) != 1 ||
      std::string_view(group, group_length) != "prime256v1" ||
      EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                      reinterpret_cast<unsigned char*>(point.data()), point.size(), &length) != 1 ||
      length != point.size())
    throw std::runtime_error("the key is not an EC P-256 key");
  return point;
}

std::string sign_jwt(nlohmann::json header, const nlohmann::json& claims, const PrivateKey& key) {
  header["alg"] = key.is_ec() ? "ES256" : "RS256";
  std::string input = base64url_encode(json_text(header)) + "." + base64url_encode(json_text(claims));
  std::string signature = sign_sha256(input, key);
  if (key.is_ec()) signature = der_to_raw(signature);
  return input + "." + base64url_encode(signature);
}

}  // namespace pushsync
