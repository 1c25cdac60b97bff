#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sidecar/push/webpush/vapid.hpp"
#include "sidecar/util/base64url.hpp"

namespace pushsync::push::webpush {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

struct Token {
  std::string jwt;
  std::string k;
  nlohmann::json header, claims;
};

// "vapid t=<jwt>, k=<key>" taken apart.
Token parse(const std::string& authorization) {
  Token t;
  auto t_at = authorization.find("t=") + 2;
  auto comma = authorization.find(',');
  t.jwt = authorization.substr(t_at, comma - t_at);
  t.k = authorization.substr(authorization.find("k=") + 2);
  auto dot = t.jwt.find('.');
  t.header = nlohmann::json::parse(*base64url_decode(t.jwt.substr(0, dot)));
  t.claims = nlohmann::json::parse(*base64url_decode(t.jwt.substr(dot + 1, t.jwt.rfind('.') - dot - 1)));
  return t;
}

Vapid make_vapid() {
  auto keys = generate_vapid_keys();
  return Vapid(PrivateKey::from_pem(keys.private_pem, "test"), keys.public_key, "mailto:ops@example.com");
}

TEST(Vapid, OneEs256JwtPerOriginWithItsAudienceAndTwelveHours) {
  auto vapid = make_vapid();
  auto now = std::chrono::system_clock::now();
  auto fcm = parse(vapid.authorization("https://fcm.googleapis.com", now));
  EXPECT_EQ(fcm.header["alg"], "ES256");
  EXPECT_EQ(fcm.claims["aud"], "https://fcm.googleapis.com");
  EXPECT_EQ(fcm.claims["sub"], "mailto:ops@example.com");
  auto exp = fcm.claims["exp"].get<long long>();
  auto twelve_hours = std::chrono::duration_cast<std::chrono::seconds>((now + hours(12)).time_since_epoch()).count();
  EXPECT_LE(std::llabs(exp - twelve_hours), 1);
  EXPECT_EQ(base64url_decode(fcm.k)->size(), 65u);
  EXPECT_EQ(base64url_decode(fcm.jwt.substr(fcm.jwt.rfind('.') + 1))->size(), 64u);  // r||s

  auto mozilla = parse(vapid.authorization("https://updates.push.services.mozilla.com", now));
  EXPECT_EQ(mozilla.claims["aud"], "https://updates.push.services.mozilla.com");
  EXPECT_EQ(mozilla.k, fcm.k);
}

TEST(Vapid, TheJwtIsReusedUntilAnHourIsLeftThenSignedAgain) {
  auto vapid = make_vapid();
  auto now = std::chrono::system_clock::now();
  std::string first = vapid.authorization("https://push.example", now);
  EXPECT_EQ(vapid.authorization("https://push.example", now + hours(10)), first);
  std::string later = vapid.authorization("https://push.example", now + hours(11) + minutes(1));
  EXPECT_NE(later, first);
  vapid.renew();
  EXPECT_NE(vapid.authorization("https://push.example", now + hours(11) + minutes(1)), later);
}

TEST(Vapid, APublicKeyThatIsNotThePrivateKeysIsRefused) {
  auto keys = generate_vapid_keys();
  auto other = generate_vapid_keys();
  EXPECT_THROW(Vapid(PrivateKey::from_pem(keys.private_pem, "test"), other.public_key, "mailto:a@b.c"),
               std::runtime_error);
}

}  // namespace
}  // namespace pushsync::push::webpush
