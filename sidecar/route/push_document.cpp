#include "sidecar/route/push_document.hpp"

namespace pushsync::route {

// Fields as [name, value] pairs: jsonb keeps no key order, the device's
// payload does.
nlohmann::json push_document(const Push& push) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& [name, value] : push.fields.items())
    fields.push_back({name, nlohmann::json(value)});
  nlohmann::json doc = {{"kind", push.kind == PayloadKind::alert ? "alert" : "background"}, {"fields", fields}};
  if (push.alert) doc["alert"] = *push.alert;
  if (push.sound) doc["sound"] = *push.sound;
  if (push.badge) doc["badge"] = *push.badge;
  if (!push.collapse_id.empty()) doc["collapse_id"] = push.collapse_id;
  return doc;
}

void read_push_document(const nlohmann::json& document, Push& push) {
  push.kind = document.value("kind", "background") == "alert" ? PayloadKind::alert : PayloadKind::background;
  push.fields = nlohmann::ordered_json::object();
  if (document.contains("fields"))
    for (const auto& pair : document["fields"])
      push.fields[pair.at(0).get<std::string>()] = nlohmann::ordered_json(pair.at(1));
  if (document.contains("alert")) push.alert = document["alert"].get<std::string>();
  if (document.contains("sound")) push.sound = document["sound"].get<std::string>();
  if (document.contains("badge")) push.badge = document["badge"].get<int>();
  push.collapse_id = document.value("collapse_id", "");
}

std::string record_key(const std::string& table_key, const std::string& row_id) { return table_key + "\n" + row_id; }

std::string direct_push_record(ChangeId id) { return "#" + std::to_string(id); }

}  // namespace pushsync::route
