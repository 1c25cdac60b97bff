#include "sidecar/util/json_text.hpp"

namespace pushsync {

nlohmann::json parse_json(std::string_view text) { return nlohmann::json::parse(text); }

nlohmann::json parse_json_or_discarded(std::string_view text) { return nlohmann::json::parse(text, nullptr, false); }

nlohmann::ordered_json parse_ordered_json(std::string_view text) { return nlohmann::ordered_json::parse(text); }

std::string json_text(const nlohmann::json& value) { return value.dump(); }

std::string json_text(const nlohmann::ordered_json& value) { return value.dump(); }

std::string json_text_replacing_invalid_utf8(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pushsync
