#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

namespace pushsync::http2 {

struct TlsOptions {
  std::string ca_file;               // trusted besides the system CAs (tests)
  std::string certificate_file;      // client certificate (PEM chain), optional
  std::string private_key_file;      // its key (PEM)
  std::string private_key_password;  // when the key is encrypted
};

// A TLS 1.2+ client context that verifies the server against the system
// CAs (plus `ca_file`) and offers only ALPN h2. Throws std::runtime_error
// naming the file that could not be used; never the password.
boost::asio::ssl::context make_client_tls(const TlsOptions& options);

}  // namespace pushsync::http2
