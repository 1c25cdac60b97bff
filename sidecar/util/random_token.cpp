#include "sidecar/util/random_token.hpp"

#include <stdexcept>
#include <vector>

#include <openssl/rand.h>

#include "sidecar/util/base64url.hpp"

namespace pushsync {

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
    throw std::runtime_error("the random number generator failed");
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size()));
}

}  // namespace pushsync
