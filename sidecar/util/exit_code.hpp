#pragma once

namespace pushsync {

// What every command exits with: 2 is a usage or config error (the message
// says what to fix), 1 anything that went wrong at run time.
constexpr int exit_ok = 0;
constexpr int exit_runtime = 1;
constexpr int exit_usage = 2;

}  // namespace pushsync
