#include "sidecar/push/webpush/allowed_origins.hpp"

#include <gtest/gtest.h>

#include "sidecar/http2/public_address.hpp"

namespace pushsync::push::webpush {
namespace {

http2::Endpoint at(const std::string& host, const std::string& port = "443") { return {host, port}; }

// An operator's list, as the config loader reads it.
std::vector<config::OriginPattern> listed(std::initializer_list<const char*> texts) {
  std::vector<config::OriginPattern> out;
  for (const char* text : texts) out.push_back(config::parse_origin_pattern(text).value());
  return out;
}

TEST(AllowedOrigins, ByDefaultOnlyTheBrowsersPushServices) {
  AllowedOrigins browsers(std::nullopt);
  EXPECT_TRUE(browsers.allows(at("fcm.googleapis.com")));
  EXPECT_TRUE(browsers.allows(at("updates.push.services.mozilla.com")));
  EXPECT_TRUE(browsers.allows(at("wns2-par02p.notify.windows.com")));
  EXPECT_TRUE(browsers.allows(at("web.push.apple.com")));
  EXPECT_TRUE(browsers.allows(at("FCM.googleapis.com"))) << "host names are case-insensitive";
  EXPECT_FALSE(browsers.allows(at("push.apple.com"))) << "*.push.apple.com is its subdomains";
  EXPECT_FALSE(browsers.allows(at("fcm.googleapis.com.evil.example")));
  EXPECT_FALSE(browsers.allows(at("evilpush.apple.com")));
  EXPECT_FALSE(browsers.allows(at("169.254.169.254")));
  EXPECT_FALSE(browsers.allows(at("localhost")));
  EXPECT_TRUE(browsers.connectable(at("fcm.googleapis.com")).public_only);
}

TEST(AllowedOrigins, PatternsWithAPortAllowThatPortOnly) {
  AllowedOrigins origins(listed({"push.example.com:8443", "*.example.org"}));
  EXPECT_TRUE(origins.allows(at("push.example.com", "8443")));
  EXPECT_FALSE(origins.allows(at("push.example.com", "443")));
  EXPECT_TRUE(origins.allows(at("a.b.example.org", "9000")));
  EXPECT_FALSE(origins.allows(at("fcm.googleapis.com"))) << "a list replaces the browsers' services";
}

// Only a host the operator names (no wildcard) may resolve into the
// sidecar's own network; anything else is connected to at public
// addresses only.
TEST(AllowedOrigins, OnlyAHostNamedByTheOperatorMayBeReachedAtAPrivateAddress) {
  AllowedOrigins origins(listed({"127.0.0.1", "*.example.org", "*"}));
  EXPECT_FALSE(origins.connectable(at("127.0.0.1", "9443")).public_only);
  EXPECT_TRUE(origins.connectable(at("push.example.org")).public_only);
  EXPECT_TRUE(origins.connectable(at("localhost")).public_only);
}

TEST(PublicAddress, LoopbackPrivateLinkLocalMulticastAndReservedAreNotPublic) {
  for (const char* address : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                              "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
                              "fd00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"})
    EXPECT_FALSE(http2::is_public(boost::asio::ip::make_address(address))) << address;
  for (const char* address : {"8.8.8.8", "142.250.1.1", "172.32.0.1", "100.128.0.1", "2a00:1450:4001::200e",
                              "::ffff:8.8.8.8"})
    EXPECT_TRUE(http2::is_public(boost::asio::ip::make_address(address))) << address;
}

}  // namespace
}  // namespace pushsync::push::webpush
