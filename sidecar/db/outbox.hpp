#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/dbtransaction>

#include "sidecar/model/backlog.hpp"
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
};

// The outbox queries; every call runs on a database thread.
class Outbox {
 public:
  explicit Outbox(const std::string& schema);

  struct Limits {
    int changes;     // outbox rows to lock
    int rows;        // rows of those changes to read (statements are read a slice at a time)
    int retries;     // due deliveries to lock
    Duration lease;  // how long the claim may sit idle
  };
  struct Claim {
    std::vector<Change> changes;  // oldest first
    std::vector<Push> retries;    // due deliveries; target.id "" when the installation is gone or disabled
    bool deliveries_waiting = false;  // deliveries exist (due or not): fresh pushes may have to fold
    DbTime now{};                 // the database's now() when claiming
  };
  // Claims due changes and deliveries, oldest first, by locking them in `tx`
  // (FOR UPDATE SKIP LOCKED, so several sidecars share the work). The claim
  // lasts until `tx` ends, and at most `lease` of it idle: settle in the
  // same transaction and commit.
  Claim claim(pqxx::dbtransaction& tx, const Limits& limits) const;

  // The waiting deliveries of these pushes' (installation, record), locked
  // (waiting for a batch in flight that holds them); by (installation, record).
  std::map<std::pair<std::string, std::string>, DeliveryId> lock_waiting(pqxx::dbtransaction& tx,
                                                                         const std::vector<Push>& pushes) const;

  // Writes the settlement in the claim's transaction; the caller commits.
  void settle(pqxx::dbtransaction& tx, const Settlement& settlement) const;

  // Queues a direct push ({tags, alert, sound, badge, data}) and wakes the
  // sidecars; it then goes through routing and delivery like any change.
  ChangeId enqueue_push(pqxx::connection& conn, const nlohmann::json& push) const;

  Backlog backlog(pqxx::connection& conn) const;

 private:
  std::vector<Change> claim_changes(pqxx::dbtransaction& tx, const Limits& limits, Claim& claim) const;
  void keep_only(pqxx::dbtransaction& tx, std::vector<Change>& taken) const;
  void read_statement_rows(pqxx::dbtransaction& tx, std::vector<Change>& changes,
                           const std::map<ChangeId, int>& takes) const;
  std::vector<Push> claim_retries(pqxx::dbtransaction& tx, int limit) const;
  void write_retries(pqxx::dbtransaction& tx, const Settlement& s) const;

  std::string schema_;       // quoted
  std::string schema_name_;  // as configured
};

}  // namespace pushsync::db
