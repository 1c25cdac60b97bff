#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/dbtransaction>

#include "sidecar/model/backlog.hpp"
#include "sidecar/model/change.hpp"
#include "sidecar/model/duration.hpp"

namespace pushsync::db {

// What to write back once a batch's pushes have answers.
struct Settlement {
  struct Retry {
    ChangeId change_id;
    Duration delay;
  };
  struct DeadLetter {
    ChangeId change_id;
    std::string installation_id;  // empty when the change itself failed
    std::string platform;
    std::string reason;
    nlohmann::json payload;
  };
  struct InvalidToken {
    std::string installation_id;
    std::string reason;
  };

  std::vector<ChangeId> done;          // deleted from the outbox
  std::vector<Retry> retries;          // due again after `delay`, one more attempt counted
  std::vector<Retry> postponed;        // provider down: due after `delay`, no attempt counted
  std::vector<HeldBack> held_back;     // coalesce window: due at `until`, no attempt counted
  std::vector<DeadLetter> dead_letters;
  std::vector<InvalidToken> invalid_tokens;  // installation disabled + feedback row
};

// The outbox queries; every call runs on the database thread.
class Outbox {
 public:
  explicit Outbox(const std::string& schema);

  struct Claim {
    std::vector<Change> changes;
    DbTime now{};  // the database's now() when claiming
  };
  // Claims up to `limit` due changes, oldest first, by locking them in `tx`
  // (FOR UPDATE SKIP LOCKED, so several sidecars share the work). The claim
  // lasts until `tx` ends, and at most `lease` of it idle: settle in the
  // same transaction and commit. attempts counts this claim.
  Claim claim(pqxx::dbtransaction& tx, int limit, Duration lease) const;

  // Marks the listener asleep, so that the next writer clears the mark and
  // sends one NOTIFY, then says whether anything became due meanwhile (the
  // caller must not sleep then). wake_up clears the mark itself.
  bool fall_asleep(pqxx::connection& conn) const;
  void wake_up(pqxx::connection& conn) const;

  // Writes the settlement in the claim's transaction; the caller commits.
  void settle(pqxx::dbtransaction& tx, const Settlement& settlement) const;

  // Queues a direct push ({tags, alert, sound, badge, data}) and wakes the
  // sidecars; it then goes through routing and delivery like any change.
  ChangeId enqueue_push(pqxx::connection& conn, const nlohmann::json& push) const;

  Backlog backlog(pqxx::connection& conn) const;

 private:
  std::string schema_;  // quoted
  std::string channel_;  // the NOTIFY channel (the schema name)
  std::string claim_sql_;
};

}  // namespace pushsync::db
