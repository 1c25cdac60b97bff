#include "sidecar/util/json_text.hpp"

namespace pushsync {

nlohmann::json parse_json(std::string_view text) { return nlohmann::json::parse(text); }

nlohmann::json parse_json_or_discarded(std::string_view text) { return nlohmann::json::parse(text, nullptr, false); }

nlohmann::json parse_json_nested_less_than(std::string_view text, int max_depth) {
  return nlohmann::json::parse(text, [max_depth](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth >= max_depth) throw JsonTooDeep{};
    return true;
  });
}

nlohmann::ordered_json parse_ordered_json(std::string_view text) { return nlohmann::ordered_json::parse(text); }

std::string json_text(const nlohmann::json& value) { return value.dump(); }

std::string json_text(const nlohmann::ordered_json& value) { return value.dump(); }

std::string json_text_replacing_invalid_utf8(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pushsync
