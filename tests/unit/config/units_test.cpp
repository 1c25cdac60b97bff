#include <gtest/gtest.h>

#include "sidecar/config/env_subst.hpp"
#include "sidecar/config/table_key.hpp"
#include "sidecar/config/units.hpp"

namespace pushsync::config {
namespace {

using namespace std::chrono_literals;

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration("250ms"), Duration(250ms));
  EXPECT_EQ(parse_duration("5s"), Duration(5s));
  EXPECT_EQ(parse_duration("2m"), Duration(2min));
  EXPECT_EQ(parse_duration("1h"), Duration(1h));
  EXPECT_EQ(parse_duration("1m30s"), Duration(90s));
  for (const char* bad : {"", "5", "5 s", "-1s", "1d", "s", "1.5s"}) EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
}

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("1MiB"), 1048576u);
  EXPECT_EQ(parse_size("10kB"), 10000u);
  for (const char* bad : {"", "KiB", "1 MiB", "1TiB", "-1"}) EXPECT_EQ(parse_size(bad), std::nullopt) << bad;
}

TEST(EnvSubst, VariablesDefaultsAndErrors) {
  EnvLookup env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "A") return "1";
    if (n == "EMPTY") return "";
    return std::nullopt;
  };
  EXPECT_EQ(substitute_env("x${A}y", env), "x1y");
  EXPECT_EQ(substitute_env("${B:-two}", env), "two");
  EXPECT_EQ(substitute_env("${EMPTY:-fallback}", env), "fallback");
  EXPECT_EQ(substitute_env("${EMPTY}", env), "");
  EXPECT_EQ(substitute_env("$${A}", env), "${A}");
  EXPECT_THROW(substitute_env("${B}", env), std::invalid_argument);
  EXPECT_THROW(substitute_env("${A", env), std::invalid_argument);
  EXPECT_THROW(substitute_env("${1A}", env), std::invalid_argument);
}

TEST(TableKey, SplitsAtTheFirstDotAndHonoursQuotes) {
  std::string error;
  EXPECT_EQ(split_table_key("public.todo", error), (QualifiedName{"public", "todo"}));
  EXPECT_EQ(split_table_key("Sales.Order Items", error), (QualifiedName{"Sales", "Order Items"}));
  EXPECT_EQ(split_table_key("a.b.c", error), (QualifiedName{"a", "b.c"}));
  EXPECT_EQ(split_table_key("\"my.schema\".orders", error), (QualifiedName{"my.schema", "orders"}));
  EXPECT_EQ(split_table_key("s.\"t.\"\"x\"", error), (QualifiedName{"s", "t.\"x"}));
  EXPECT_EQ(split_table_key("todo", error), (QualifiedName{"public", "todo"}));
  EXPECT_EQ(split_table_key("\"open", error), std::nullopt);
  EXPECT_EQ(error, "unclosed double quote");
  EXPECT_EQ(split_table_key(".x", error), std::nullopt);
}

}  // namespace
}  // namespace pushsync::config
