#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pushsync::db {

// "name" with embedded quotes doubled: every identifier pushsync generates
// goes through this, so `"Sales"."Order Items"` just works.
std::string quote_ident(std::string_view name);

// 'text' with embedded quotes doubled (standard_conforming_strings).
std::string quote_literal(std::string_view text);

// A timestamptz column as RFC 3339 text in UTC, microseconds included.
std::string rfc3339_text(const std::string& column);

// Replaces each {{key}} in `text`.
std::string fill_placeholders(std::string text, const std::vector<std::pair<std::string, std::string>>& values);

// A PostgreSQL array literal for a bound text[] parameter: {"a","b\"c"}.
std::string text_array_literal(const std::vector<std::string>& items);

// The same for a bigint[] parameter: {1,2,3}.
std::string bigint_array_literal(const std::vector<std::int64_t>& items);

}  // namespace pushsync::db
