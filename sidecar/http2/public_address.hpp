#pragma once

#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace pushsync::http2 {

// In the detail of a connection refused because of where its name resolves.
inline constexpr std::string_view refused_address = "resolves to no public address";

// Whether `address` is on the public internet: not loopback, private (RFC
// 1918, unique local), shared (100.64/10), link-local, multicast,
// unspecified or reserved, nor an IPv4-mapped form of one.
bool is_public(const boost::asio::ip::address& address);

// The resolved endpoints a connection may use: all of them, or only the
// public ones (DNS rebinding: a name allowed by its spelling that resolves
// into the sidecar's own network is refused when it is looked up).
std::vector<boost::asio::ip::tcp::endpoint> usable_endpoints(
    const boost::asio::ip::tcp::resolver::results_type& resolved, bool public_only);

}  // namespace pushsync::http2
