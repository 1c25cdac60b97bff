// Long commands show progress on a terminal, and nothing of it elsewhere:
// `pushsync migrate` and `pushsync dead-letters retry --all`, run under
// script(1) for a pseudo-terminal and with plain pipes.
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/integration/sidecar_fixture.hpp"

namespace pushsync::test {
namespace {

std::string single_quoted(const std::string& s) { return "'" + s + "'"; }

// What a person at a terminal sees of `pushsync ARGS` (stdout and stderr).
std::string on_a_terminal(const std::vector<std::string>& args) {
  std::string command = PUSHSYNC_BINARY;
  for (const auto& a : args) command += " " + a;
  auto out = std::filesystem::temp_directory_path() / ("pushsync-tty-" + std::to_string(::getpid()) + ".txt");
  const std::string shell = "script -qec " + single_quoted(command) + " /dev/null > " + out.string() + " 2>&1";
  EXPECT_EQ(std::system(shell.c_str()), 0) << shell;
  std::string text = read_file(out.string());
  std::filesystem::remove(out);
  return text;
}

class Progress : public SidecarTest {};

TEST_F(Progress, MigrateShowsEachStepOnATerminalOnly) {
  const std::string config = write_config(app_tables);
  sql(url_, "DROP SCHEMA pushsync CASCADE");  // the fixture's database comes migrated
  const std::string seen = on_a_terminal({"migrate", "--config", config});
  EXPECT_NE(seen.find("\rmigrate: migration 007_ws_mailbox_unbound.sql ("), std::string::npos) << seen;
  EXPECT_NE(seen.find("\rmigrate: capture trigger of public.items (waits for the table's lock) ("), std::string::npos) << seen;
  EXPECT_NE(seen.find("\rmigrate: commit ("), std::string::npos) << seen;

  sql(url_, "DROP SCHEMA pushsync CASCADE");
  auto piped = run_pushsync({"migrate", "--config", config});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find("migrate: commit"), std::string::npos) << piped.err;
  EXPECT_NE(piped.err.find("schema version 0 -> 7"), std::string::npos) << piped.err;
}

TEST_F(Progress, RetryAllCountsItsBatchesOnATerminalOnly) {
  const std::string config = write_config(app_tables);
  auto dead_letters = [&](int n) {
    sql(url_, "INSERT INTO pushsync.dead_letters (change_id, tbl, op, row_id, installation_id, platform, reason, "
              "payload, push, record, changed_at) SELECT i, 'items', 'insert', i::text, 'dev-' || i, 'ws', "
              "'ws 503', '{}', '{\"message\":\"PUSH-TO-SYNC\"}', 'items' || chr(10) || i, now() "
              "FROM generate_series(1, " + std::to_string(n) + ") i");
  };
  dead_letters(2500);
  const std::string seen = on_a_terminal({"dead-letters", "retry", "--all", "--config", config});
  EXPECT_NE(seen.find("\rdead-letters retry: 1000 of 2500 done ("), std::string::npos) << seen.substr(0, 400);
  EXPECT_NE(seen.find("\rdead-letters retry: 2500 of 2500 done ("), std::string::npos) << seen.substr(0, 400);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.deliveries"), "2500");

  dead_letters(1200);
  auto piped = run_pushsync({"dead-letters", "retry", "--all", "--config", config});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("done"), std::string::npos) << piped.err;
  EXPECT_EQ(piped.out.rfind("requeued 1200 push(es)", 0), 0u) << piped.out.substr(0, 100);
  EXPECT_EQ(sql_value(url_, "SELECT count(*) FROM pushsync.dead_letters"), "0");
}

}  // namespace
}  // namespace pushsync::test
