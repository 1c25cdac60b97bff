#pragma once

#include <string>
#include <string_view>

namespace pushsync {

// One line per event on stderr; `format` is "text" or "json". Messages that
// span lines (SQL errors, exception texts) are joined by one_line.
void setup_logging(const std::string& level, const std::string& format);

// `text` on one line: its non-blank lines, trimmed, joined by " | ".
std::string one_line(std::string_view text);

}  // namespace pushsync
