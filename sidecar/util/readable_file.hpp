#pragma once

#include <optional>
#include <string>

namespace pushsync {

// Config and secret files are read through here so that a failure names its
// cause. Permission denied also says which uid and gid the process runs as
// and who owns the file with what mode: in a container the file is usually
// 0600 on the host and owned by someone else than the image's user.

// The whole file; throws std::runtime_error("cannot read PATH: REASON").
std::string read_whole_file(const std::string& path);

// Nothing when PATH can be opened for reading, else the reason.
std::optional<std::string> unreadable(const std::string& path);

}  // namespace pushsync
