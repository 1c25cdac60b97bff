#pragma once

#include <string>
#include <vector>

#include "sidecar/config/config.hpp"
#include "sidecar/model/change.hpp"
#include "sidecar/model/push.hpp"
#include "sidecar/route/directory.hpp"
#include "sidecar/route/recent_pushes.hpp"

namespace pushsync::route {

struct Unroutable {
  ChangeId change_id;
  std::string reason;
};

struct RoutedBatch {
  std::vector<Change> changes;
  std::vector<Push> pushes;             // one per (device, table, row) in the batch
  std::vector<Unroutable> unroutable;   // changes that cannot be delivered at all
  std::vector<HeldBack> held_back;      // pushed too recently: back to the outbox
  DbTime claimed_at{};                  // the database's now() at the claim
};

// Change -> tags (old and new values) -> installations, with one directory
// lookup per batch; drops the originator's own device, coalesces changes of
// the same record for the same device into one push, and holds back records
// pushed less than coalesce_window ago.
class Router {
 public:
  explicit Router(const config::Config& config) : config_(config), recent_(config.delivery.coalesce_window) {}
  // `now` is the database's time of the claim.
  RoutedBatch route(std::vector<Change> changes, Directory& directory, DbTime now);

 private:
  // Tags a change is addressed to, from both row images (so an owner change
  // reaches the old and the new owner).
  std::vector<std::string> tags_of(const Change& change, const config::TableConfig& table, Directory& directory) const;

  const config::Config& config_;
  RecentPushes recent_;
};

}  // namespace pushsync::route
