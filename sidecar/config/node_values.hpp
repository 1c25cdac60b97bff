#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/config/config.hpp"
#include "sidecar/config/yaml_node.hpp"

namespace pushsync::config {

// Typed values read from one YAML node; a bad one fails at the node's
// line and column (YamlNode::fail).
Template template_at(const YamlNode& node);
Duration positive_duration(const YamlNode& node, Duration minimum);
std::string one_of(const YamlNode& node, std::initializer_list<std::string_view> choices);
Column column_at(const YamlNode& node);
std::vector<Column> columns_at(const YamlNode& node);  // one column or a non-empty list

}  // namespace pushsync::config
