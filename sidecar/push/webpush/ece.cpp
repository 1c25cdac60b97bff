#include "sidecar/push/webpush/ece.hpp"

#include <array>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace pushsync::push::webpush {

namespace {

constexpr std::uint32_t record_size = 4096;
constexpr std::size_t point_bytes = 65;
constexpr std::size_t auth_bytes = 16;
constexpr std::size_t salt_bytes = 16;
constexpr std::size_t tag_bytes = 16;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bytes = std::string;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("web push encryption: " + what); }

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// HMAC-SHA-256; HKDF's extract is hmac(salt, ikm), a one-block expand is
// hmac(prk, info || 0x01) cut to length.
Bytes hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), u8(data), data.size(), out.data(), &length))
    fail("HMAC failed");
  return Bytes(reinterpret_cast<const char*>(out.data()), length);
}

Bytes expand(std::string_view prk, std::string info, std::size_t length) {
  info.push_back('\x01');
  return hmac(prk, info).substr(0, length);
}

// A P-256 key from raw parts: the public point, and the private scalar when given.
Key key_from(EVP_PKEY_CTX* ctx, std::string_view public_point, std::string_view private_scalar = {}) {
  char group[] = "P-256";
  BIGNUM* priv = nullptr;
  std::array<OSSL_PARAM, 4> params{};
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(public_point.data()),
                                                public_point.size());
  std::array<unsigned char, 32> priv_le{};
  if (!private_scalar.empty()) {
    priv = BN_bin2bn(u8(private_scalar), static_cast<int>(private_scalar.size()), nullptr);
    BN_bn2nativepad(priv, priv_le.data(), priv_le.size());
    params[2] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, priv_le.data(), priv_le.size());
    params[3] = OSSL_PARAM_construct_end();
  } else {
    params[2] = OSSL_PARAM_construct_end();
  }
  EVP_PKEY* key = nullptr;
  int selection = private_scalar.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR;
  bool ok = EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &key, selection, params.data()) == 1;
  BN_free(priv);
  if (!ok) fail("not a P-256 key");
  return Key(key, &EVP_PKEY_free);
}

Bytes public_point_of(EVP_PKEY* key) {
  std::array<unsigned char, point_bytes> out{};
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(), out.size(), &length) != 1 ||
      length != point_bytes)
    fail("cannot encode the sender's public key");
  return Bytes(reinterpret_cast<const char*>(out.data()), length);
}

Bytes ecdh(EVP_PKEY* own, EVP_PKEY* peer) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr),
                                                                  &EVP_PKEY_CTX_free);
  std::array<unsigned char, 32> secret{};
  std::size_t length = secret.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 0) != 1 ||
      EVP_PKEY_derive(ctx.get(), secret.data(), &length) != 1)
    fail("ECDH failed");
  return Bytes(reinterpret_cast<const char*>(secret.data()), length);
}

// One record: plaintext, the last-record delimiter 0x02, no padding; then the tag.
Bytes seal(std::string_view key, std::string_view nonce, std::string_view plaintext) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  Bytes record(plaintext);
  record.push_back('\x02');
  Bytes out(record.size() + tag_bytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  int final_length = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, u8(key), u8(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &length, u8(record), static_cast<int>(record.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + length, &final_length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_bytes, o + record.size()) != 1)
    fail("AES-128-GCM failed");
  return out;
}

}  // namespace

bool is_p256_point(std::string_view bytes) {
  if (bytes.size() != point_bytes || bytes[0] != '\x04') return false;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr),
                                                                  &EVP_PKEY_CTX_free);
  try {
    key_from(ctx.get(), bytes);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

Encryptor::Encryptor()
    : keygen_(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free),
      fromdata_(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free) {
  if (!keygen_ || !fromdata_ || EVP_PKEY_keygen_init(keygen_.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(keygen_.get(), "P-256") != 1)
    fail("OpenSSL has no P-256");
}

Encryptor::~Encryptor() = default;

std::string Encryptor::encrypt(std::string_view plaintext, const ReceiverKeys& to,
                               const std::optional<FixedSender>& fixed) {
  if (to.auth.size() != auth_bytes) throw UnusableKeys("web push encryption: auth must be 16 bytes");
  if (plaintext.size() > max_plaintext_bytes) fail("the payload is above " + std::to_string(max_plaintext_bytes) + " bytes");
  Key receiver(nullptr, &EVP_PKEY_free);
  try {
    if (to.p256dh.size() != point_bytes) fail("p256dh must be 65 bytes");
    receiver = key_from(fromdata_.get(), to.p256dh);
  } catch (const std::runtime_error& e) {
    throw UnusableKeys(e.what());
  }
  Key sender(nullptr, &EVP_PKEY_free);
  Bytes salt(salt_bytes, '\0');
  if (fixed) {
    sender = key_from(fromdata_.get(), fixed->public_key, fixed->private_key);
    salt = fixed->salt;
  } else {
    EVP_PKEY* fresh = nullptr;
    if (EVP_PKEY_generate(keygen_.get(), &fresh) != 1) fail("cannot generate a P-256 key");
    sender.reset(fresh);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), salt_bytes) != 1) fail("no random salt");
  }
  Bytes sender_public = public_point_of(sender.get());

  // RFC 8291 §3.3-3.4: the auth secret keys the ECDH secret into the IKM;
  // RFC 8188 §2.2: the salt keys the IKM into the content key and nonce.
  Bytes key_info = "WebPush: info";
  key_info.push_back('\0');
  key_info += to.p256dh;
  key_info += sender_public;
  Bytes ikm = expand(hmac(to.auth, ecdh(sender.get(), receiver.get())), key_info, 32);
  Bytes prk = hmac(salt, ikm);
  Bytes content_key = expand(prk, Bytes("Content-Encoding: aes128gcm") + '\0', 16);
  Bytes nonce = expand(prk, Bytes("Content-Encoding: nonce") + '\0', 12);

  Bytes body = salt;
  for (int shift : {24, 16, 8, 0}) body.push_back(static_cast<char>((record_size >> shift) & 0xff));
  body.push_back(static_cast<char>(point_bytes));
  body += sender_public;
  body += seal(content_key, nonce, plaintext);
  return body;
}

}  // namespace pushsync::push::webpush
