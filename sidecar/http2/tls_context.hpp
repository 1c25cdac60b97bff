#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

namespace pushsync::http2 {

struct TlsOptions {
  std::string ca_file;               // trusted besides the system CAs (tests)
  std::string certificate_file;      // client certificate (PEM chain), optional
  std::string private_key_file;      // its key (PEM)
  std::string private_key_password;  // when the key is encrypted
  // What ALPN offers: h2 (APNs, FCM), h2 then http/1.1 (a server that picks
  // http/1.1 makes http2::Connection fail with no_h2), or only http/1.1.
  enum class Alpn { h2, h2_or_http1, http1 } alpn = Alpn::h2;
};

// A TLS 1.2+ client context that verifies the server against the system
// CAs (plus `ca_file`) and offers `alpn`. Throws std::runtime_error
// naming the file that could not be used; never the password.
boost::asio::ssl::context make_client_tls(const TlsOptions& options);

}  // namespace pushsync::http2
