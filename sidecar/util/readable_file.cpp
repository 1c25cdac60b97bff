#include "sidecar/util/readable_file.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pushsync {

namespace {

std::string permission_denied(const std::string& path) {
  std::string who = fmt::format("pushsync runs as uid {}, gid {}", getuid(), getgid());
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    return fmt::format("permission denied: a directory on the path cannot be searched ({})", who);
  return fmt::format("permission denied ({}; the file is owned by uid {}, gid {}, mode {:04o})", who, st.st_uid,
                     st.st_gid, st.st_mode & 07777);
}

std::string reason(const std::string& path, int error_number) {
  if (error_number == EACCES || error_number == EPERM) return permission_denied(path);
  if (error_number == ENOENT) return "no such file";
  if (error_number == EISDIR) return "it is a directory";
  return std::strerror(error_number);
}

// A descriptor open for reading, or -errno (a directory: -EISDIR).
int open_for_reading(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return -EISDIR;
  }
  return fd;
}

}  // namespace

std::optional<std::string> unreadable(const std::string& path) {
  const int fd = open_for_reading(path);
  if (fd < 0) return reason(path, -fd);
  ::close(fd);
  return std::nullopt;
}

FileText read_file_text(const std::string& path) {
  const int fd = open_for_reading(path);
  if (fd < 0) return {std::nullopt, reason(path, -fd)};
  std::string text;
  char buffer[16 * 1024];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && text.size() <= max_file_bytes)
    text.append(buffer, static_cast<std::size_t>(n));
  const int error = n < 0 ? errno : 0;
  ::close(fd);
  if (text.size() > max_file_bytes) return {std::nullopt, "larger than 4 MiB: not a config or secret file"};
  if (error) return {std::nullopt, reason(path, error)};
  return {std::move(text), ""};
}

}  // namespace pushsync
