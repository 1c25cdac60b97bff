#include "sidecar/push/webpush/vapid.hpp"

#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sidecar/util/base64url.hpp"

namespace pushsync::push::webpush {

namespace {

constexpr auto renew_before = std::chrono::hours(1);

}  // namespace

std::string vapid_public_key_of(const PrivateKey& key) { return base64url_encode(key.p256_public_point()); }

Vapid::Vapid(PrivateKey key, std::string public_key, std::string subject)
    : key_(std::move(key)), public_key_(std::move(public_key)), subject_(std::move(subject)) {
  if (vapid_public_key_of(key_) != public_key_)
    throw std::runtime_error("vapid_public_key is not the public half of the key in vapid_private_key_file");
}

const std::string& Vapid::authorization(const std::string& origin, std::chrono::system_clock::time_point now) {
  auto& entry = signed_[origin];
  if (entry.header.empty() || entry.expires - now < renew_before) {
    entry.expires = std::chrono::time_point_cast<std::chrono::seconds>(now + lifetime);
    nlohmann::json claims = {{"aud", origin},
                             {"exp", std::chrono::duration_cast<std::chrono::seconds>(
                                         entry.expires.time_since_epoch()).count()},
                             {"sub", subject_}};
    entry.header = "vapid t=" + sign_jwt({{"typ", "JWT"}}, claims, key_) + ", k=" + public_key_;
  }
  return entry.header;
}

VapidKeys generate_vapid_keys() {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!raw) throw std::runtime_error("cannot generate a P-256 key");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot write the key as PEM");
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  VapidKeys keys;
  keys.private_pem.assign(data, static_cast<std::size_t>(length));
  keys.public_key = vapid_public_key_of(PrivateKey::from_pem(keys.private_pem, "the new VAPID key"));
  return keys;
}

}  // namespace pushsync::push::webpush
