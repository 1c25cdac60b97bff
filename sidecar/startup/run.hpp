#pragma once

#include <functional>

#include "sidecar/config/config.hpp"

namespace pushsync::startup {

// `pushsync run`: wires the sidecar together (the threads are described at
// the top of main.cpp), prepares the database, serves until SIGINT/SIGTERM
// and finishes in-flight work within shutdown_timeout. Returns the exit
// code: 0, 1 for a runtime error, 2 for a config error found at start.
// On SIGHUP it calls `reload` and takes the API tokens of what it returns.
using ConfigSource = std::function<config::Config()>;
int run(const config::Config& config, const ConfigSource& reload);

}  // namespace pushsync::startup
