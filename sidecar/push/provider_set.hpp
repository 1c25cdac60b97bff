#pragma once

#include <map>
#include <memory>
#include <vector>

#include "sidecar/model/duration.hpp"
#include "sidecar/push/provider.hpp"

namespace pushsync::push {

// Routes each push to its platform's provider, after the size check; a
// platform without a provider answers dead("provider_not_configured").
class ProviderSet {
 public:
  explicit ProviderSet(Duration ttl) : ttl_(ttl) {}
  void add(Platform platform, std::shared_ptr<Provider> provider);
  void close();
  struct State {
    Platform platform;
    bool healthy;  // false while it cannot send at all (auth refused, unreachable)
    std::map<std::string, std::size_t> connections;  // by server
  };
  // Each configured provider, now.
  std::vector<State> states() const;

  // Sends in place: groups `pushes` by platform (stable, so one record's
  // pushes keep their order) and trims those above the size limit; the
  // outcomes follow the new order.
  boost::asio::awaitable<std::vector<Outcome>> send(std::vector<Push>& pushes);

 private:
  Duration ttl_;
  std::map<Platform, std::shared_ptr<Provider>> providers_;
};

}  // namespace pushsync::push
