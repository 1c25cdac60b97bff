#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace pushsync {

// Config and secret files are read through here so that a failure names its
// cause. Permission denied also says which uid and gid the process runs as
// and who owns the file with what mode: in a container the file is usually
// 0600 on the host and owned by someone else than the image's user.

// A file's whole text, or why it cannot be read.
struct FileText {
  std::optional<std::string> text;
  std::string why;  // when there is no text
};
// A file larger than this is refused (a config or a secret is kilobytes;
// /dev/zero or a log file named by mistake would never end).
inline constexpr std::size_t max_file_bytes = 4 * 1024 * 1024;
FileText read_file_text(const std::string& path);

// For files another library reads (OpenSSL): nothing when PATH can be
// opened for reading, else the reason.
std::optional<std::string> unreadable(const std::string& path);

}  // namespace pushsync
