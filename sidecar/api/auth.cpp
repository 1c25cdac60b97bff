#include "sidecar/api/auth.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

namespace pushsync::api {

std::optional<std::string_view> bearer_token(const Request& request) {
  std::string_view value = request[boost::beast::http::field::authorization];
  constexpr std::string_view scheme = "Bearer ";
  if (value.size() <= scheme.size() || !boost::beast::iequals(value.substr(0, scheme.size()), scheme))
    return std::nullopt;
  return value.substr(scheme.size());
}

}  // namespace pushsync::api
