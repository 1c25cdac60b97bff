#pragma once

#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace pushsync::api {

// http.listen ("0.0.0.0:8080", "[::1]:8080", "localhost:0", ":8080") as an
// endpoint; throws std::runtime_error naming the value when it is not one.
boost::asio::ip::tcp::endpoint parse_listen(const std::string& listen);

// Where a client on this host reaches that listener: a wildcard address
// (0.0.0.0, ::) becomes loopback.
boost::asio::ip::tcp::endpoint local_address_of(const std::string& listen);

}  // namespace pushsync::api
