#include <gtest/gtest.h>

#include "sidecar/util/moment.hpp"

namespace pushsync {
namespace {

using namespace std::chrono_literals;

TEST(Moment, Rfc3339IsTakenAsGiven) {
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(parse_moment("2026-11-23T08:00:00Z", now), "2026-11-23T08:00:00Z");
  EXPECT_EQ(parse_moment("2026-11-23 08:00:00.25+01:00", now), "2026-11-23 08:00:00.25+01:00");
}

TEST(Moment, ASpanCountsBackFromNowInUtc) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1764547200)) + 123456us;  // 2025-12-01T00:00:00Z
  EXPECT_EQ(parse_moment("90s", now), "2025-11-30T23:58:30.123456Z");
  EXPECT_EQ(parse_moment("2h", now), "2025-11-30T22:00:00.123456Z");
  EXPECT_EQ(parse_moment("7d", now), "2025-11-24T00:00:00.123456Z");
  EXPECT_EQ(parse_moment("0s", now), "2025-12-01T00:00:00.123456Z");
}

TEST(Moment, Rfc3339AcceptsEachFormOfTheStandard) {
  for (const char* text : {"2026-11-23T08:00:00Z", "2026-11-23t08:00:00z", "2026-11-23 08:00:00-05:30",
                           "2026-11-23T08:00:00.1Z", "2026-11-23T08:00:00.123456789+01:00"})
    EXPECT_TRUE(is_rfc3339(text)) << text;
}

TEST(Moment, AnythingElseIsRefused) {
  auto now = std::chrono::system_clock::now();
  for (const char* text : {"", "yesterday", "2h ago", "-5m", "5w", "2026-11-23", "12", "2026-11-23T08:00:00",
                           "2026-11-23T08:00:00.Z", "2026-11-23T08:00:00.1234567890Z", "2026-11-23T08:00:00+0100",
                           "2026-11-23T08:00:00Z ", "2026-11-23T08:00:00+01:00x", "2026-11-23X08:00:00Z",
                           "2026-1-23T08:00:00Z", "20261-11-23T08:00:00Z", "2026-11-23T08:00:00ZZ"})
    EXPECT_FALSE(parse_moment(text, now)) << text;
}

// Found by fuzz/text_parsers: "55555555555557d" overflowed the clock's
// nanoseconds (undefined behaviour) from a query's since=.
TEST(Moment, ASpanOfMoreThanAHundredYearsIsRefused) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1764547200));  // 2025-12-01T00:00:00Z
  EXPECT_EQ(parse_moment("36600d", now), "1925-09-17T00:00:00.000000Z");
  for (const char* text : {"36601d", "55555555555557d", "9223372036854775807s", "3162240001s"})
    EXPECT_FALSE(parse_moment(text, now)) << text;
}

}  // namespace
}  // namespace pushsync
