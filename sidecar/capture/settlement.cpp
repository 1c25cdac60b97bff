#include "sidecar/capture/settlement.hpp"

#include <map>
#include <set>


namespace pushsync::capture {

namespace {

nlohmann::json payload_of(const Push& push) { return nlohmann::json::parse(push.fields.dump()); }

// Per change, the answer that asks to wait longest.
void keep_longest_wait(std::map<ChangeId, const push::Outcome*>& of, ChangeId id, const push::Outcome& outcome) {
  auto [it, fresh] = of.try_emplace(id, &outcome);
  if (!fresh && it->second->retry_after < outcome.retry_after) it->second = &outcome;
}

}  // namespace

db::Settlement settle(const route::RoutedBatch& batch, const std::vector<push::Outcome>& outcomes, int max_attempts,
                      Backoff& backoff) {
  db::Settlement s;
  std::map<ChangeId, const push::Outcome*> retry_of;  // strongest retry answer per change
  std::map<ChangeId, const push::Outcome*> down_of;   // same, for providers that cannot send
  std::map<ChangeId, std::vector<std::size_t>> dead_pushes;
  for (const auto& u : batch.unroutable) s.dead_letters.push_back({u.change_id, "", "", u.reason, nullptr});
  for (std::size_t i = 0; i < batch.pushes.size(); ++i) {
    const Push& push = batch.pushes[i];
    const push::Outcome& outcome = outcomes.at(i);
    for (ChangeId id : push.change_ids) {
      switch (outcome.kind) {
        case push::Outcome::Kind::accepted: break;
        case push::Outcome::Kind::invalid_token:
          s.invalid_tokens.push_back({push.target.id, outcome.reason});
          break;
        case push::Outcome::Kind::dead:
          dead_pushes[id].push_back(i);
          break;
        case push::Outcome::Kind::retry:
          keep_longest_wait(retry_of, id, outcome);
          break;
        case push::Outcome::Kind::provider_down:
          keep_longest_wait(down_of, id, outcome);
          break;
      }
    }
  }
  s.held_back = batch.held_back;
  std::set<ChangeId> held;
  for (const auto& h : batch.held_back) held.insert(h.change_id);
  for (const auto& change : batch.changes) {
    if (held.count(change.id)) continue;
    auto retry = retry_of.find(change.id);
    auto down = down_of.find(change.id);
    if (retry == retry_of.end() && down != down_of.end()) {
      s.postponed.push_back({change.id, down->second->retry_after});
      continue;
    }
    if (retry != retry_of.end() && change.attempts < max_attempts) {
      s.retries.push_back({change.id, std::max(retry->second->retry_after, backoff.delay(change.attempts))});
      continue;
    }
    if (retry != retry_of.end())
      s.dead_letters.push_back({change.id, "", "", "max_attempts: " + retry->second->reason, nullptr});
    for (auto i : dead_pushes[change.id]) {
      const Push& push = batch.pushes[i];
      s.dead_letters.push_back(
          {change.id, push.target.id, std::string(to_string(push.target.platform)), outcomes[i].reason, payload_of(push)});
    }
    s.done.push_back(change.id);
  }
  return s;
}

}  // namespace pushsync::capture
