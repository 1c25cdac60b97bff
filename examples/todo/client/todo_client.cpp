// A to-do app's device, simulated: registers with the pushsync HTTP API as a
// `ws` installation, prints each push it receives, and pulls only the record
// the push names (here straight from the database; a real app would call its
// own API, e.g. GET /todo_items/7). It acknowledges every push.
//
//   todo-client --api 127.0.0.1:8080 --token T --installation ann-phone
//               --tag _email_ann@example.com --db "host=... dbname=..."
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::ordered_json;

struct Options {
  std::string api = "127.0.0.1:8080";
  std::string token;
  std::string installation;
  std::vector<std::string> tags;
  std::string db;
};

asio::ip::tcp::endpoint endpoint_of(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  return {asio::ip::make_address(host_port.substr(0, colon)),
          static_cast<unsigned short>(std::stoi(host_port.substr(colon + 1)))};
}

// PUT /v1/installations/{id} as a ws device; returns the channel secret.
std::string register_device(const Options& o) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(endpoint_of(o.api));
  http::request<http::string_body> request{http::verb::put, "/v1/installations/" + o.installation, 11};
  request.set(http::field::host, o.api);
  request.set(http::field::authorization, "Bearer " + o.token);
  request.set(http::field::content_type, "application/json");
  request.body() = json{{"platform", "ws"}, {"tags", o.tags}}.dump();
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  auto body = json::parse(response.body());
  if (response.result_int() >= 300)
    throw std::runtime_error("registration refused: " + body.value("message", response.body()));
  return body["channelSecret"].get<std::string>();
}

// What the app would fetch from its API: the one record the push names.
std::string pull(pqxx::connection& db, const json& push) {
  pqxx::nontransaction tx(db);
  auto rows = tx.exec_params("SELECT row_to_json(t)::text FROM public." + tx.quote_name(push["table"].get<std::string>()) +
                                 " t WHERE id::text = $1",
                             push["id"].get<std::string>());
  return rows.empty() ? "(gone: deleted on the server)" : rows[0][0].as<std::string>();
}

void handle(const Options& o, pqxx::connection& db, const json& push) {
  json shown = push;
  shown.erase("seq");
  std::cout << o.installation << " <- push " << shown.dump() << "\n";
  if (push.value("orig", "") == o.installation) {
    std::cout << o.installation << "    my own change: nothing to pull\n";
    return;
  }
  if (push.value("message", "") != "PUSH-TO-SYNC") return;  // an alert from the push API
  std::cout << o.installation << "    pulls " << push["table"].get<std::string>() << " " << push["id"].get<std::string>()
            << ": " << pull(db, push) << "\n";
}

int run(const Options& o) {
  std::string secret = register_device(o);
  pqxx::connection db(o.db);
  asio::io_context io;
  beast::websocket::stream<beast::tcp_stream> ws(io);
  beast::get_lowest_layer(ws).connect(endpoint_of(o.api));
  ws.set_option(beast::websocket::stream_base::decorator(
      [&](beast::websocket::request_type& r) { r.set(http::field::authorization, "Bearer " + secret); }));
  ws.handshake(o.api, "/v1/ws?installationId=" + o.installation);
  std::cout << o.installation << " registered (ws, tags";
  for (const auto& t : o.tags) std::cout << " " << t;
  std::cout << ") and listening\n";
  for (;;) {
    beast::flat_buffer buffer;
    ws.read(buffer);
    auto push = json::parse(beast::buffers_to_string(buffer.data()));
    handle(o, db, push);
    ws.write(asio::buffer(json{{"ack", push["seq"]}}.dump()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::signal(SIGTERM, [](int) { _exit(0); });  // output is line-buffered: nothing to flush
  Options o;
  CLI::App app{"a simulated to-do device on the pushsync WebSocket channel"};
  app.add_option("--api", o.api, "pushsync HTTP API host:port");
  app.add_option("--token", o.token, "the API token (to register)")->required();
  app.add_option("--installation", o.installation, "installation id")->required();
  app.add_option("--tag", o.tags, "tag (repeatable)")->required();
  app.add_option("--db", o.db, "database to pull records from")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << o.installation << ": " << e.what() << "\n";
    return 1;
  }
}
