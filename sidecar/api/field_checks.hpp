#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pushsync::api {

// Checks of request fields; each throws ApiError 422 naming the field.

// Refuses keys outside `known` (a typo must not be silently ignored).
void only_known_fields(const nlohmann::json& body, std::initializer_list<std::string_view> known);

// 1..max_bytes of UTF-8 without control characters.
bool is_printable_text(std::string_view text, std::size_t max_bytes);

// A string field of at most `max_bytes`; "" when absent or null.
std::string string_field(const nlohmann::json& body, const std::string& name, std::size_t max_bytes);

// A list of distinct tags (or ids): at most `max_items`, each printable, at
// most 256 bytes.
std::vector<std::string> tag_list(const nlohmann::json& body, const std::string& name, std::size_t max_items);

}  // namespace pushsync::api
