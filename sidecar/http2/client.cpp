#include "sidecar/http2/client.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace pushsync::http2 {

namespace asio = boost::asio;

namespace {

// A request refused unprocessed is resent at most this many more times
// within one send(); after that it is the caller's retry.
constexpr int max_resends = 2;

}  // namespace

Client::Client(asio::any_io_executor ex, asio::ssl::context tls, ClientOptions options)
    : ex_(std::move(ex)),
      tls_(std::move(tls)),
      options_(std::move(options)),
      slots_(static_cast<std::size_t>(std::max(1, options_.connections))),
      reconnect_(std::chrono::milliseconds(200), std::chrono::seconds(30)) {}

Client::~Client() { close(); }

void Client::close() {
  for (auto& slot : slots_)
    if (slot.connection) slot.connection->close("client stopped");
}

std::size_t Client::open_connections() const {
  return static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& slot) {
    return slot.connection && slot.connection->accepting();
  }));
}

asio::awaitable<void> Client::connect_idle_slots() {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& slot = slots_[i];
    if (slot.connecting || (slot.connection && slot.connection->accepting())) continue;
    if (std::chrono::steady_clock::now() < slot.retry_at) continue;
    slot.connecting = true;
    auto connection = std::make_shared<Connection>(ex_, tls_, options_.endpoint, options_.ping_interval);
    std::string error;
    try {
      co_await connection->open(options_.request_timeout);
    } catch (const std::exception& e) {
      error = e.what();
    }
    slot.connecting = false;
    if (error.empty()) {
      if (slot.failures > 0) spdlog::info("{}: connected to {} again", options_.name, options_.endpoint.authority());
      slot.connection = std::move(connection);
      slot.failures = 0;
    } else {
      slot.last_error = error;
      auto delay = reconnect_.delay(++slot.failures);
      slot.retry_at = std::chrono::steady_clock::now() + delay;
      spdlog::warn("{}: {} (connection {}, next try in {} ms)", options_.name, error, i + 1, delay.count());
    }
  }
}

Connection* Client::pick() {
  Connection* least_loaded = nullptr;
  for (auto& slot : slots_) {
    auto* c = slot.connection.get();
    if (!c || !c->accepting()) continue;
    if (c->has_free_stream()) return c;
    if (!least_loaded || c->load() < least_loaded->load()) least_loaded = c;
  }
  return least_loaded;  // every one is full: nghttp2 queues the stream
}

asio::awaitable<std::vector<Result>> Client::send(std::vector<Request> requests) {
  std::vector<SharedRequest> shared;
  shared.reserve(requests.size());
  for (auto& request : requests) shared.push_back(std::make_shared<const Request>(std::move(request)));
  std::vector<Result> results(shared.size(), Result::failed(Failure::refused));
  std::vector<std::size_t> todo(shared.size());
  for (std::size_t i = 0; i < todo.size(); ++i) todo[i] = i;

  for (int round = 0; round <= max_resends && !todo.empty(); ++round) {
    co_await connect_idle_slots();
    std::vector<std::pair<std::size_t, std::shared_ptr<Connection>>> owners;
    std::vector<std::shared_ptr<Pending>> pendings;
    for (auto i : todo) {
      auto* connection = pick();
      if (!connection) {
        results[i] = Result::failed(Failure::connect_failed, slots_.front().last_error);
        continue;
      }
      owners.emplace_back(i, connection->shared_from_this());
      pendings.push_back(connection->submit(shared[i], options_.request_timeout));
    }
    todo.clear();
    for (std::size_t k = 0; k < pendings.size(); ++k) {
      auto& [i, connection] = owners[k];
      results[i] = co_await connection->wait(*pendings[k]);
      if (!results[i].response && results[i].failure == Failure::refused) todo.push_back(i);
    }
  }
  co_return results;
}

}  // namespace pushsync::http2
