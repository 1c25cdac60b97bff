#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/model/change.hpp"
#include "sidecar/model/duration.hpp"
#include "sidecar/model/push.hpp"

namespace pushsync::db {

// What to write back once a batch's pushes have answers. A push is settled
// on its own: accepted ones are done, the others wait in deliveries.
struct Settlement {
  struct Progress {
    ChangeId change_id;
    FanoutCursor cursor;
  };
  // A push that waits in deliveries: a new row, or its existing one
  // (origin.delivery) due again.
  struct Retry {
    std::string installation_id;
    PushOrigin origin;
    nlohmann::json document;  // route::push_document
    Duration delay;
    int attempts;             // counted so far, this one included when it counts
    std::string reason;
  };
  // A waiting push whose payload becomes a newer change's.
  struct Fold {
    DeliveryId delivery;
    PushOrigin origin;
    nlohmann::json document;
  };
  struct DeadLetter {
    ChangeId change_id;
    std::string table_key;
    std::string op;
    std::string row_id;
    DbTime changed_at;
    std::string installation_id;  // empty when the change itself failed
    std::string platform;
    std::string reason;
    nlohmann::json payload;  // what the device would have seen (null when no push was built)
    nlohmann::json push;     // route::push_document, for `dead-letters retry`
    std::string record;      // PushOrigin::record ("" when no push was built)
  };
  // A change read from the capture log that has to wait in db changes:
  // cut (its fan-out goes on from `cursor`) or held back until `until`.
  struct Kept {
    LogPosition position;
    FanoutCursor cursor;
    std::optional<DbTime> until;
  };
  // How far the capture log is read once this settles.
  using LogProgress = LogState;
  struct InvalidToken {
    std::string installation_id;
    std::string reason;
  };

  std::vector<ChangeId> done;                // changes deleted from the outbox
  std::vector<Progress> progress;            // fan-out goes on from the cursor, due at once
  std::vector<HeldBack> held_back;           // coalesce window: due at `until`
  std::vector<DeliveryId> delivered;         // delivery rows that are done (or gone)
  std::vector<Retry> retries;
  std::vector<Fold> folds;
  std::vector<DeadLetter> dead_letters;
  std::vector<InvalidToken> invalid_tokens;  // installation disabled + feedback row
  std::vector<Kept> kept;                    // log changes that wait in changes
  std::optional<LogProgress> log;            // unchanged when empty
  bool truncate_log = false;                 // and empty the log if it is all read (the caller's pace)
};

}  // namespace pushsync::db
