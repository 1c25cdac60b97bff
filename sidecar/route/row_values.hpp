#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pushsync::route {

// A captured column as text, the way PostgreSQL prints it (numbers and
// booleans too); nullopt for SQL NULL or a column that was not captured.
std::optional<std::string> column_text(const nlohmann::json& values, const std::string& column);

}  // namespace pushsync::route
