#pragma once

#include "sidecar/api/api_context.hpp"
#include "sidecar/api/routes.hpp"
#include "sidecar/push/ws/ws_devices.hpp"

namespace pushsync::api {

// PUT/GET/DELETE /v1/installations/{id}
void add_installation_routes(Routes& routes, const ApiContext& context);
// POST /v1/push and the RhoConnect-compatible POST /rc/v1/users/ping
void add_push_routes(Routes& routes, const ApiContext& context);
// GET /v1/feedback
void add_feedback_routes(Routes& routes, const ApiContext& context);
// GET|DELETE /v1/dead-letters, POST /v1/dead-letters/retry
void add_dead_letter_routes(Routes& routes, const ApiContext& context);
// GET /healthz, /readyz, /metrics
void add_health_routes(Routes& routes, const ApiContext& context);
// GET /v1/status, /v1/status/installations/{id}: what the console shows
void add_status_routes(Routes& routes, const ApiContext& context);
// GET /console and its files (static, embedded; their data is /v1/status's)
void add_console_routes(Routes& routes);
// GET /v1/ws: the WebSocket channel's handshake, handed to `devices`
void add_ws_route(Routes& routes, push::WsDevices& devices);

}  // namespace pushsync::api
