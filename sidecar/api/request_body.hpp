#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sidecar/api/response.hpp"
#include "sidecar/util/utf8.hpp"

namespace pushsync::api {

// Nesting deeper than this is refused before it costs anything.
inline constexpr int max_json_depth = 16;

// The body of a JSON route as an object: 415 unless the content type is
// application/json, 400 with the byte position when it does not parse
// (invalid UTF-8 included), is nested too deep or is not an object.
nlohmann::json json_object_body(const Request& request);

bool has_content_type(const Request& request, std::string_view type);

// application/x-www-form-urlencoded (bodies and query strings): each name
// with its values in order; `name[]` counts as `name`. 400 on bad escapes
// or invalid UTF-8.
using FormFields = std::map<std::string, std::vector<std::string>>;
FormFields parse_form(std::string_view text);

// The last value given for `name`, or "" (a repeated single-valued field:
// the last one wins).
std::string last_value(const FormFields& fields, const std::string& name);

// The query string of a request target ("/path?a=1&b=2"), parsed as a form.
FormFields query_of(std::string_view target);

// %XX and (in forms) '+' decoded; throws ApiError 400 on a bad escape.
std::string percent_decode(std::string_view text, bool plus_is_space);

}  // namespace pushsync::api
