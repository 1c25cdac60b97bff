#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>

namespace pushsync::db {

// One row of pushsync.dead_letters as people see it; times are RFC 3339.
struct DeadLetterRecord {
  long long id = 0;
  long long change_id = 0;
  std::string table;  // the `tables:` key ("" for a direct push)
  std::string op;
  std::string row_id;
  std::optional<std::string> installation_id;  // none when the change itself could not be routed
  std::optional<std::string> platform;
  std::string reason;
  nlohmann::json payload;  // what the device would have received
  std::string changed_at;
  std::string failed_at;
  bool retryable = false;  // a push to one installation, kept whole

  nlohmann::json to_json() const;
};

struct DeadLetterQuery {
  std::string since;   // RFC 3339; "" for all
  std::string table;   // the table key or its bare name; "" for all
  std::string reason;  // a part of the reason; "" for all
  int limit = 1000;
  std::string installation;  // one installation's; "" for all
  int offset = 0;            // rows skipped (paging)
  bool newest_first = false;
};

struct RetryReport {
  std::vector<long long> requeued;       // now waiting in deliveries, due at once
  std::vector<long long> not_retryable;  // no installation or no push to send again
  std::vector<long long> not_found;
};

// Acting on dead letters (`pushsync dead-letters`, /v1/dead-letters); every
// call runs on a database thread.
class DeadLetters {
 public:
  explicit DeadLetters(const std::string& schema);

  std::vector<DeadLetterRecord> list(pqxx::connection& conn, const DeadLetterQuery& query) const;
  // Queues these again as pushes to their installations (the newest of
  // several for one device and record) and removes them from dead_letters,
  // in one transaction; the sidecar is woken.
  RetryReport retry(pqxx::connection& conn, const std::vector<long long>& ids) const;
  // The same for every dead letter failed at or after `since` ("" for all),
  // 1,000 at a time (a transaction each, oldest id first); `progress` is
  // told after each how many of how many are done.
  using RetryProgress = std::function<void(long long done, long long total)>;
  RetryReport retry_all(pqxx::connection& conn, const std::string& since, const RetryProgress& progress = {}) const;
  // Deletes those failed before `before`; returns how many.
  long long purge(pqxx::connection& conn, const std::string& before) const;

 private:
  RetryReport requeue(pqxx::connection& conn, const std::string& which, const std::string& argument,
                      const std::vector<long long>& asked) const;

  std::string schema_;  // quoted
  std::string schema_name_;
};

}  // namespace pushsync::db
