#include "sidecar/config/template.hpp"

#include <algorithm>
#include <stdexcept>

namespace pushsync::config {

Template Template::parse(std::string_view text, SourcePos pos) {
  Template t;
  t.text_ = std::string(text);
  t.pos_ = pos;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') throw std::invalid_argument("unmatched '}' at offset " + std::to_string(i));
    if (c != '{') {
      literal += c;
      continue;
    }
    auto close = text.find('}', i + 1);
    if (close == std::string_view::npos)
      throw std::invalid_argument("unclosed '{' at offset " + std::to_string(i));
    std::string name(text.substr(i + 1, close - i - 1));
    if (name.empty()) throw std::invalid_argument("empty placeholder '{}'");
    if (name.find('{') != std::string::npos)
      throw std::invalid_argument("nested '{' in placeholder");
    if (!literal.empty()) t.pieces_.push_back({false, std::move(literal)});
    literal.clear();
    if (std::find(t.names_.begin(), t.names_.end(), name) == t.names_.end()) t.names_.push_back(name);
    t.pieces_.push_back({true, std::move(name)});
    i = close;
  }
  if (!literal.empty()) t.pieces_.push_back({false, std::move(literal)});
  return t;
}

std::optional<std::string> Template::render(
    const std::function<std::optional<std::string>(const std::string&)>& lookup) const {
  std::string out;
  for (const auto& piece : pieces_) {
    if (!piece.is_name) {
      out += piece.text;
      continue;
    }
    auto value = lookup(piece.text);
    if (!value) return std::nullopt;
    out += *value;
  }
  return out;
}

}  // namespace pushsync::config
