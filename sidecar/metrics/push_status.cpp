#include "sidecar/metrics/push_status.hpp"

namespace pushsync::metrics {

namespace {

bool provider_failed(std::string_view outcome) { return outcome != "accepted" && outcome != "invalid_token"; }

}  // namespace

void PushStatus::record(const SentPush& push, WallTime at) {
  auto it = platforms_.find(push.platform);
  if (it == platforms_.end()) it = platforms_.emplace(std::string(push.platform), Platform{}).first;
  Platform& platform = it->second;
  if (push.outcome == "accepted") {
    platform.failing_since.reset();
    platform.last_accepted_at = at;
  } else if (provider_failed(push.outcome)) {
    if (!platform.failing_since) platform.failing_since = at;
    platform.last_error.assign(push.reason);
    platform.last_error_at = at;
  }
  if (capacity_ == 0) return;
  Remembered remembered{std::string(push.installation), std::string(push.platform), std::string(push.record),
                        std::string(push.outcome), std::string(push.reason), at};
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(remembered));
  } else {
    ring_[next_] = std::move(remembered);
  }
  next_ = (next_ + 1) % capacity_;
}

std::vector<PushStatus::Remembered> PushStatus::sent_to(std::string_view installation) const {
  std::vector<Remembered> out;
  for (std::size_t k = 0; k < ring_.size(); ++k) {
    const auto& r = ring_[(next_ + ring_.size() - 1 - k) % ring_.size()];
    if (r.installation == installation) out.push_back(r);
  }
  return out;
}

}  // namespace pushsync::metrics
