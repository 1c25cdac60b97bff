#pragma once

#include <ostream>
#include <string>

namespace pushsync::cli {

// `pushsync vapid-keys --out FILE`: a new VAPID key pair. The private key
// goes to FILE (PEM, mode 0600, never over an existing file); the public
// key and the webpush section that uses both go to `out`. Returns the exit
// status: 0, or 1 with the reason on `err`.
int vapid_keys(const std::string& private_key_file, std::ostream& out, std::ostream& err);

}  // namespace pushsync::cli
