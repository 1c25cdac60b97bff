#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sidecar/config/config.hpp"
#include "sidecar/model/change.hpp"
#include "sidecar/model/push.hpp"
#include "sidecar/route/directory.hpp"
#include "sidecar/route/recent_pushes.hpp"

namespace pushsync::route {

// What became of a claimed change in this batch.
struct ChangeFate {
  enum class Kind {
    done,        // every row reached every device: delete it
    cut,         // the push budget ran out inside it: continue at `cursor`
    held_back,   // pushed too recently: due again at `until`
    deferred,    // not looked at this time (after a cut): left as it was
    unroutable,  // can never be delivered (`reason`): dead letter
  };
  Kind kind = Kind::deferred;
  FanoutCursor cursor;
  DbTime until{};
  std::string reason;
};

// A row whose audience could not be found (tags_sql failed): dead letter.
struct UnroutableRow {
  std::size_t change;  // index in RoutedBatch::changes
  std::size_t row;     // index in that change's rows
  std::string reason;
};

// A fresh push for a device that already has a push of the same record
// waiting to be retried: it is not sent now, it becomes that waiting push's
// payload, so the device gets the newest state, once, when the retry is due.
struct Fold {
  DeliveryId delivery;
  Push push;
};

struct RoutedBatch {
  std::vector<Change> changes;
  std::vector<ChangeFate> fates;              // one per change
  std::vector<Push> pushes;                   // one per (device, record): retries first, then fresh ones
  std::vector<UnroutableRow> unroutable_rows;
  std::vector<Fold> folds;
  std::vector<DeliveryId> stale;              // retries whose installation is gone or disabled
  std::size_t rows_routed = 0;                // rows whose fan-out was looked at (metrics)
  bool cut = false;                           // some change was cut or deferred: settle before claiming again
  DbTime claimed_at{};                        // the database's now() at the claim
  std::optional<LogWindow> log_window;        // the capture log window the claim read, if it read one

  bool empty() const { return changes.empty() && pushes.empty() && stale.empty(); }
};

// Claimed changes and retries -> pushes, holding at most `push_budget`
// pushes: tags from each row's old and new values (so an owner change
// reaches both owners), constant tags, tags_sql; one directory lookup per
// batch, reading each audience from where its fan-out stopped; drops the
// originator's own device; coalesces changes of one record for one device
// into one push (the newest), retries included; holds back records pushed
// less than coalesce_window ago. When the budget runs out inside a change,
// that change is cut (its cursor says where to go on) and the changes
// after it are deferred.
class Router {
 public:
  explicit Router(const config::Config& config) : config_(config), recent_(config.delivery.coalesce_window) {}
  // `retries` are claimed deliveries (origin.delivery set; a target with an
  // empty id means the installation is gone). `now` is the database's time
  // of the claim.
  RoutedBatch route(std::vector<Change> changes, std::vector<Push> retries, Directory& directory, DbTime now,
                    int push_budget);

 private:
  struct Audiences;
  struct Addressed;
  std::vector<Addressed> address(RoutedBatch& batch, Directory& directory, DbTime now, Audiences& audiences);
  // Tags a row is addressed to, from both row images (so an owner change
  // reaches the old and the new owner) and the table's constant tags.
  std::vector<std::string> tags_of(const RowChange& row, const config::TableConfig& table,
                                   Directory& directory) const;

  const config::Config& config_;
  RecentPushes recent_;
};

// Moves the fresh pushes whose (installation, record) already waits in
// `pending` (delivery ids by installation and record) into batch.folds.
void fold_into_pending(RoutedBatch& batch, const std::map<std::pair<std::string, std::string>, DeliveryId>& pending);

}  // namespace pushsync::route
