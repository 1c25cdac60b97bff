#pragma once

#include <cstddef>
#include <string>

namespace pushsync {

// `bytes` from OpenSSL's CSPRNG, base64url-encoded: for secrets.
std::string random_token(std::size_t bytes);

}  // namespace pushsync
