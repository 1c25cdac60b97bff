#include "sidecar/route/payload_builder.hpp"

#include "sidecar/route/row_values.hpp"
#include "sidecar/util/sha256.hpp"

namespace pushsync::route {

Push build_push(const Change& change, const config::TableConfig& table) {
  const nlohmann::json& values = change.new_values.is_null() ? change.old_values : change.new_values;
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "table") return table.name;
    if (name == "op") return std::string(to_string(change.op));
    if (name == "id") return change.row_id;
    return column_text(values, name).value_or("");
  };
  Push push;
  push.change_ids = {change.id};
  push.kind = table.payload.kind;
  push.fields = {{"message", "PUSH-TO-SYNC"},
                 {"table", table.name},
                 {"op", to_string(change.op)},
                 {"id", change.row_id},
                 {"orig", change.originator}};
  for (const auto& [key, value] : table.payload.data) push.fields[key] = value.render(lookup).value_or("");
  if (table.payload.kind == PayloadKind::alert) {
    if (table.payload.alert) push.alert = table.payload.alert->render(lookup);
    push.sound = table.payload.sound;
    push.badge = table.payload.badge;
  }
  push.collapse_id = table.collapse.render(lookup).value_or("");
  if (push.collapse_id.size() > max_collapse_id) push.collapse_id = sha256_hex(push.collapse_id);
  return push;
}

}  // namespace pushsync::route
