#include "sidecar/push/provider_set.hpp"

#include "sidecar/push/wire_format.hpp"

namespace pushsync::push {

void ProviderSet::add(Platform platform, std::shared_ptr<Provider> provider) {
  providers_[platform] = std::move(provider);
}

std::set<Platform> ProviderSet::served() const {
  std::set<Platform> out;
  for (const auto& [platform, provider] : providers_) out.insert(platform);
  return out;
}

boost::asio::awaitable<std::vector<Outcome>> ProviderSet::send(std::vector<Push> pushes) {
  std::vector<Outcome> outcomes(pushes.size());
  std::map<Platform, std::vector<std::size_t>> by_platform;
  for (std::size_t i = 0; i < pushes.size(); ++i) {
    if (!providers_.count(pushes[i].target.platform))
      outcomes[i] = Outcome::dead("provider_not_configured");
    else if (!fit_to_limit(pushes[i], ttl_))
      outcomes[i] = Outcome::dead("payload_too_large");
    else
      by_platform[pushes[i].target.platform].push_back(i);
  }
  for (const auto& [platform, indexes] : by_platform) {
    std::vector<Push> group;
    group.reserve(indexes.size());
    for (auto i : indexes) group.push_back(std::move(pushes[i]));
    auto answers = co_await providers_.at(platform)->send(group);
    for (std::size_t k = 0; k < indexes.size(); ++k)
      outcomes[indexes[k]] = k < answers.size() ? answers[k] : Outcome::retry("provider gave no answer");
  }
  co_return outcomes;
}

}  // namespace pushsync::push
