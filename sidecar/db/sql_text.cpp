#include "sidecar/db/sql_text.hpp"

namespace pushsync::db {

namespace {

std::string quoted(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  return out + quote;
}

}  // namespace

std::string quote_ident(std::string_view name) { return quoted(name, '"'); }

std::string quote_literal(std::string_view text) { return quoted(text, '\''); }

std::string rfc3339_text(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

std::string fill_placeholders(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [key, value] : values) {
    const std::string marker = "{{" + key + "}}";
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + value.size()))
      text.replace(at, marker.size(), value);
  }
  return text;
}

std::string text_array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string bigint_array_literal(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (auto item : items) out += (out.size() > 1 ? "," : "") + std::to_string(item);
  return out + "}";
}

}  // namespace pushsync::db
