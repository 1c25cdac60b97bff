// The entry libFuzzer calls; compiled once per target with
// -DPUSHSYNC_FUZZ_TARGET=<function> (fuzz/CMakeLists.txt).
#include <spdlog/spdlog.h>

#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // millions of inputs: what they log is noise
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pushsync::fuzz::PUSHSYNC_FUZZ_TARGET({data, size});
  return 0;
}
