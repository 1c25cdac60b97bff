#include "sidecar/http2/tls_context.hpp"

#include <stdexcept>

#include <openssl/ssl.h>

#include "sidecar/util/readable_file.hpp"

namespace pushsync::http2 {

namespace ssl = boost::asio::ssl;

namespace {

template <typename Action>
void using_file(const std::string& what, const std::string& file, Action action) {
  if (auto why = unreadable(file)) throw std::runtime_error("cannot use " + what + " " + file + ": " + *why);
  boost::system::error_code ec;
  action(ec);
  if (ec) throw std::runtime_error("cannot use " + what + " " + file + ": " + ec.message());
}

}  // namespace

ssl::context make_client_tls(const TlsOptions& options) {
  ssl::context tls(ssl::context::tls_client);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
  tls.set_verify_mode(ssl::verify_peer);
  tls.set_default_verify_paths();
  if (!options.ca_file.empty())
    using_file("ca_file", options.ca_file, [&](auto& ec) { tls.load_verify_file(options.ca_file, ec); });
  if (!options.certificate_file.empty()) {
    if (!options.private_key_password.empty()) {
      std::string password = options.private_key_password;
      tls.set_password_callback([password](std::size_t, ssl::context::password_purpose) { return password; });
    }
    using_file("certificate_file", options.certificate_file,
               [&](auto& ec) { tls.use_certificate_chain_file(options.certificate_file, ec); });
    using_file("private_key_file", options.private_key_file,
               [&](auto& ec) { tls.use_private_key_file(options.private_key_file, ssl::context::pem, ec); });
  }
  static constexpr std::string_view h2{"\x02h2", 3};
  static constexpr std::string_view http1{"\x08http/1.1", 9};
  std::string offer;
  if (options.alpn != TlsOptions::Alpn::http1) offer += h2;
  if (options.alpn != TlsOptions::Alpn::h2) offer += http1;
  SSL_CTX_set_alpn_protos(tls.native_handle(), reinterpret_cast<const unsigned char*>(offer.data()),
                          static_cast<unsigned>(offer.size()));
  return tls;
}

}  // namespace pushsync::http2
