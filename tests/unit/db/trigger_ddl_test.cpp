#include <gtest/gtest.h>

#include "sidecar/config/config_loader.hpp"
#include "sidecar/db/listener.hpp"
#include "sidecar/db/sql_text.hpp"
#include "sidecar/db/trigger_ddl.hpp"

namespace pushsync::db {
namespace {

config::TableConfig table(const std::string& yaml) {
  return config::parse_config("t.yaml", "database:\n  url: x\ntables:\n" + yaml,
                              [](const std::string&) { return std::nullopt; })
      .tables.at(0);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(TriggerDdl, QuotesEveryIdentifier) {
  auto ddl = capture_trigger_ddl("push\"sync", table("  Sales.Order Items:\n    tags: [\"u:{Owner}\"]\n"));
  EXPECT_TRUE(contains(ddl.create, "ON \"Sales\".\"Order Items\"")) << ddl.create;
  EXPECT_TRUE(contains(ddl.create, "INSERT INTO \"push\"\"sync\".events")) << ddl.create;
  EXPECT_TRUE(contains(ddl.create, "'Owner', n.\"Owner\"")) << ddl.create;
  EXPECT_EQ(ddl.function_name.rfind("capture_sales_order_items_", 0), 0u) << ddl.function_name;
  EXPECT_LE(ddl.function_name.size(), 63u);
}

TEST(TriggerDdl, CompositeIdsEscapeCommasAndBackslashes) {
  auto ddl = capture_trigger_ddl("pushsync", table("  public.t:\n    id: [a, b]\n    tags: [\"u:{o}\"]\n"));
  EXPECT_TRUE(contains(ddl.create,
                       "concat_ws(',', replace(replace(o.\"a\"::text, E'\\\\', E'\\\\\\\\'), ',', E'\\\\,'), "
                       "replace(replace(o.\"b\"::text, E'\\\\', E'\\\\\\\\'), ',', E'\\\\,'))"))
      << ddl.create;
}

TEST(TriggerDdl, WatchListsAndOperationsShapeTheTriggers) {
  auto ddl = capture_trigger_ddl(
      "pushsync", table("  public.t:\n    operations: [insert, update]\n    watch: [title]\n    tags: [\"u:{o}\"]\n"));
  EXPECT_TRUE(contains(ddl.create, "CREATE TRIGGER pushsync_capture_insert AFTER INSERT ON")) << ddl.create;
  EXPECT_TRUE(contains(ddl.create, "CREATE TRIGGER pushsync_capture_update AFTER UPDATE ON")) << ddl.create;
  EXPECT_FALSE(contains(ddl.create, "CREATE TRIGGER pushsync_capture_delete")) << ddl.create;
  EXPECT_TRUE(contains(ddl.create, "DROP TRIGGER IF EXISTS pushsync_capture_delete ON")) << "dropped if it was there";
  EXPECT_TRUE(contains(ddl.create, "OR ROW(o.\"title\"::text) IS DISTINCT FROM ROW(n.\"title\"::text)"));
  EXPECT_TRUE(contains(ddl.create, ", o.\"id\" = n.\"id\", ROW(o.\"title\"::text) IS DISTINCT FROM "
                                   "ROW(n.\"title\"::text),"))
      << "a one-row UPDATE reads key and watched columns in its first query: " << ddl.create;
  EXPECT_TRUE(contains(ddl.create, "FULL JOIN (SELECT true AS pushsync_row, \"id\", \"o\", \"title\" FROM pushsync_new) n "
                                   "ON o.\"id\" = n.\"id\""))
      << ddl.create;
  auto all = capture_trigger_ddl("pushsync", table("  public.t:\n    tags: [\"u:{o}\"]\n"));
  EXPECT_TRUE(contains(all.create, "OR true)")) << "without a watch list every update counts";
}

TEST(TriggerDdl, WritersAskForTheWakeLockOfTheirSchema) {
  auto a = capture_trigger_ddl("pushsync", table("  public.t:\n    tags: [\"u:{o}\"]\n"));
  auto b = capture_trigger_ddl("other", table("  public.t:\n    tags: [\"u:{o}\"]\n"));
  EXPECT_TRUE(contains(a.create, "pg_try_advisory_xact_lock_shared(" + wake_lock_arguments("pushsync") + ")"))
      << a.create;
  EXPECT_TRUE(contains(b.create, "pg_try_advisory_xact_lock_shared(" + wake_lock_arguments("other") + ")"));
  EXPECT_NE(wake_lock_arguments("pushsync"), wake_lock_arguments("other"));
}

TEST(TriggerDdl, NamesAreDistinctForNamesThatLookAlike) {
  auto a = capture_trigger_ddl("pushsync", table("  a_b.c:\n    tags: [\"u:{o}\"]\n"));
  auto b = capture_trigger_ddl("pushsync", table("  a.b_c:\n    tags: [\"u:{o}\"]\n"));
  EXPECT_NE(a.function_name, b.function_name);
}

TEST(SqlText, QuotingAndArrays) {
  EXPECT_EQ(quote_ident("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  EXPECT_EQ(text_array_literal({"a", "b\"c", "d\\e", "x,y"}), R"({"a","b\"c","d\\e","x,y"})");
  EXPECT_EQ(fill_placeholders("{{a}}-{{b}}-{{a}}", {{"a", "1"}, {"b", "{{a}}"}}), "1-{{a}}-1");
}

}  // namespace
}  // namespace pushsync::db
