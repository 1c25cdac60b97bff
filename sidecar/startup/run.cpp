#include "sidecar/startup/run.hpp"

#include <csignal>
#include <iostream>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/api/endpoints.hpp"
#include "sidecar/api/http_server.hpp"
#include "sidecar/capture/dispatcher.hpp"
#include "sidecar/capture/wakeup.hpp"
#include "sidecar/config/config_error.hpp"
#include "sidecar/db/db_thread.hpp"
#include "sidecar/push/ws/ws_hub.hpp"
#include "sidecar/startup/database_ready.hpp"
#include "sidecar/startup/providers.hpp"
#include "sidecar/util/exit_code.hpp"
#include "sidecar/util/open_files.hpp"

namespace pushsync::startup {

namespace {

namespace asio = boost::asio;

// The HTTP API and the WebSocket channel, when `http` is configured.
struct HttpParts {
  std::unique_ptr<db::DbPool> db;  // the API's own connections
  std::unique_ptr<push::WsHub> hub;
  api::Routes routes;
  api::Readiness readiness;
  std::unique_ptr<api::ApiContext> context;
  std::unique_ptr<api::ApiTokens> tokens;
  std::unique_ptr<api::HttpServer> server;

  void stop() {
    if (server) server->stop();
    if (hub) hub->close_all();
  }
};

// Every connection (devices, API clients, the database) holds a descriptor.
long raise_and_log_open_files_limit() {
  const auto limit = raise_open_files_limit();
  if (limit.now != limit.before)
    spdlog::info("open files limit raised from {} to {}", limit.before, limit.now);
  else
    spdlog::info("open files limit: {}", limit.now);
  return limit.now;
}

void make_http(HttpParts& http, const config::Config& config, asio::io_context& io, metrics::Metrics& metrics,
               long open_files) {
  http.db = std::make_unique<db::DbPool>(config.database.url, config.http->db_connections, io);
  const bool channel = config.websocket.enabled && !config.delivery.dry_run;
  const auto budget = plan_descriptors(open_files, config.http->max_connections,
                                       channel ? std::optional(config.websocket.max_connections) : std::nullopt);
  for (const auto& problem : budget.problems) spdlog::warn("{}", problem);
  if (channel) {
    spdlog::info("WebSocket channel: at most {} devices", budget.devices);
    http.hub = std::make_unique<push::WsHub>(config, *http.db, metrics, io, budget.devices);
  }
}

void start_http(HttpParts& http, const config::Config& config, asio::io_context& io, metrics::Metrics& metrics,
                const push::ProviderSet& providers) {
  http.context =
      std::make_unique<api::ApiContext>(api::ApiContext{config, *http.db, metrics, providers, http.readiness});
  api::add_installation_routes(http.routes, *http.context);
  api::add_push_routes(http.routes, *http.context);
  api::add_feedback_routes(http.routes, *http.context);
  api::add_dead_letter_routes(http.routes, *http.context);
  api::add_health_routes(http.routes, *http.context);
  api::add_status_routes(http.routes, *http.context);
  if (config.http->console) api::add_console_routes(http.routes);
  if (http.hub) api::add_ws_route(http.routes, *http.hub);
  http.tokens = std::make_unique<api::ApiTokens>(config.http->api_tokens);
  http.server =
      std::make_unique<api::HttpServer>(io, *config.http, *http.tokens, http.routes, http.readiness, metrics);
  http.server->start();
}

// SIGHUP: the configuration is read again and its API tokens replace those
// accepted (a token removed is refused from the next request on). Nothing
// else is changed; a configuration that does not load changes nothing.
void reread_api_tokens_on_hangup(asio::signal_set& hangup, const ConfigSource& reload, HttpParts& http) {
  hangup.async_wait([&hangup, &reload, &http](const boost::system::error_code& ec, int) {
    if (ec) return;
    try {
      auto fresh = reload();
      if (!fresh.http || !http.tokens) {
        spdlog::warn("SIGHUP: the configuration has no http section now; the API tokens in use are kept");
      } else {
        http.tokens->replace(fresh.http->api_tokens);
        spdlog::info("SIGHUP: API tokens read again: {} accepted", http.tokens->size());
      }
    } catch (const std::exception& e) {
      spdlog::error("SIGHUP: the configuration could not be read again; the API tokens in use are kept: {}",
                    e.what());
    }
    reread_api_tokens_on_hangup(hangup, reload, http);
  });
}

}  // namespace

int run(const config::Config& config, const ConfigSource& reload) {
  asio::io_context io;
  // Caught from here until run() has torn everything down: a second SIGTERM
  // while threads are joined must not kill a sidecar that is stopping cleanly.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  capture::Wakeup wakeup(io);
  metrics::Metrics metrics;
  db::DbThread db(config.database.url, config.database.schema, io,
                  [&wakeup](const db::Notification&) { wakeup.notify(); });
  HttpParts http;
  const long open_files = raise_and_log_open_files_limit();
  if (config.http) make_http(http, config, io, metrics, open_files);
  auto providers = make_providers(config, io.get_executor(), http.hub.get());
  capture::ClaimLanes lanes(config.database.url, io);
  capture::Dispatcher dispatcher(config, db, lanes, wakeup, *providers, metrics);
  if (config.http) start_http(http, config, io, metrics, *providers);

  int exit_code = exit_ok;
  bool stopping = false;
  asio::steady_timer deadline(io);
  asio::signal_set hangup(io, SIGHUP);
  reread_api_tokens_on_hangup(hangup, reload, http);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: finishing in-flight work (at most {} ms)", signal, config.shutdown_timeout.count());
    stopping = true;
    dispatcher.stop();
    http.stop();
    deadline.expires_after(config.shutdown_timeout);
    deadline.async_wait([&](const boost::system::error_code& timer_ec) {
      if (timer_ec) return;
      spdlog::warn("shutdown_timeout reached; unsettled changes return to the queue");
      io.stop();
    });
  });

  auto main_loop = [&]() -> asio::awaitable<void> {
    if (co_await database_ready(config, db, wakeup, http.readiness, stopping)) {
      spdlog::info("pushsync {} running: {} table(s), schema {}, {}", PUSHSYNC_VERSION, config.tables.size(),
                   config.database.schema, config.delivery.dry_run ? "dry run" : "sending");
      co_await dispatcher.run();
    }
    providers->close();
  };
  asio::co_spawn(io, main_loop(), [&](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const config::ConfigError& e) {
        std::cerr << e.what() << "\n";
        exit_code = exit_usage;
      } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        exit_code = exit_runtime;
      }
    }
    signals.cancel();
    hangup.cancel();
    deadline.cancel();
    http.stop();
  });
  io.run();
  spdlog::info("pushsync stopped");
  return exit_code;
}

}  // namespace pushsync::startup
