#include "sidecar/config/env_subst.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace pushsync::config {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

static bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string substitute_env(std::string_view text, const EnvLookup& env) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) throw std::invalid_argument("unclosed \"${\"");
    std::string_view inner = text.substr(i + 2, close - i - 2);
    std::optional<std::string_view> fallback;
    if (auto sep = inner.find(":-"); sep != std::string_view::npos) {
      fallback = inner.substr(sep + 2);
      inner = inner.substr(0, sep);
    }
    std::string name(inner);
    if (!valid_name(name)) throw std::invalid_argument("bad variable name \"" + name + "\" in \"${...}\"");
    auto value = env(name);
    if (value && (!value->empty() || !fallback)) {
      out += *value;
    } else if (fallback) {
      out += *fallback;
    } else {
      throw std::invalid_argument("environment variable " + name + " is not set (use ${" + name +
                                  ":-default} for a default)");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace pushsync::config
