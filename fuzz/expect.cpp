#include <cstdio>
#include <cstdlib>

#include "fuzz/targets.hpp"

namespace pushsync::fuzz {

void expect(bool holds, std::string_view what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz: broken promise: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace pushsync::fuzz
