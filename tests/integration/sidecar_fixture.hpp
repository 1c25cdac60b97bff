#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_postgres.hpp"

namespace pushsync::test {

// A fresh database with the pushsync schema, three devices, and helpers to
// run a dry-run sidecar against it and read what it would have sent.
class SidecarTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Every sidecar still running must stop cleanly on SIGTERM: a crash or a
  // hang anywhere in a test fails it.
  void TearDown() override;

  // Writes a config: the test database, fast polling, dry run into
  // `pushes_file_`; `delivery_extra` and `database_extra` are added to those
  // sections, `tables` goes under tables:.
  std::string write_config(const std::string& tables, const std::string& delivery_extra = "",
                           const std::string& database_extra = "");
  // `open_files`: when > 0, the descriptor limit (soft and hard) it starts with.
  Process& start_sidecar(const std::string& config_file, long open_files = 0);
  // The port a sidecar with `http.listen: 127.0.0.1:0` listens on, once its
  // log has `after` (0 if it never says).
  static int http_port_of(Process& sidecar, const std::string& after = "running:");

  // Waits until `count` pushes were written and the outbox is empty.
  std::vector<nlohmann::json> wait_for_pushes(std::size_t count);
  std::vector<nlohmann::json> pushes() const { return json_lines(pushes_file_); }
  std::size_t pushes_written() const { return complete_lines(pushes_file_); }  // pushes().size(), unparsed
  // Pushes to one installation, as their payloads.
  std::vector<nlohmann::json> payloads_for(const std::string& installation) const;
  // Changes and pushes still waiting (outbox rows and deliveries to retry).
  long outbox_size() const;

  std::string url_;
  std::string pushes_file_;
  // Provider sections (apns: ...): when set, configs send for real instead
  // of a dry run.
  std::string providers_yaml_;
  std::vector<std::unique_ptr<Process>> sidecars_;  // the last one's log is shown on failure
};

// The app tables the integration tests write to.
extern const char* const app_schema;
// `tables:` entries for app_schema.
extern const char* const app_tables;

}  // namespace pushsync::test
