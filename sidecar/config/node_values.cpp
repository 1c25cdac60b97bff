#include "sidecar/config/node_values.hpp"

#include <stdexcept>

namespace pushsync::config {

Template template_at(const YamlNode& node) {
  try {
    return Template::parse(node.str(), node.pos());
  } catch (const std::invalid_argument& e) {
    node.fail(std::string("bad template: ") + e.what());
  }
}

Duration positive_duration(const YamlNode& node, Duration minimum) {
  Duration d = node.duration();
  if (d < minimum) node.fail("must be at least " + std::to_string(minimum.count()) + "ms");
  return d;
}

std::string one_of(const YamlNode& node, std::initializer_list<std::string_view> choices) {
  std::string value = node.str();
  for (auto choice : choices)
    if (value == choice) return value;
  std::string list;
  for (auto choice : choices) list += (list.empty() ? "" : " | ") + std::string(choice);
  node.fail("expected " + list + ", got \"" + value + "\"");
}

Column column_at(const YamlNode& node) {
  std::string name = node.str();
  if (name.empty()) node.fail("column name is empty");
  return Column{name, node.pos()};
}

std::vector<Column> columns_at(const YamlNode& node) {
  std::vector<Column> out;
  if (!node.is_sequence()) return {column_at(node)};
  for (const auto& item : node.items()) out.push_back(column_at(item));
  if (out.empty()) node.fail("list is empty");
  return out;
}

}  // namespace pushsync::config
