#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/config/source_pos.hpp"

namespace pushsync::config {

// A string with `{name}` placeholders, e.g. "_email_{owner_email}".
// `{{` and `}}` stand for literal braces.
class Template {
 public:
  // Throws std::invalid_argument with a human message on bad syntax.
  static Template parse(std::string_view text, SourcePos pos = {});

  // Renders with `lookup`; returns nullopt when a placeholder has no value
  // (a NULL column), because a tag built from a missing value is meaningless.
  std::optional<std::string> render(
      const std::function<std::optional<std::string>(const std::string&)>& lookup) const;

  const std::vector<std::string>& names() const { return names_; }
  const std::string& text() const { return text_; }
  SourcePos pos() const { return pos_; }

 private:
  struct Piece {
    bool is_name;
    std::string text;
  };
  std::string text_;
  SourcePos pos_;
  std::vector<Piece> pieces_;
  std::vector<std::string> names_;  // distinct, in order of appearance
};

}  // namespace pushsync::config
