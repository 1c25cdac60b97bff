#pragma once

#include <string>

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace pushsync::db {

// How writers wake a sidecar sleeping on LISTEN without paying for NOTIFY
// (which serializes commits) while it is awake. A sleeping sidecar holds an
// advisory lock exclusively; a writer asks for it shared without waiting
// (triggers/capture.sql). Refused, it clears the unlogged flag
// `<schema>.listener` through SKIP LOCKED and, if it was the one to clear
// it, sends the one NOTIFY of this sleep.

// The lock's key as SQL arguments, "<pushsync>, <hash of the schema name>":
// rendered into the triggers, so writers pass constants.
std::string wake_lock_arguments(const std::string& schema);

// The writer's side, for changes queued by the sidecar itself (direct
// pushes, dead letters sent again): NOTIFY in `tx` if a sidecar sleeps.
void wake_sleeping_sidecar(pqxx::transaction_base& tx, const std::string& schema);

// The sidecar's side, on the connection that LISTENs; database thread only.
class Listener {
 public:
  explicit Listener(const std::string& schema);

  enum class Sleep {
    asleep,    // writers will wake us: wait on LISTEN
    due,       // work became due meanwhile: claim it
    restless,  // a writer's transaction holds the lock: its change would not wake us, so poll
  };
  // Sets the flag, takes the lock (or finds another sidecar asleep with it),
  // then looks at the outbox once more: everything committed before the
  // lock was taken is seen now, everything after wakes us.
  Sleep fall_asleep(pqxx::connection& conn) const;
  // Clears the flag and lets the lock go: writers stop notifying.
  void wake_up(pqxx::connection& conn) const;

 private:
  std::string schema_name_;  // as configured
  std::string schema_;       // quoted
};

}  // namespace pushsync::db
