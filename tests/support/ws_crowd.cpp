#include "tests/support/ws_crowd.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/support/wire.hpp"

namespace pushsync::test {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

struct WsCrowd::Connection {
  enum class State { waiting, connecting, handshaking, open, refused };
  Device device;
  std::uint64_t index = 0;  // in connections_, and the poller's tag
  Socket socket;
  State state = State::waiting;
  Clock::time_point deadline;
  std::string in;
  int refused_with = 0;
  std::vector<std::int64_t> seqs;
  std::vector<Clock::time_point> pings;
};

WsCrowd::WsCrowd(int port, const std::vector<Device>& devices, int parallel, std::chrono::milliseconds wait) {
  for (const auto& d : devices) {
    connections_.push_back(std::make_unique<Connection>());
    connections_.back()->device = d;
    connections_.back()->index = connections_.size() - 1;
  }
  thread_ = std::thread([this, port, parallel, wait] { run(port, parallel, wait); });
  std::unique_lock lock(mutex_);
  while (handshakes_ < static_cast<int>(connections_.size())) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lock.lock();
  }
}

WsCrowd::~WsCrowd() { close(); }

void WsCrowd::close() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  for (auto& c : connections_) c->socket.close();
}

void WsCrowd::run(int port, int parallel, std::chrono::milliseconds wait) {
  const int poller = epoll_create1(EPOLL_CLOEXEC);
  std::size_t next = 0;
  epoll_event events[256];
  while (!stop_) {
    {
      std::lock_guard lock(mutex_);
      // Start handshakes while fewer than `parallel` are under way.
      int under_way = static_cast<int>(next) - handshakes_;
      for (; next < connections_.size() && under_way < parallel; ++next, ++under_way) {
        Connection& c = *connections_[next];
        c.socket = Socket::start_connect(port);
        c.deadline = Clock::now() + wait;
        c.state = Connection::State::connecting;
        epoll_event e{EPOLLOUT | EPOLLIN, {.u64 = c.index}};
        if (!c.socket.is_open() || epoll_ctl(poller, EPOLL_CTL_ADD, c.socket.fd(), &e) != 0) give_up(c);
      }
    }
    const int n = epoll_wait(poller, events, 256, 10);
    std::lock_guard lock(mutex_);
    for (int i = 0; i < n; ++i) handle(*connections_[events[i].data.u64], events[i].events, poller);
    for (std::size_t i = 0; i < next; ++i) {
      Connection& c = *connections_[i];
      const bool waiting = c.state == Connection::State::connecting || c.state == Connection::State::handshaking;
      if (waiting && Clock::now() > c.deadline) give_up(c);  // no answer in time
    }
  }
  ::close(poller);
}

void WsCrowd::handle(Connection& c, std::uint32_t events, int poller) {
  using State = Connection::State;
  if (c.state == State::connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(c.socket.fd(), SOL_SOCKET, SO_ERROR, &error, &size);
    const Headers credentials{{"Authorization", "Bearer " + c.device.secret}};
    if (error != 0 || !c.socket.send_all(ws_upgrade(c.device.installation, credentials))) {
      give_up(c);
      return;
    }
    epoll_event e{EPOLLIN, {.u64 = c.index}};  // no longer waiting to write
    epoll_ctl(poller, EPOLL_CTL_MOD, c.socket.fd(), &e);
    c.state = State::handshaking;
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || !c.socket.is_open()) return;
  Socket::Read read = Socket::Read::data;
  while (read == Socket::Read::data) {
    const std::size_t before = c.in.size();
    read = c.socket.read_some(c.in, std::chrono::milliseconds(0));
    if (read == Socket::Read::data && c.in.size() == before) break;  // nothing more for now
  }
  if (c.state == State::handshaking) finish_handshake(c);
  while (c.state == State::open) {
    auto frame = take_server_frame(c.in);
    if (!frame) break;
    if (frame->opcode == ws_ping) {
      c.socket.send_all(ws_client_frame(ws_pong, frame->payload));
      c.pings.push_back(Clock::now());
    }
    if (frame->opcode != ws_text) continue;
    auto message = nlohmann::json::parse(frame->payload, nullptr, false);
    if (!message.is_object() || !message.contains("seq")) continue;
    const auto seq = message["seq"].get<std::int64_t>();
    c.seqs.push_back(seq);
    c.socket.send_all(ws_client_frame(ws_text, "{\"ack\":" + std::to_string(seq) + "}"));
  }
  if (read == Socket::Read::closed && c.socket.is_open()) {  // (a refused handshake's socket is closed already)
    epoll_ctl(poller, EPOLL_CTL_DEL, c.socket.fd(), nullptr);
    if (c.state == State::open)
      c.socket.close();
    else
      give_up(c);  // closed without an answer
  }
}

// A handshake that failed or got no answer in time: refused with no status.
void WsCrowd::give_up(Connection& c) {
  c.state = Connection::State::refused;
  c.socket.close();
  ++handshakes_;
}

// The answer to the upgrade, once its head has come.
void WsCrowd::finish_handshake(Connection& c) {
  auto head = parse_head(c.in);
  if (!head) return;
  c.in.erase(0, head->size);
  ++handshakes_;
  if (head->status == 101 && head->header("Sec-WebSocket-Accept") == ws_accept_for(ws_key)) {
    c.state = Connection::State::open;
    return;
  }
  c.state = Connection::State::refused;
  c.refused_with = head->status;
  c.socket.close();
}

int WsCrowd::connected() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const auto& c : connections_) n += c->state == Connection::State::open ? 1 : 0;
  return n;
}

template <class T>
std::map<std::string, T> WsCrowd::by_device(bool open, T Connection::*field) const {
  std::lock_guard lock(mutex_);
  std::map<std::string, T> out;
  for (const auto& c : connections_)
    if ((c->state == Connection::State::open) == open) out[c->device.installation] = (*c).*field;
  return out;
}

std::map<std::string, int> WsCrowd::refused() const { return by_device(false, &Connection::refused_with); }

std::map<std::string, std::vector<std::int64_t>> WsCrowd::received() const {
  return by_device(true, &Connection::seqs);
}

std::map<std::string, std::vector<Clock::time_point>> WsCrowd::pings() const {
  return by_device(true, &Connection::pings);
}

std::size_t WsCrowd::frames() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& c : connections_) n += c->seqs.size();
  return n;
}

}  // namespace pushsync::test
