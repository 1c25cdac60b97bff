#include "sidecar/http2/public_address.hpp"

#include <array>
#include <cstdint>

namespace pushsync::http2 {

namespace {

struct V4Range {
  std::uint32_t base;
  int bits;
};

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

// Not routed on the public internet (RFC 6890).
constexpr std::array<V4Range, 10> non_public_v4{{
    {v4(0, 0, 0, 0), 8},       // "this network"
    {v4(10, 0, 0, 0), 8},      // private
    {v4(100, 64, 0, 0), 10},   // shared address space (carrier-grade NAT)
    {v4(127, 0, 0, 0), 8},     // loopback
    {v4(169, 254, 0, 0), 16},  // link-local (cloud metadata services)
    {v4(172, 16, 0, 0), 12},   // private
    {v4(192, 0, 0, 0), 24},    // IETF protocol assignments
    {v4(192, 168, 0, 0), 16},  // private
    {v4(198, 18, 0, 0), 15},   // benchmarking
    {v4(224, 0, 0, 0), 3},     // multicast (224/4) and reserved (240/4)
}};

bool is_public_v4(const boost::asio::ip::address_v4& address) {
  const std::uint32_t a = address.to_uint();
  for (const auto& range : non_public_v4)
    if ((a >> (32 - range.bits)) == (range.base >> (32 - range.bits))) return false;
  return true;
}

bool is_public_v6(const boost::asio::ip::address_v6& address) {
  if (address.is_v4_mapped()) return is_public_v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address));
  if (address.is_loopback() || address.is_unspecified() || address.is_link_local() || address.is_site_local() ||
      address.is_multicast())
    return false;
  const auto bytes = address.to_bytes();
  return (bytes[0] & 0xfe) != 0xfc;  // fc00::/7, unique local
}

}  // namespace

bool is_public(const boost::asio::ip::address& address) {
  return address.is_v4() ? is_public_v4(address.to_v4()) : is_public_v6(address.to_v6());
}

std::vector<boost::asio::ip::tcp::endpoint> usable_endpoints(
    const boost::asio::ip::tcp::resolver::results_type& resolved, bool public_only) {
  std::vector<boost::asio::ip::tcp::endpoint> out;
  for (const auto& entry : resolved)
    if (!public_only || is_public(entry.endpoint().address())) out.push_back(entry.endpoint());
  return out;
}

}  // namespace pushsync::http2
