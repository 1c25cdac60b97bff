#pragma once

#include <string_view>
#include <vector>

namespace pushsync::api {

struct ConsoleFile {
  std::string_view name;  // e.g. "console.js"
  std::string_view text;
};

// sidecar/api/console/*, compiled in by CMake (cmake/embed_sql.cmake).
const std::vector<ConsoleFile>& console_files();

}  // namespace pushsync::api
