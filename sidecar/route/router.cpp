#include "sidecar/route/router.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "sidecar/route/payload_builder.hpp"
#include "sidecar/route/row_values.hpp"

namespace pushsync::route {

namespace {

void add_template_tags(const nlohmann::json& values, const config::TableConfig& table, std::set<std::string>& tags) {
  if (values.is_null()) return;
  auto lookup = [&](const std::string& column) { return column_text(values, column); };
  for (const auto& t : table.tags)
    if (auto tag = t.render(lookup)) tags.insert(*tag);
}

std::vector<std::optional<std::string>> sql_args(const nlohmann::json& values, const config::TableConfig& table) {
  std::vector<std::optional<std::string>> args;
  for (const auto& column : table.tags_args) args.push_back(column_text(values, column.name));
  return args;
}

}  // namespace

std::vector<std::string> Router::tags_of(const Change& change, const config::TableConfig& table,
                                         Directory& directory) const {
  std::set<std::string> tags;
  add_template_tags(change.old_values, table, tags);
  add_template_tags(change.new_values, table, tags);
  if (table.tags_sql) {
    std::set<std::vector<std::optional<std::string>>> arg_sets;
    for (const auto* values : {&change.old_values, &change.new_values})
      if (!values->is_null()) arg_sets.insert(sql_args(*values, table));
    for (const auto& args : arg_sets)
      for (auto& tag : directory.tags_from_sql(*table.tags_sql, args)) tags.insert(std::move(tag));
  }
  return {tags.begin(), tags.end()};
}

RoutedBatch Router::route(std::vector<Change> changes, Directory& directory, DbTime now) {
  RoutedBatch batch;
  batch.claimed_at = now;
  struct Addressed {
    const Change* change;
    const config::TableConfig* table;  // null for a direct push
    std::vector<std::string> tags;
  };
  std::vector<Addressed> addressed;
  std::set<std::string> all_tags;
  batch.changes = std::move(changes);
  for (const auto& change : batch.changes) {
    if (change.table_key.empty()) {  // `pushsync send` / the push API
      auto tags = direct_push_tags(change);
      all_tags.insert(tags.begin(), tags.end());
      addressed.push_back({&change, nullptr, std::move(tags)});
      continue;
    }
    const auto* table = config_.find_table(change.table_key);
    if (!table) {
      batch.unroutable.push_back({change.id, "table_not_configured"});
      continue;
    }
    if (auto until = recent_.hold_back({table->name, change.row_id}, now)) {
      batch.held_back.push_back({change.id, *until});
      continue;
    }
    try {
      auto tags = tags_of(change, *table, directory);
      all_tags.insert(tags.begin(), tags.end());
      addressed.push_back({&change, table, std::move(tags)});
    } catch (const std::exception& e) {
      batch.unroutable.push_back({change.id, std::string("tags_sql_failed: ") + e.what()});
    }
  }
  if (all_tags.empty()) return batch;

  std::map<std::string, std::vector<Installation>> by_tag;
  for (auto& row : directory.installations_for({all_tags.begin(), all_tags.end()}))
    by_tag[row.tag].push_back(std::move(row.installation));

  // (installation, table, row) -> index in batch.pushes; a later change of
  // the same record replaces the payload and joins its change id.
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> coalesced;
  batch.pushes.reserve(addressed.size());
  for (const auto& a : addressed) {
    if (a.table) recent_.pushed({a.table->name, a.change->row_id}, now);
    Push payload = a.table ? build_push(*a.change, *a.table) : build_direct_push(*a.change);
    // A direct push is never merged with another one.
    const std::string record = a.table ? a.change->row_id : "#" + std::to_string(a.change->id);
    const std::string& table_name = a.table ? a.table->name : "";
    std::vector<const Installation*> targets;
    for (const auto& tag : a.tags) {
      auto found = by_tag.find(tag);
      if (found == by_tag.end()) continue;
      for (const auto& installation : found->second)
        if (config_.delivery.deliver_to_originator || installation.id != a.change->originator)
          targets.push_back(&installation);
    }
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const Installation& installation = *targets[k];
      // The last target takes the payload itself; the others a copy.
      auto take_payload = [&, last = k + 1 == targets.size()] { return last ? std::move(payload) : Push(payload); };
      auto key = std::make_tuple(installation.id, table_name, record);
      auto [it, fresh] = coalesced.try_emplace(key, batch.pushes.size());
      if (fresh) {
        batch.pushes.push_back(take_payload());
        batch.pushes.back().target = installation;
        continue;
      }
      Push& existing = batch.pushes[it->second];
      if (existing.change_ids.back() == a.change->id) continue;  // same change via another tag
      auto ids = std::move(existing.change_ids);
      ids.push_back(a.change->id);
      existing = take_payload();
      existing.target = installation;
      existing.change_ids = std::move(ids);
    }
  }
  return batch;
}

}  // namespace pushsync::route
