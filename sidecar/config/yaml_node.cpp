#include "sidecar/config/yaml_node.hpp"

#include <algorithm>
#include <stdexcept>

#include "sidecar/config/config_error.hpp"
#include "sidecar/config/units.hpp"
#include "sidecar/util/readable_file.hpp"

namespace pushsync::config {

namespace {

SourcePos to_pos(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1, ""};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(const std::string& key, std::initializer_list<std::string_view> allowed) {
  std::string message = "unknown key \"" + key + "\"";
  std::string_view best;
  std::size_t best_distance = 3;
  for (auto candidate : allowed) {
    auto d = edit_distance(key, candidate);
    if (d < best_distance) best = candidate, best_distance = d;
  }
  if (!best.empty()) return message + " (did you mean \"" + std::string(best) + "\"?)";
  message += "; expected one of:";
  for (auto candidate : allowed) message += " " + std::string(candidate);
  return message;
}

}  // namespace

SourcePos YamlNode::pos() const {
  SourcePos at = to_pos(node_.Mark());
  at.path = path_;
  return at;
}

void YamlNode::fail(const std::string& message) const { fail_at(pos(), message); }

void YamlNode::fail_at(SourcePos at, const std::string& message) const {
  throw ConfigError(ConfigIssue{doc_->file, at, path_, message});
}

std::string YamlNode::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string YamlNode::scalar() const {
  if (!node_.IsDefined() || node_.IsNull()) fail("expected a value, got nothing");
  if (!node_.IsScalar()) fail(node_.IsMap() ? "expected a value, got a map" : "expected a value, got a list");
  return node_.Scalar();
}

std::string YamlNode::str() const {
  try {
    return substitute_env(scalar(), doc_->env);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
}

long YamlNode::integer(long min, long max) const {
  std::string text = str();
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) fail("expected a whole number, got \"" + text + "\"");
  if (value < min || value > max)
    fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + text);
  return value;
}

bool YamlNode::boolean() const {
  std::string text = str();
  if (text == "true") return true;
  if (text == "false") return false;
  fail("expected true or false, got \"" + text + "\"");
}

Duration YamlNode::duration() const {
  std::string text = str();
  auto d = parse_duration(text);
  if (!d) fail("expected a duration such as 250ms, 5s, 2m or 1h, got \"" + text + "\"");
  return *d;
}

std::size_t YamlNode::size() const {
  std::string text = str();
  auto s = parse_size(text);
  if (!s) fail("expected a size such as 512, 64KiB or 1MiB, got \"" + text + "\"");
  return *s;
}

std::vector<YamlNode> YamlNode::items() const {
  if (!node_.IsSequence()) fail("expected a list");
  std::vector<YamlNode> out;
  for (std::size_t i = 0; i < node_.size(); ++i)
    out.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]", *doc_);
  return out;
}

std::vector<YamlNode::Entry> YamlNode::entries(std::initializer_list<std::string_view> allowed) const {
  if (!node_.IsMap()) fail("expected a map of keys");
  std::vector<Entry> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    SourcePos key_pos = to_pos(it->first.Mark());
    if (!it->first.IsScalar()) fail_at(key_pos, "keys must be plain strings");
    std::string key = it->first.Scalar();
    key_pos.path = child_path(key);
    bool known = allowed.size() == 0 ||
                 std::find(allowed.begin(), allowed.end(), std::string_view(key)) != allowed.end();
    if (!known) throw ConfigError(ConfigIssue{doc_->file, key_pos, child_path(key), unknown_key_message(key, allowed)});
    for (const auto& seen : out)
      if (seen.key == key)
        throw ConfigError(ConfigIssue{doc_->file, key_pos, child_path(key),
                                      "duplicate key (first at line " + std::to_string(seen.key_pos.line) + ")"});
    out.push_back(Entry{key, key_pos, YamlNode(it->second, child_path(key), *doc_)});
  }
  return out;
}

std::optional<YamlNode> YamlNode::get(std::string_view key) const {
  if (!node_.IsMap()) return std::nullopt;
  for (auto it = node_.begin(); it != node_.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key)
      return YamlNode(it->second, child_path(key), *doc_);
  return std::nullopt;
}

YamlNode YamlNode::required(std::string_view key) const {
  auto value = get(key);
  if (!value) fail("missing required key \"" + std::string(key) + "\"");
  return *value;
}

std::optional<std::string> YamlNode::secret(std::string_view key) const {
  auto inline_value = get(key);
  auto file_key = std::string(key) + "_file";
  auto file_value = get(file_key);
  if (inline_value && file_value) file_value->fail("set either " + std::string(key) + " or " + file_key + ", not both");
  if (inline_value) return inline_value->str();
  if (!file_value) return std::nullopt;
  std::string path = file_value->str();
  auto file = read_file_text(path);
  if (!file.text) file_value->fail("cannot read secret file \"" + path + "\": " + file.why);
  std::string text = std::move(*file.text);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

YAML::Node load_yaml_text(const std::string& file, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(ConfigIssue{file, to_pos(e.mark), "", "YAML syntax error: " + e.msg});
  }
}

}  // namespace pushsync::config
