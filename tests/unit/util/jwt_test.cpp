#include "sidecar/util/jwt.hpp"

#include <cstdlib>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "sidecar/push/apns/provider_token.hpp"
#include "sidecar/util/base64url.hpp"
#include "tests/fakes/jwt_check.hpp"
#include "tests/fakes/test_pki.hpp"

namespace pushsync {
namespace {

using test::TestPki;

TEST(Base64Url, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto text = base64url_encode(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(base64url_decode(text), bytes);
    bytes += static_cast<char>(i * 37);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("a+b"));
}

TEST(Jwt, Es256SignatureIsRawRAndSAndVerifiesWithThePublicKey) {
  auto key = PrivateKey::from_pem_file(TestPki::get().apns_key, "apns.key_file");
  auto jwt = sign_jwt({{"kid", "KEY1234567"}}, {{"iss", "TEAM123456"}, {"iat", 1700000000}}, key);
  auto signature = base64url_decode(jwt.substr(jwt.rfind('.') + 1));
  ASSERT_TRUE(signature);
  EXPECT_EQ(signature->size(), 64u);  // not DER
  EVP_PKEY* public_key = test::read_public_key(TestPki::get().apns_public_key);
  auto checked = test::verify_jwt(jwt, public_key);
  ASSERT_TRUE(checked);
  EXPECT_EQ(checked->header, (nlohmann::json{{"alg", "ES256"}, {"kid", "KEY1234567"}}));
  EXPECT_EQ(checked->claims, (nlohmann::json{{"iss", "TEAM123456"}, {"iat", 1700000000}}));
  auto tampered = jwt;
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_FALSE(test::verify_jwt(tampered, public_key));
  EVP_PKEY_free(public_key);
}

TEST(Jwt, NonKeyFileIsRefusedWithoutShowingItsContent) {
  try {
    PrivateKey::from_pem("not a key SECRET", "apns.key_file");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "apns.key_file: not a PEM private key");
  }
}

TEST(ProviderToken, ReusedUntilFortyMinutesThenRefreshedAndOnExpiry) {
  using namespace std::chrono_literals;
  push::ProviderToken token(PrivateKey::from_pem_file(TestPki::get().apns_key, "k"), "KEY1234567", "TEAM123456");
  auto t0 = push::ProviderToken::Clock::now();
  std::string first = token.bearer(t0);
  EXPECT_EQ(token.bearer(t0 + 20min), first);  // Apple refuses refreshes more often than every 20 min
  EXPECT_EQ(token.bearer(t0 + 39min), first);
  std::string second = token.bearer(t0 + 40min);  // and tokens older than 60 min
  EXPECT_NE(second, first);
  token.expire();
  EXPECT_NE(token.bearer(t0 + 41min), second);
}

}  // namespace
}  // namespace pushsync
