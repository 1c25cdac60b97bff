// pushsync: row changes in PostgreSQL -> silent push-to-sync notifications.
//
// Threads: the main thread runs one boost::asio::io_context; everything that
// does network I/O (providers, the HTTP API, WebSocket devices) is a
// coroutine on it. Database threads (db::DbThread) each own one libpqxx
// connection: coroutines hand them work and await the result. One LISTENs
// and turns NOTIFYs into wakeups posted to the io_context (it also serves
// migrations and the ws mailbox); two claim lanes (capture::ClaimLanes)
// hold the claimed batches' transactions; the HTTP API has its own few
// (db::DbPool), so requests never wait behind a batch. Nothing else starts
// threads. This file only parses the command line: startup/run wires the
// sidecar together, cli/ runs the other commands.
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/cli/commands.hpp"
#include "sidecar/cli/vapid_keys.hpp"
#include "sidecar/config/config_error.hpp"
#include "sidecar/config/config_loader.hpp"
#include "sidecar/startup/run.hpp"
#include "sidecar/util/exit_code.hpp"
#include "sidecar/util/logging.hpp"
#include "sidecar/util/moment.hpp"

namespace {

using namespace pushsync;

// A --since/--before value: RFC 3339 or a span back from now ("2h").
std::string moment_option(const std::string& value, const char* option) {
  if (value.empty()) return value;
  auto moment = parse_moment(value, std::chrono::system_clock::now());
  if (!moment) throw CLI::ValidationError(option, "\"" + value + "\" is neither an RFC 3339 time nor a span like 2h or 7d");
  return *moment;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a dropped connection is an error code, not a crash
  setup_logging("info", "text");

  CLI::App app{"pushsync: row changes in PostgreSQL become push-to-sync notifications"};
  app.set_version_flag("--version", std::string("pushsync ") + PUSHSYNC_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough();
  cli::Options options;
  if (const char* env = std::getenv("PUSHSYNC_CONFIG")) options.config_file = env;
  app.add_option("-c,--config", options.config_file, "config file (default: $PUSHSYNC_CONFIG or pushsync.yaml)");
  app.add_option("--log-format", options.log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  auto* run = app.add_subcommand("run", "run the sidecar (the default command)");
  auto* migrate = app.add_subcommand("migrate", "install or upgrade the schema and triggers (idempotent)");
  auto* sql = app.add_subcommand("sql", "print the DDL migrate would run, for review");
  auto* check = app.add_subcommand("check", "validate the config against the live database");
  auto* send = app.add_subcommand("send", "queue a one-off push to devices by tag or installation id");
  auto* dead = app.add_subcommand("dead-letters", "list, retry or purge the pushes given up on");
  dead->require_subcommand(1);
  cli::DeadLetterOptions dead_options;
  auto* dead_list = dead->add_subcommand("list", "show dead letters, oldest first");
  dead_list->add_option("--since", dead_options.since, "failed at or after: RFC 3339, or a span back like 2h, 7d");
  dead_list->add_option("--table", dead_options.table, "only this table (its tables: key or bare name)");
  dead_list->add_option("--reason", dead_options.reason, "only reasons containing this text");
  dead_list->add_option("--limit", dead_options.limit, "at most this many (default 1000)")->check(CLI::Range(1, 1000000));
  dead_list->add_flag("--json", dead_options.json, "one JSON object per line");
  auto* dead_retry = dead->add_subcommand("retry", "send dead letters again, each to its installation");
  dead_retry->add_option("ids", dead_options.ids, "dead letter ids");
  dead_retry->add_flag("--all", dead_options.all, "every dead letter (narrowed by --since)");
  dead_retry->add_option("--since", dead_options.since, "with --all: failed at or after this");
  auto* dead_purge = dead->add_subcommand("purge", "delete dead letters that failed before a time");
  dead_purge->add_option("--before", dead_options.before, "RFC 3339, or a span back like 30d")->required();
  auto* probe = app.add_subcommand("probe", "exit 0 if the local sidecar's /healthz (--ready: /readyz) answers 200");
  bool probe_ready = false;
  std::string probe_address;
  probe->add_flag("--ready", probe_ready, "ask /readyz: migrations applied, database and providers usable");
  probe->add_option("--address", probe_address, "host:port to ask (default: the config's http.listen)");
  auto* vapid = app.add_subcommand("vapid-keys", "generate a VAPID key pair for Web Push (webpush section)");
  std::string vapid_out = "vapid-private.pem";
  vapid->add_option("--out", vapid_out, "where to write the private key (default: vapid-private.pem; never overwritten)");
  cli::SendOptions send_options;
  send->add_option("--tag", send_options.tags, "tag to push to (repeatable)");
  send->add_option("--installation", send_options.installations, "installation id to push to (repeatable)");
  send->add_option("--alert", send_options.alert, "alert text (default: a silent push)");
  send->add_option("--data", send_options.data, "JSON object of extra fields");

  try {
    app.parse(argc, argv);
    dead_options.since = moment_option(dead_options.since, "--since");
    dead_options.before = moment_option(dead_options.before, "--before");
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }

  try {
    if (*migrate) return cli::command_migrate(options);
    if (*sql) return cli::command_sql(options);
    if (*check) return cli::command_check(options);
    if (*send) return cli::command_send(options, send_options);
    if (*probe) return cli::command_probe(options, probe_address, probe_ready);
    if (*vapid) return cli::vapid_keys(vapid_out, std::cout, std::cerr);
    if (*dead) {
      using Action = cli::DeadLetterAction;
      return cli::command_dead_letters(
          options, *dead_list ? Action::list : *dead_retry ? Action::retry : Action::purge, dead_options);
    }
    (void)run;
    return startup::run(cli::load(options),
                        [&options] { return config::load_config(options.config_file, config::process_env()); });
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return exit_runtime;
  }
}
