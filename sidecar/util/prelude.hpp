#pragma once
// Included before every file of the build but util/compiled_once.cpp
// (CMakeLists.txt: -include, or first in the precompiled header).

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.
#include <utility>

// spdlog formats through fmt::detail::vformat_to<char>, which libfmt 9
// compiles and exports; without this declaration every file that logs
// compiles it again (with all of fmt's integer and float writers). GCC
// only: Debian's libfmt is built with GCC, and clang 14 mangles this
// function's name differently (the fuzz build, with clang, did not link).
#include <fmt/format.h>
#if FMT_VERSION >= 90000 && FMT_VERSION < 100000 && defined(__GNUC__) && !defined(__clang__)
namespace fmt::inline v9::detail {
extern template void vformat_to<char>(buffer<char>&, basic_string_view<char>,
                                      basic_format_args<FMT_BUFFER_CONTEXT(char)>, locale_ref);
}  // namespace fmt::inline v9::detail
#endif
