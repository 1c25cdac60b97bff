#include "sidecar/api/listen_address.hpp"

#include <stdexcept>

namespace pushsync::api {

namespace asio = boost::asio;
using asio::ip::tcp;

tcp::endpoint parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("http.listen \"" + listen + "\" is not host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) throw std::runtime_error("http.listen \"" + listen + "\": not an IP address");
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::runtime_error("http.listen \"" + listen + "\": bad port");
  return {address, static_cast<unsigned short>(port)};
}

tcp::endpoint local_address_of(const std::string& listen) {
  auto endpoint = parse_listen(listen);
  if (endpoint.address().is_unspecified())
    endpoint.address(endpoint.address().is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                                                : asio::ip::address(asio::ip::address_v4::loopback()));
  return endpoint;
}

}  // namespace pushsync::api
