#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace pushsync::push {

// What the channel's HTTP endpoint (api/ws_endpoint) asks of the devices'
// side: is this device let in, and then its connection to serve.
class WsDevices {
 public:
  enum class Admission {
    admitted,
    closing,  // the sidecar is stopping
    refused,  // an unknown ws installation or a wrong channel secret (alike to the caller)
    full,     // max_connections devices are connected
  };

  virtual ~WsDevices() = default;

  virtual int max_connections() const = 0;
  // An admitted device counts against max_connections until serve() ends.
  virtual boost::asio::awaitable<Admission> admit(const std::string& installation_id,
                                                  const std::string& channel_secret) = 0;
  // Serves an admitted device whose handshake was answered (101) until
  // its connection ends (or its channel secret is revoked).
  virtual boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket connection, std::string installation_id,
                                             std::string channel_secret) = 0;
};

}  // namespace pushsync::push
