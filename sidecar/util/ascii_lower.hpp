#pragma once

#include <algorithm>
#include <cctype>
#include <string>

namespace pushsync {

// `text` with ASCII letters in lower case (host names, header names).
inline std::string ascii_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace pushsync
