#include "sidecar/util/logging.hpp"

#include <gtest/gtest.h>

namespace pushsync {
namespace {

TEST(OneLine, APostgresErrorBecomesOneLine) {
  EXPECT_EQ(one_line("ERROR:  relation \"pushsync.installations\" does not exist\n"
                     "LINE 1: SELECT * FROM pushsync.installations\n"
                     "                      ^\n"),
            "ERROR:  relation \"pushsync.installations\" does not exist | "
            "LINE 1: SELECT * FROM pushsync.installations | ^");
}

TEST(OneLine, BlankLinesAndTrailingNewlinesGo) {
  EXPECT_EQ(one_line("could not connect\n\n  \r\n"), "could not connect");
  EXPECT_EQ(one_line("plain message"), "plain message");
  EXPECT_EQ(one_line("\n"), "");
}

}  // namespace
}  // namespace pushsync
