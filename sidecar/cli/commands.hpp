#pragma once

#include <string>
#include <vector>

#include "sidecar/config/config.hpp"

namespace pushsync::cli {

// The options every subcommand shares.
struct Options {
  std::string config_file = "pushsync.yaml";
  std::string log_format;  // overrides log.format
  std::string log_level;   // overrides log.level
};

struct DeadLetterOptions {
  std::string since;   // RFC 3339 (main turns a span like 2h into one)
  std::string before;
  std::string table;
  std::string reason;
  int limit = 1000;
  bool json = false;
  bool all = false;
  std::vector<long long> ids;
};

enum class DeadLetterAction { list, retry, purge };

struct SendOptions {
  std::vector<std::string> tags;
  std::vector<std::string> installations;
  std::string alert;
  std::string data = "{}";
};

// The config file with the command line's log overrides, logging set up.
config::Config load(const Options& options);

// Each subcommand; they return the exit code (util/exit_code.hpp) and
// throw config::ConfigError or std::exception for main to report.
int command_sql(const Options& options);
int command_migrate(const Options& options);
int command_check(const Options& options);
int command_send(const Options& options, const SendOptions& send);
int command_probe(const Options& options, const std::string& address, bool ready);
int command_dead_letters(const Options& options, DeadLetterAction action, const DeadLetterOptions& d);

}  // namespace pushsync::cli
