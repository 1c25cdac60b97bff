#include "sidecar/cli/vapid_keys.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "sidecar/push/webpush/vapid.hpp"

namespace pushsync::cli {

namespace {

// Creates `path` readable by its owner only; false (errno set) when it exists or cannot be written.
bool write_new_private_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int saved = errno;
  ok = ::close(fd) == 0 && ok;
  errno = ok ? 0 : saved;
  return ok;
}

}  // namespace

int vapid_keys(const std::string& private_key_file, std::ostream& out, std::ostream& err) {
  auto keys = push::webpush::generate_vapid_keys();
  if (!write_new_private_file(private_key_file, keys.private_pem)) {
    err << "vapid-keys: cannot create " << private_key_file << ": " << std::strerror(errno)
        << (errno == EEXIST ? " (pushsync never overwrites a key: browsers' subscriptions are bound to it)" : "")
        << "\n";
    return 1;
  }
  out << "# The private key is in " << private_key_file << " (mode 0600): keep it secret and keep it; browsers'\n"
      << "# subscriptions are bound to this key pair. The public key is the applicationServerKey\n"
      << "# pages pass to pushManager.subscribe().\n"
      << "webpush:\n"
      << "  vapid_public_key: \"" << keys.public_key << "\"\n"
      << "  vapid_private_key_file: " << private_key_file << "\n"
      << "  subject: \"mailto:ops@example.com\"  # how push services reach you\n";
  return 0;
}

}  // namespace pushsync::cli
