#include "sidecar/api/request_body.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include "sidecar/util/json_text.hpp"

namespace pushsync::api {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// nlohmann's "[json.exception.parse_error.101] parse error at ...", less its tag.
std::string without_tag(const std::string& what) {
  auto at = what.find("] ");
  return at == std::string::npos ? what : what.substr(at + 2);
}

}  // namespace

bool has_content_type(const Request& request, std::string_view type) {
  std::string_view value = request[boost::beast::http::field::content_type];
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return boost::beast::iequals(value, type);
}

nlohmann::json json_object_body(const Request& request) {
  if (!has_content_type(request, "application/json"))
    throw ApiError(415, "unsupported_media_type", "this route takes Content-Type: application/json");
  const std::string& body = request.body();
  if (body.empty()) throw ApiError(400, "empty_body", "the request has no body; expected a JSON object");
  nlohmann::json parsed;
  try {
    parsed = parse_json_nested_less_than(body, max_json_depth);
  } catch (const JsonTooDeep&) {
    throw ApiError(400, "too_deep", "JSON nested deeper than " + std::to_string(max_json_depth) + " levels");
  } catch (const nlohmann::json::parse_error& e) {
    throw ApiError(400, "malformed_json",
                   "body is not valid JSON (byte " + std::to_string(e.byte) + "): " + without_tag(e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond a double's range (1e400): found by fuzz/api_request.cpp.
    throw ApiError(400, "malformed_json", "body is not usable JSON: " + without_tag(e.what()));
  }
  if (!parsed.is_object()) throw ApiError(400, "not_an_object", "the body must be a JSON object");
  return parsed;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) throw ApiError(400, "malformed_escape", "a % escape must be followed by two hex digits");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

FormFields parse_form(std::string_view text) {
  FormFields fields;
  while (!text.empty()) {
    auto amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    if (!is_valid_utf8(name) || !is_valid_utf8(value))
      throw ApiError(400, "invalid_utf8", "form field \"" + (is_valid_utf8(name) ? name : "?") + "\" is not UTF-8");
    if (name.size() > 2 && name.ends_with("[]")) name.resize(name.size() - 2);
    fields[name].push_back(std::move(value));
  }
  return fields;
}

std::string last_value(const FormFields& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() || it->second.empty() ? "" : it->second.back();
}

FormFields query_of(std::string_view target) {
  auto question = target.find('?');
  return question == std::string_view::npos ? FormFields{} : parse_form(target.substr(question + 1));
}

}  // namespace pushsync::api
