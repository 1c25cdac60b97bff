#include "sidecar/util/readable_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
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

}  // namespace

std::optional<std::string> unreadable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return reason(path, EISDIR);
  std::ifstream in(path, std::ios::binary);
  if (in) return std::nullopt;
  return reason(path, errno);
}

std::string read_whole_file(const std::string& path) {
  if (auto why = unreadable(path)) throw std::runtime_error("cannot read " + path + ": " + *why);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pushsync
