#include "sidecar/route/recent_pushes.hpp"

namespace pushsync::route {

std::optional<DbTime> RecentPushes::hold_back(const std::pair<std::string, std::string>& record, DbTime now) {
  forget_older_than(now - window_);
  auto it = last_push_.find(record);
  if (it == last_push_.end() || it->second + window_ <= now) return std::nullopt;
  return it->second + window_;
}

void RecentPushes::pushed(std::pair<std::string, std::string> record, DbTime now) {
  if (window_ <= Duration::zero()) return;
  last_push_[record] = now;
  order_.emplace_back(now, std::move(record));
}

void RecentPushes::forget_older_than(DbTime limit) {
  while (!order_.empty() && order_.front().first <= limit) {
    auto it = last_push_.find(order_.front().second);
    if (it != last_push_.end() && it->second == order_.front().first) last_push_.erase(it);
    order_.pop_front();
  }
}

}  // namespace pushsync::route
