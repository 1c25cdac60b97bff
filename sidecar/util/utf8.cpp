#include "sidecar/util/utf8.hpp"

#include <algorithm>

namespace pushsync {

namespace {

// The length of the well-formed character at text[i], or 0 if none starts there.
std::size_t character_at(std::string_view text, std::size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  std::size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
  if (extra == 9 || i + extra >= text.size()) return 0;
  unsigned int code = extra == 0 ? c : c & (0x3F >> extra);
  for (std::size_t k = 1; k <= extra; ++k) {
    auto cc = static_cast<unsigned char>(text[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    code = (code << 6) | (cc & 0x3F);
  }
  static constexpr unsigned int min_of[] = {0, 0x80, 0x800, 0x10000};
  if (code < min_of[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return extra + 1;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    auto length = character_at(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string utf8_excerpt(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto length = character_at(text, i);
    if (out.size() + std::max<std::size_t>(length, 1) > max_bytes) break;
    if (length == 0) {
      out += '?';
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace pushsync
