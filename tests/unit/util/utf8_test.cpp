#include <gtest/gtest.h>

#include "sidecar/util/utf8.hpp"

namespace pushsync {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // été € 😀
}

TEST(Utf8, RefusesWhatIsNotUtf8) {
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("a\x80z"));            // a lone continuation byte
}

TEST(Utf8Excerpt, KeepsWholeCharactersWithinTheLimit) {
  EXPECT_EQ(utf8_excerpt("été", 10), "été");
  EXPECT_EQ(utf8_excerpt("abc\xc3\xa9", 4), "abc");  // é would end past byte 4: left out, not cut
  EXPECT_EQ(utf8_excerpt("\xf0\x9f\x98\x80x", 4), "\xf0\x9f\x98\x80");
  EXPECT_EQ(utf8_excerpt("", 5), "");
}

TEST(Utf8Excerpt, ReplacesBytesThatAreNotText) {
  EXPECT_EQ(utf8_excerpt("a\xff\x80z", 10), "a??z");
  EXPECT_EQ(utf8_excerpt("\xc3", 10), "?");  // a character cut short
  EXPECT_TRUE(is_valid_utf8(utf8_excerpt("\xed\xa0\x80\xc0\xaf", 3)));
}

}  // namespace
}  // namespace pushsync
