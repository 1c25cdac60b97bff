#include "sidecar/push/ws/ws_hub.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "sidecar/util/eager.hpp"
#include "sidecar/util/same_secret.hpp"
#include "sidecar/util/sha256.hpp"

namespace pushsync::push {

namespace asio = boost::asio;

WsHub::WsHub(const config::Config& config, db::DbPool& api_db, metrics::Metrics& metrics, asio::io_context& io,
             int max_connections)
    : config_(config),
      api_db_(api_db),
      metrics_(metrics),
      executor_(io.get_executor()),
      store_(config.database.schema),
      mailbox_(config.database.schema),
      db_(config.database.url, mailbox_.channel(), io, [this](const db::Notification& n) { notified(n); }),
      acks_(db_, mailbox_, executor_),
      letter_ids_(db_, mailbox_, executor_),
      max_connections_(max_connections),
      read_buffer_(16 * 1024),
      clock_(io) {
  // LISTEN before the first device comes, so the revocation of a secret
  // committed after its admission reaches this hub (a connection lost
  // later is made up for by close_all_revoked).
  auto listen = [](pqxx::connection&) { return true; };
  asio::co_spawn(executor_, db_.run(listen), asio::detached);
  asio::co_spawn(executor_, tick_sessions(), asio::detached);
}

// One clock for every device's pings and timeouts (a timer per device
// cost memory and a wakeup per ping). Each tick visits a tenth of the
// sessions, so each is visited about once a second and a second's pings go
// out in ten small bursts (one of 1,950 pings held pushes for 45 ms). Runs
// until the hub is closed and its last session has ended (which cancels the
// wait, so that a stop does not wait for the next tick).
asio::awaitable<void> WsHub::tick_sessions() {
  constexpr std::size_t slices = 10;
  std::string next;  // the id the next slice starts at (sessions come and go meanwhile)
  while (!closed()) {
    clock_.expires_after(std::chrono::milliseconds(1000) / slices);
    boost::system::error_code ignored;
    co_await clock_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    const auto now = Clock::now();
    auto it = sessions_.lower_bound(next);
    for (std::size_t n = (sessions_.size() + slices - 1) / slices; n > 0; --n, ++it) {
      if (it == sessions_.end()) it = sessions_.begin();
      it->second.session->tick(now);
    }
    next = it == sessions_.end() ? std::string() : it->first;
  }
}

asio::awaitable<WsDevices::Admission> WsHub::admit(const std::string& installation_id,
                                                  const std::string& channel_secret) {
  if (closing_) co_return Admission::closing;
  auto read = [this, installation_id](pqxx::connection& conn) {
    return store_.channel_secret_sha256(conn, installation_id);
  };
  auto stored = co_await api_db_.run(read);
  if (!stored || !same_secret(sha256_hex(channel_secret), *stored)) co_return Admission::refused;
  if (admitted_ >= max_connections_) {
    metrics_.ws_refused();
    co_return Admission::full;
  }
  ++admitted_;
  co_return Admission::admitted;
}

asio::awaitable<void> WsHub::serve(asio::ip::tcp::socket connection, std::string installation_id,
                                   std::string channel_secret) {
  const std::string& id = installation_id;
  auto session = std::make_shared<WsSession>(std::move(connection), id, config_, db_, mailbox_, acks_, read_buffer_);
  auto& slot = sessions_[id];
  if (slot.session) slot.session->close();  // replaced by this connection
  slot = {session, sha256_hex(channel_secret)};
  metrics_.ws_connected();
  co_await session->run();
  metrics_.ws_disconnected();
  --admitted_;
  if (auto it = sessions_.find(id); it != sessions_.end() && it->second.session == session) sessions_.erase(it);
  if (closed()) clock_.cancel();  // the last one: the clock stops now, not in a second
}

// Letters are numbered first (from ids drawn ahead) and handed to the
// devices connected here at once, while they are stored: a device reads its
// frame while the INSERT runs. Its acknowledgement's DELETE runs after that
// INSERT (one database thread, in order), and a session catching up reads
// the mailbox after it too. Should storing fail, the push is retried: the device may then get
// it twice, as after a crash.
asio::awaitable<void> WsHub::store(std::vector<Letter> letters, Duration ttl, bool sweep) {
  co_await letter_ids_.number(letters);
  auto put = [this, &letters, ttl, sweep](pqxx::connection& conn) {
    mailbox_.put(conn, letters, ttl);
    if (sweep) mailbox_.expire(conn);
    return true;
  };
  Eager<bool> stored(executor_, db_.run(put));
  co_await asio::post(executor_, asio::use_awaitable);  // the INSERT is queued on the thread before any frame is written
  deliver(letters);
  co_await stored.get();
}

void WsHub::deliver(const std::vector<Letter>& letters) {
  for (const auto& letter : letters)
    if (auto it = sessions_.find(letter.installation_id); it != sessions_.end()) it->second.session->deliver(letter);
}

// Another sidecar stored letters with ids in the notified range: fetch them
// once for every device connected here.
void WsHub::notified(const db::Notification& notification) {
  if (notification.from_this_connection || sessions_.empty()) return;
  if (notification.connection_lost) {
    recheck_all();
    asio::co_spawn(executor_, close_all_revoked(), asio::detached);
    return;
  }
  if (auto revocation = db::WsRevocation::parse(notification.payload)) return close_if_revoked(*revocation);
  std::int64_t first = 0;
  std::int64_t last = 0;
  if (!db::WsMailbox::parse_range(notification.payload, first, last)) return;
  if (notified_range_) {
    first = std::min(first, notified_range_->first);
    last = std::max(last, notified_range_->second);
  }
  notified_range_ = {first, last};
  if (fetching_) return;
  fetching_ = true;
  asio::co_spawn(executor_, fetch_notified(), asio::detached);
}

asio::awaitable<void> WsHub::fetch_notified() {
  while (notified_range_) {
    auto [first, last] = *notified_range_;
    notified_range_.reset();
    std::vector<Letter> letters;
    std::string error;
    try {
      auto read = [this, first = first, last = last](pqxx::connection& conn) { return mailbox_.range(conn, first, last); };
      letters = co_await db_.run(read);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      spdlog::warn("ws: cannot read the letters another sidecar stored: {}; every device here reads its mailbox",
                   error);
      recheck_all();
      continue;
    }
    deliver(letters);
  }
  fetching_ = false;
}

void WsHub::recheck_all() {
  for (auto& [id, connected] : sessions_) connected.session->recheck();
}

// Only the connection made with the revoked secret: the device may already
// have reconnected with the new one.
void WsHub::close_if_revoked(const db::WsRevocation& revocation) {
  auto it = sessions_.find(revocation.installation_id);
  if (it != sessions_.end() && it->second.secret_sha256 == revocation.secret_sha256) it->second.session->close();
}

// While the LISTEN connection was down, revocations were not heard: each
// connected device's secret is looked up again.
asio::awaitable<void> WsHub::close_all_revoked() {
  std::vector<std::string> ids;
  for (const auto& [id, connected] : sessions_) ids.push_back(id);
  auto read = [this, ids](pqxx::connection& conn) { return store_.channel_secrets_sha256(conn, ids); };
  try {
    auto valid = co_await api_db_.run(read);
    for (const auto& id : ids) {
      auto connected = sessions_.find(id);
      if (connected == sessions_.end()) continue;  // gone meanwhile
      auto secret = valid.find(id);
      if (secret == valid.end() || secret->second != connected->second.secret_sha256) connected->second.session->close();
    }
  } catch (const std::exception& e) {
    spdlog::warn("ws: cannot look up the connected devices' secrets again: {}", e.what());
  }
}

void WsHub::close_all() {
  closing_ = true;
  for (auto& [id, connected] : sessions_) connected.session->close();
  if (closed()) clock_.cancel();
}

}  // namespace pushsync::push
