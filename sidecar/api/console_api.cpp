// GET /console: the operator's page, and GET /console/{file}: its script and
// style. Static and embedded in the binary (sidecar/api/console/); they hold
// no data, so they are served without the API token: the page asks for it
// and sends it only in the Authorization header of its calls to /v1/status
// and /v1/dead-letters. Every answer carries a policy that lets the page
// load nothing but these files and talk to nothing but this sidecar.
#include <boost/beast/http/verb.hpp>

#include "sidecar/api/console_files.hpp"
#include "sidecar/api/endpoints.hpp"

namespace pushsync::api {

namespace {

using boost::beast::http::verb;

const std::vector<std::pair<std::string, std::string>>& console_headers() {
  static const std::vector<std::pair<std::string, std::string>> headers{
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-cache"},
  };
  return headers;
}

std::string content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

boost::asio::awaitable<Response> serve(std::string name) {
  for (const auto& file : console_files())
    if (file.name == name)
      co_return Response{200, std::string(file.text), content_type(name), console_headers()};
  ApiError missing(404, "not_found", "the console has no file by that name");
  missing.headers = console_headers();
  throw missing;
}

}  // namespace

void add_console_routes(Routes& routes) {
  routes.add("/console", Access::open).methods[verb::get] = [](const Call&) { return serve("index.html"); };
  routes.add("/console/{file}", Access::open).methods[verb::get] = [](const Call& call) {
    return serve(call.param);
  };
}

}  // namespace pushsync::api
