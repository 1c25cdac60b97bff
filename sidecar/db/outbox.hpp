#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/dbtransaction>
#include <pqxx/result>

#include "sidecar/db/capture_log.hpp"
#include "sidecar/db/change_rows.hpp"
#include "sidecar/db/settlement.hpp"
#include "sidecar/model/backlog.hpp"
#include "sidecar/model/change.hpp"
#include "sidecar/model/duration.hpp"
#include "sidecar/model/push.hpp"

namespace pushsync::db {

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
    std::optional<LogWindow> log_window;  // the capture log window read, if the budget left room for it
  };
  // Claims, in `tx`, waiting changes that are due (db changes, oldest
  // first, row locks), then the next events of the capture log (the
  // reader's lock), and due deliveries (row locks). The claim lasts until
  // `tx` ends, and at most `lease` of it idle: settle in the same
  // transaction and commit. Several sidecars take turns.
  Claim claim(pqxx::dbtransaction& tx, const Limits& limits) const;

  // A claim ahead, while the batch before it is on the wire: waiting
  // changes and the log window that starts `from` (where that batch will
  // leave the log), without the reader's lock, so it can be routed while
  // the batch before is sent. nullopt (undone) when deliveries wait: that
  // batch's settlement may write their rows; claim the usual way then.
  std::optional<Claim> claim_ahead(pqxx::dbtransaction& tx, const Limits& limits, const LogState& from) const;
  // Takes the reader's lock (once the batch before has settled) and says
  // whether the log was left at `from`. If not (that settlement failed, or
  // another sidecar read meanwhile), undo_claim and claim the usual way.
  bool confirm_ahead(pqxx::dbtransaction& tx, const LogState& from) const;
  void undo_claim(pqxx::dbtransaction& tx) const;

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
  Claim read_claim(pqxx::dbtransaction& tx, const Limits& limits, const std::optional<LogState>& from) const;
  void prepare_claim(pqxx::connection_base& conn) const;
  std::vector<Change> claim_changes(pqxx::dbtransaction& tx, const pqxx::result& rows, RowBudget& budget,
                                    Claim& claim) const;
  void keep_only(pqxx::dbtransaction& tx, std::vector<Change>& taken) const;
  std::vector<Push> claim_retries(pqxx::dbtransaction& tx, int limit) const;
  void write_retries(pqxx::dbtransaction& tx, const Settlement& s) const;

  std::string schema_;       // quoted
  std::string schema_name_;  // as configured
  CaptureLog log_;
};

}  // namespace pushsync::db
