#include "sidecar/push/provider_set.hpp"

#include <algorithm>

#include <boost/asio/this_coro.hpp>

#include "sidecar/push/wire_format.hpp"
#include "sidecar/util/eager.hpp"

namespace pushsync::push {

void ProviderSet::add(Platform platform, std::shared_ptr<Provider> provider) {
  providers_[platform] = std::move(provider);
}

void ProviderSet::close() {
  for (auto& [platform, provider] : providers_) provider->close();
}

boost::asio::awaitable<std::vector<Outcome>> ProviderSet::send(std::vector<Push>& pushes) {
  // Sendable pushes first, grouped by platform; refused ones at the end
  // (a push too large even trimmed is left without a body).
  fit_all_to_limit(pushes, ttl_);
  auto sendable = [this](const Push& p) { return providers_.count(p.target.platform) && !p.body.empty(); };
  auto refused = std::stable_partition(pushes.begin(), pushes.end(), sendable);
  std::stable_sort(pushes.begin(), refused,
                   [](const Push& a, const Push& b) { return a.target.platform < b.target.platform; });
  // Each platform's provider sends at once: one that is slow or down
  // delays only its own pushes.
  auto executor = co_await boost::asio::this_coro::executor;
  std::vector<std::pair<std::span<const Push>, Eager<std::vector<Outcome>>>> groups;
  for (auto group = pushes.begin(); group != refused;) {
    auto end = std::find_if(group, refused, [&](const Push& p) { return p.target.platform != group->target.platform; });
    std::span<const Push> members(&*group, static_cast<std::size_t>(end - group));
    groups.emplace_back(members, Eager<std::vector<Outcome>>(executor, providers_.at(group->target.platform)->send(members)));
    group = end;
  }
  std::vector<Outcome> outcomes;
  outcomes.reserve(pushes.size());
  for (auto& [members, sending] : groups) {
    auto answers = co_await sending.get();
    for (std::size_t k = 0; k < members.size(); ++k)
      outcomes.push_back(k < answers.size() ? answers[k] : Outcome::retry("provider gave no answer"));
  }
  for (auto it = refused; it != pushes.end(); ++it)
    outcomes.push_back(Outcome::dead(providers_.count(it->target.platform) ? "payload_too_large"
                                                                           : "provider_not_configured"));
  co_return outcomes;
}

std::vector<ProviderSet::State> ProviderSet::states() const {
  std::vector<State> out;
  for (const auto& [platform, provider] : providers_)
    out.push_back({platform, provider->healthy(), provider->connections()});
  return out;
}

}  // namespace pushsync::push
