#pragma once

#include <string>
#include <vector>

#include "sidecar/config/config.hpp"
#include "sidecar/model/change.hpp"
#include "sidecar/model/push.hpp"
#include "sidecar/route/directory.hpp"

namespace pushsync::route {

struct Unroutable {
  ChangeId change_id;
  std::string reason;
};

struct RoutedBatch {
  std::vector<Change> changes;
  std::vector<Push> pushes;             // one per (device, table, row) in the batch
  std::vector<Unroutable> unroutable;   // changes that cannot be delivered at all
};

// Change -> tags (old and new values) -> installations, with one directory
// lookup per batch; drops the originator's own device and coalesces changes
// of the same record for the same device into one push.
class Router {
 public:
  explicit Router(const config::Config& config) : config_(config) {}
  RoutedBatch route(std::vector<Change> changes, Directory& directory) const;

  // Tags a change is addressed to, from both row images (so an owner change
  // reaches the old and the new owner). Public for tests.
  std::vector<std::string> tags_of(const Change& change, const config::TableConfig& table, Directory& directory) const;

 private:
  const config::Config& config_;
};

}  // namespace pushsync::route
