#include "sidecar/api/field_checks.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "sidecar/api/api_error.hpp"
#include "sidecar/api/request_body.hpp"

namespace pushsync::api {

namespace {

constexpr std::size_t max_tag_bytes = 256;

// "invalid_push_channel" for "pushChannel".
std::string invalid_code(const std::string& field) {
  std::string code = "invalid_";
  for (char c : field) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      code += '_';
      code += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      code += c;
    }
  }
  return code;
}

}  // namespace

void only_known_fields(const nlohmann::json& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body.items())
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      throw invalid("unknown_field", "unknown field \"" + key + "\"; known fields: " + list);
    }
}

bool is_printable_text(std::string_view text, std::size_t max_bytes) {
  if (text.empty() || text.size() > max_bytes || !is_valid_utf8(text)) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string string_field(const nlohmann::json& body, const std::string& name, std::size_t max_bytes) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return "";
  if (!it->is_string()) throw invalid(invalid_code(name), "\"" + name + "\" must be a string");
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > max_bytes)
    throw invalid(invalid_code(name), "\"" + name + "\" is longer than " + std::to_string(max_bytes) + " bytes");
  return text;
}

std::vector<std::string> tag_list(const nlohmann::json& body, const std::string& name, std::size_t max_items) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return {};
  const std::string code = invalid_code(name);
  if (!it->is_array()) throw invalid(code, "\"" + name + "\" must be a list of strings");
  if (it->size() > max_items)
    throw invalid("too_many_" + name,
                  "\"" + name + "\" has " + std::to_string(it->size()) + " entries; at most " +
                      std::to_string(max_items) + " are allowed");
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string() || !is_printable_text(item.get_ref<const std::string&>(), max_tag_bytes))
      throw invalid(code, "each entry of \"" + name + "\" must be a string of 1 to " + std::to_string(max_tag_bytes) +
                              " bytes without control characters");
    if (seen.insert(item.get<std::string>()).second) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace pushsync::api
