#include "sidecar/api/api_tokens.hpp"

#include "sidecar/util/same_secret.hpp"

namespace pushsync::api {

bool ApiTokens::accepts(std::string_view given) const {
  bool accepted = false;
  for (const auto& token : tokens_) accepted |= same_secret(given, token);
  return accepted;
}

}  // namespace pushsync::api
