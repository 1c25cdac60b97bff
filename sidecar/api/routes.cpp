#include "sidecar/api/routes.hpp"

namespace pushsync::api {

std::string Route::allowed_methods() const {
  std::string out;
  for (const auto& [verb, handler] : methods) {
    if (!out.empty()) out += ", ";
    out += std::string(boost::beast::http::to_string(verb));
  }
  return out;
}

Route& Routes::add(std::string pattern, Access access) {
  Route& route = routes_[pattern];
  route.pattern = std::move(pattern);
  route.access = access;
  return route;
}

std::optional<Routes::Match> Routes::find(std::string_view path) const {
  if (auto exact = routes_.find(path); exact != routes_.end()) return Match{&exact->second, ""};
  for (const auto& [pattern, route] : routes_) {
    auto brace = pattern.find('{');
    if (brace == std::string::npos || !path.starts_with(std::string_view(pattern).substr(0, brace))) continue;
    std::string_view rest = path.substr(brace);
    if (rest.empty() || rest.find('/') != std::string_view::npos) continue;
    return Match{&route, percent_decode(rest, false)};
  }
  return std::nullopt;
}

}  // namespace pushsync::api
