#include "sidecar/api/auth.hpp"

#include <openssl/crypto.h>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include "sidecar/util/sha256.hpp"

namespace pushsync::api {

bool same_secret(std::string_view given, std::string_view expected) {
  std::string a = sha256_hex(given);
  std::string b = sha256_hex(expected);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string_view> bearer_token(const Request& request) {
  std::string_view value = request[boost::beast::http::field::authorization];
  constexpr std::string_view scheme = "Bearer ";
  if (value.size() <= scheme.size() || !boost::beast::iequals(value.substr(0, scheme.size()), scheme))
    return std::nullopt;
  return value.substr(scheme.size());
}

}  // namespace pushsync::api
