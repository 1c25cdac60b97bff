#include <gtest/gtest.h>

#include "sidecar/config/template.hpp"

using pushsync::config::Template;

namespace {

std::optional<std::string> lookup(const std::string& name) {
  if (name == "owner") return "ann@example.com";
  if (name == "list_id") return "7";
  return std::nullopt;
}

}  // namespace

TEST(Template, RendersPlaceholdersAndLiterals) {
  auto t = Template::parse("_email_{owner}/list:{list_id}");
  EXPECT_EQ(t.render(lookup), "_email_ann@example.com/list:7");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"owner", "list_id"}));
}

TEST(Template, MissingValueRendersNothing) {
  EXPECT_EQ(Template::parse("user:{nobody}").render(lookup), std::nullopt);
}

TEST(Template, DoubledBracesAreLiteral) {
  EXPECT_EQ(Template::parse("{{x}} {owner}").render(lookup), "{x} ann@example.com");
}

TEST(Template, RejectsBrokenSyntax) {
  EXPECT_THROW(Template::parse("user:{owner"), std::invalid_argument);
  EXPECT_THROW(Template::parse("user:}"), std::invalid_argument);
  EXPECT_THROW(Template::parse("user:{}"), std::invalid_argument);
}
