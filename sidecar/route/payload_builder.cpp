#include "sidecar/route/payload_builder.hpp"

#include "sidecar/route/push_document.hpp"
#include "sidecar/route/row_values.hpp"
#include "sidecar/util/sha256.hpp"

namespace pushsync::route {

Push build_push(const Change& change, const RowChange& row, const config::TableConfig& table) {
  const nlohmann::json& values = row.new_values.is_null() ? row.old_values : row.new_values;
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "table") return table.name;
    if (name == "op") return std::string(to_string(row.op));
    if (name == "id") return row.row_id;
    return column_text(values, name).value_or("");
  };
  Push push;
  push.origin = {change.id, change.table_key, std::string(to_string(row.op)), row.row_id, change.created_at,
                 record_key(change.table_key, row.row_id), std::nullopt, 0};
  push.kind = table.payload.kind;
  // Field by field: an initializer list would build each pair as an array first.
  auto& fields = push.fields = nlohmann::ordered_json::object();
  fields["message"] = "PUSH-TO-SYNC";
  fields["table"] = table.name;
  fields["op"] = to_string(row.op);
  fields["id"] = row.row_id;
  fields["orig"] = change.originator;
  for (const auto& [key, value] : table.payload.data) fields[key] = value.render(lookup).value_or("");
  if (table.payload.kind == PayloadKind::alert) {
    if (table.payload.alert) push.alert = table.payload.alert->render(lookup);
    push.sound = table.payload.sound;
    push.badge = table.payload.badge;
  }
  push.collapse_id = table.collapse.render(lookup).value_or("");
  if (push.collapse_id.size() > max_collapse_id) push.collapse_id = sha256_hex(push.collapse_id);
  return push;
}

Push build_direct_push(const Change& change) {
  const nlohmann::json& v = change.rows.at(0).new_values;
  Push push;
  push.origin = {change.id, "", "push", "", change.created_at, direct_push_record(change.id), std::nullopt, 0};
  push.fields = nlohmann::ordered_json::object();
  if (v.contains("data") && v["data"].is_object())
    for (const auto& [key, value] : v["data"].items()) push.fields[key] = value;
  if (v.contains("alert") && v["alert"].is_string()) {
    push.kind = PayloadKind::alert;
    push.alert = v["alert"].get<std::string>();
  }
  if (v.contains("sound") && v["sound"].is_string()) push.sound = v["sound"].get<std::string>();
  if (v.contains("badge") && v["badge"].is_number_integer()) push.badge = v["badge"].get<int>();
  return push;
}

std::vector<std::string> direct_push_tags(const Change& change) {
  std::vector<std::string> tags;
  const nlohmann::json& v = change.rows.at(0).new_values;
  if (v.contains("tags") && v["tags"].is_array())
    for (const auto& tag : v["tags"])
      if (tag.is_string()) tags.push_back(tag.get<std::string>());
  return tags;
}

}  // namespace pushsync::route
