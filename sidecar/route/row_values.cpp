#include "sidecar/route/row_values.hpp"

#include "sidecar/util/json_text.hpp"

namespace pushsync::route {

std::optional<std::string> column_text(const nlohmann::json& values, const std::string& column) {
  if (!values.is_object()) return std::nullopt;
  auto it = values.find(column);
  if (it == values.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return json_text(*it);  // numbers, booleans, and json/jsonb/array columns as JSON text
}

}  // namespace pushsync::route
