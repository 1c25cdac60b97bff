#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pushsync {

// Well-formed UTF-8: no overlong forms, surrogates or code points above
// U+10FFFF (what PostgreSQL's text and JSON parsers accept).
bool is_valid_utf8(std::string_view text);

// At most `max_bytes` of `text` as UTF-8 for logs and dead letters: whole
// characters only, each byte that is not part of one replaced by '?'.
// A peer's words (a push service's error body) are bytes, not text.
std::string utf8_excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace pushsync
