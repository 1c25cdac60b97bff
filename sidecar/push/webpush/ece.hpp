#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;

namespace pushsync::push::webpush {

// What a browser's PushSubscription gives the sender to encrypt for it.
struct ReceiverKeys {
  std::string p256dh;  // its P-256 public key, uncompressed: 65 bytes
  std::string auth;    // its authentication secret: 16 bytes
};

// The sender's ephemeral key and salt, fixed only to check RFC 8291's
// published example; otherwise fresh for every message.
struct FixedSender {
  std::string private_key;  // 32 bytes
  std::string public_key;   // 65 bytes, uncompressed
  std::string salt;         // 16 bytes
};

// Thrown by Encryptor::encrypt when the subscription's keys are not usable
// (not a P-256 point, an auth secret that is not 16 bytes).
struct UnusableKeys : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The largest plaintext one aes128gcm message can carry within the 4096
// bytes push services accept: 4096 - header (86) - delimiter (1) - tag (16).
inline constexpr std::size_t max_plaintext_bytes = 3993;

// RFC 8291 message encryption with the aes128gcm content coding (RFC 8188):
// ECDH P-256 with a new key per message, HKDF-SHA-256 keyed by the auth
// secret, one AES-128-GCM record. Keeps its OpenSSL contexts between
// messages; one per thread.
class Encryptor {
 public:
  Encryptor();
  ~Encryptor();
  Encryptor(const Encryptor&) = delete;
  Encryptor& operator=(const Encryptor&) = delete;

  // The request body: salt, record size, the sender's public key, the
  // ciphertext. Throws UnusableKeys for keys that are not a P-256 point and
  // a 16-byte secret, std::runtime_error for a plaintext above
  // max_plaintext_bytes.
  std::string encrypt(std::string_view plaintext, const ReceiverKeys& to,
                      const std::optional<FixedSender>& fixed = std::nullopt);

 private:
  std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> keygen_;
  std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> fromdata_;
};

// Whether `bytes` is an uncompressed point on P-256 (a usable p256dh).
bool is_p256_point(std::string_view bytes);

}  // namespace pushsync::push::webpush
