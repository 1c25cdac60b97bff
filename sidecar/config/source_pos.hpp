#pragma once

#include <string>

namespace pushsync::config {

// Where a value stands in the config file: 1-based line and column and its
// key path, kept so that checks made later (against the live catalog) can
// still point at the offending key.
struct SourcePos {
  int line = 0;
  int column = 0;
  std::string path;
};

}  // namespace pushsync::config
