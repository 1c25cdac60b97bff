#include "sidecar/config/table_key.hpp"

namespace pushsync::config {

namespace {

// Reads one name part starting at `i`: quoted ("a""b" escapes a quote) or
// plain up to the first dot (`stop_at_dot`) or the end.
std::optional<std::string> read_part(std::string_view key, std::size_t& i, bool stop_at_dot, std::string& error) {
  std::string out;
  if (i < key.size() && key[i] == '"') {
    for (++i; i < key.size(); ++i) {
      if (key[i] != '"') {
        out += key[i];
      } else if (i + 1 < key.size() && key[i + 1] == '"') {
        out += '"';
        ++i;
      } else {
        ++i;
        if (out.empty()) error = "empty quoted name";
        return out.empty() ? std::nullopt : std::optional(out);
      }
    }
    error = "unclosed double quote";
    return std::nullopt;
  }
  while (i < key.size() && !(stop_at_dot && key[i] == '.')) out += key[i++];
  if (out.empty()) {
    error = "empty schema or table name";
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<QualifiedName> split_table_key(std::string_view key, std::string& error) {
  std::size_t i = 0;
  auto first = read_part(key, i, true, error);
  if (!first) return std::nullopt;
  if (i == key.size()) return QualifiedName{"public", *first};
  if (key[i] != '.') {
    error = "expected \".\" after the quoted schema name";
    return std::nullopt;
  }
  ++i;
  auto second = read_part(key, i, false, error);
  if (!second) return std::nullopt;
  if (i != key.size()) {
    error = "unexpected text after the quoted table name";
    return std::nullopt;
  }
  return QualifiedName{*first, *second};
}

}  // namespace pushsync::config
