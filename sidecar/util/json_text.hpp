#pragma once
// JSON text in and out. nlohmann's parser and serializer are templates that
// every file calling parse() or dump() compiles again (about 2 s of compiler
// time and 90 KB of code per file at -O2); here they are compiled once.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pushsync {

// json::parse(text): throws nlohmann::json::parse_error.
nlohmann::json parse_json(std::string_view text);
// json::parse(text, nullptr, false): a discarded value (is_discarded()) on bad input.
nlohmann::json parse_json_or_discarded(std::string_view text);
nlohmann::ordered_json parse_ordered_json(std::string_view text);
// parse_json(text), refusing a document with a container nested max_depth
// deep (depth counts enclosing containers): throws JsonTooDeep.
struct JsonTooDeep {};
nlohmann::json parse_json_nested_less_than(std::string_view text, int max_depth);

// dump(): throws nlohmann::json::type_error on invalid UTF-8.
std::string json_text(const nlohmann::json& value);
std::string json_text(const nlohmann::ordered_json& value);
// dump() with invalid UTF-8 replaced (U+FFFD): text echoed from a request or a log.
std::string json_text_replacing_invalid_utf8(const nlohmann::json& value);

}  // namespace pushsync
