#pragma once

#include <string>

namespace pushsync {

// One line per event on stderr; `format` is "text" or "json".
void setup_logging(const std::string& level, const std::string& format);

}  // namespace pushsync
