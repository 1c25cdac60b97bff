#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sidecar/config/env_subst.hpp"
#include "sidecar/config/source_pos.hpp"
#include "sidecar/model/duration.hpp"

namespace pushsync::config {

// What every node of one document shares: the file name for messages and
// the environment for ${VAR} substitution.
struct YamlDocument {
  std::string file;
  EnvLookup env;
};

// A YAML node plus its key path ("tables.todo.tags[0]"); typed accessors
// throw ConfigError pointing at file:line:col and the path.
class YamlNode {
 public:
  YamlNode(YAML::Node node, std::string path, const YamlDocument& doc)
      : node_(std::move(node)), path_(std::move(path)), doc_(&doc) {}

  const std::string& path() const { return path_; }
  SourcePos pos() const;
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void fail_at(SourcePos pos, const std::string& message) const;

  bool is_sequence() const { return node_.IsSequence(); }
  bool is_null() const { return node_.IsNull(); }

  std::string str() const;  // scalar, with ${VAR} substituted
  long integer(long min, long max) const;
  bool boolean() const;
  Duration duration() const;
  std::size_t size() const;
  std::vector<YamlNode> items() const;  // sequence elements

  struct Entry;
  // Map entries in file order; rejects keys not in `allowed` (with a hint)
  // and duplicate keys. An empty `allowed` accepts any key.
  std::vector<Entry> entries(std::initializer_list<std::string_view> allowed = {}) const;

  // The value at `key` of a map whose keys were already checked, or nullopt.
  std::optional<YamlNode> get(std::string_view key) const;
  YamlNode required(std::string_view key) const;

  // `key` or its `key_file` twin (the secret read from a file, trailing
  // newline dropped); nullopt when neither is set, error when both are.
  std::optional<std::string> secret(std::string_view key) const;

 private:
  std::string child_path(std::string_view key) const;
  std::string scalar() const;

  YAML::Node node_;
  std::string path_;
  const YamlDocument* doc_;
};

struct YamlNode::Entry {
  std::string key;
  SourcePos key_pos;
  YamlNode value;
};

// Parses YAML; syntax errors become ConfigError with line and column.
YAML::Node load_yaml_text(const std::string& file, const std::string& text);

}  // namespace pushsync::config
