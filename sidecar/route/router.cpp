#include "sidecar/route/router.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

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

// Tags without a {column}: every change of the table goes to them.
void add_constant_tags(const config::TableConfig& table, std::set<std::string>& tags) {
  for (const auto& t : table.tags)
    if (t.names().empty()) tags.insert(t.text());
}

std::vector<std::optional<std::string>> sql_args(const nlohmann::json& values, const config::TableConfig& table) {
  std::vector<std::optional<std::string>> args;
  for (const auto& column : table.tags_args) args.push_back(column_text(values, column.name));
  return args;
}

// A one-row change not yet begun: what coalesce_window holds back.
// (Statements of many rows are sent as they come.)
bool is_single_edit(const Change& change) { return change.row_count == 1 && change.cursor.at_start(); }

// The installations of one row's audiences, merged in id order without
// repeats. A list that came back full may go on beyond its last id, so the
// walk stops there (`frontier`): the next claim reads on from it.
class MergedAudience {
 public:
  MergedAudience(std::vector<const std::vector<Installation>*> lists, std::size_t limit) : lists_(std::move(lists)) {
    positions_.assign(lists_.size(), 0);
    for (const auto* list : lists_)
      if (list->size() >= limit && (!frontier_ || list->back().id < *frontier_)) frontier_ = list->back().id;
  }

  // The next installation, or null at the end (or at the frontier).
  const Installation* next() {
    const Installation* best = nullptr;
    for (std::size_t i = 0; i < lists_.size(); ++i) {
      if (positions_[i] >= lists_[i]->size()) continue;
      const Installation& candidate = (*lists_[i])[positions_[i]];
      if (!best || candidate.id < best->id) best = &candidate;
    }
    if (!best || (frontier_ && best->id > *frontier_)) return nullptr;
    for (std::size_t i = 0; i < lists_.size(); ++i)
      if (positions_[i] < lists_[i]->size() && (*lists_[i])[positions_[i]].id == best->id) ++positions_[i];
    return best;
  }
  // Whether the walk ended at the frontier rather than at the end of every list.
  bool stopped_at_frontier() const { return frontier_.has_value(); }
  const std::string& frontier() const { return *frontier_; }

 private:
  std::vector<const std::vector<Installation>*> lists_;
  std::vector<std::size_t> positions_;
  std::optional<std::string> frontier_;
};

}  // namespace

// The distinct audiences a batch reads, each once; rows refer to them by index.
struct Router::Audiences {
  std::vector<AudienceKey> keys;
  std::unordered_map<std::string, std::size_t> index;  // tag + '\0' + after

  std::size_t of(const std::string& tag, const std::string& after) {
    auto [it, fresh] = index.try_emplace(tag + '\0' + after, keys.size());
    if (fresh) keys.push_back({tag, after});
    return it->second;
  }
};

// One change as the walk sees it: its table (null for a direct push) and,
// per row, the audiences to read (null: the row cannot be routed).
struct Router::Addressed {
  std::size_t change;
  const config::TableConfig* table;
  std::vector<std::optional<std::vector<std::size_t>>> rows;
};

std::vector<std::string> Router::tags_of(const RowChange& row, const config::TableConfig& table,
                                         Directory& directory) const {
  std::set<std::string> tags;
  add_constant_tags(table, tags);
  add_template_tags(row.old_values, table, tags);
  add_template_tags(row.new_values, table, tags);
  if (table.tags_sql) {
    std::set<std::vector<std::optional<std::string>>> arg_sets;
    for (const auto* values : {&row.old_values, &row.new_values})
      if (!values->is_null()) arg_sets.insert(sql_args(*values, table));
    for (const auto& args : arg_sets)
      for (auto& tag : directory.tags_from_sql(*table.tags_sql, args)) tags.insert(std::move(tag));
  }
  return {tags.begin(), tags.end()};
}

// Decides each change's table, hold-back and rows' audiences (no budget yet).
std::vector<Router::Addressed> Router::address(RoutedBatch& batch, Directory& directory, DbTime now,
                                              Audiences& audiences) {
  std::vector<Addressed> out;
  for (std::size_t c = 0; c < batch.changes.size(); ++c) {
    const Change& change = batch.changes[c];
    ChangeFate& fate = batch.fates[c];
    if (change.rows.empty()) continue;  // deferred by the claim
    static const std::string none;
    auto keys_for = [&](std::size_t row, const std::vector<std::string>& tags) {
      const std::string& after = row == 0 ? change.cursor.after : none;
      std::vector<std::size_t> keys;
      for (const auto& tag : tags) keys.push_back(audiences.of(tag, after));
      return keys;
    };
    if (change.table_key.empty()) {  // `pushsync send` / the push API
      out.push_back({c, nullptr, {keys_for(0, direct_push_tags(change))}});
      continue;
    }
    const auto* table = config_.find_table(change.table_key);
    if (!table) {
      fate = {ChangeFate::Kind::unroutable, {}, {}, "table_not_configured"};
      continue;
    }
    if (is_single_edit(change)) {
      if (auto until = recent_.hold_back({table->name, change.rows[0].row_id}, now)) {
        fate = {ChangeFate::Kind::held_back, {}, *until, ""};
        continue;
      }
    }
    Addressed a{c, table, {}};
    for (std::size_t r = 0; r < change.rows.size(); ++r) {
      try {
        a.rows.emplace_back(keys_for(r, tags_of(change.rows[r], *table, directory)));
      } catch (const std::exception& e) {
        batch.unroutable_rows.push_back({c, r, std::string("tags_sql_failed: ") + e.what()});
        a.rows.emplace_back(std::nullopt);
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

RoutedBatch Router::route(std::vector<Change> changes, std::vector<Push> retries, Directory& directory, DbTime now,
                          int push_budget) {
  RoutedBatch batch;
  batch.claimed_at = now;
  batch.changes = std::move(changes);
  batch.fates.resize(batch.changes.size());

  // (installation, record) -> index in batch.pushes: one push per device and record.
  std::map<std::pair<std::string, std::string>, std::size_t> coalesced;
  for (auto& retry : retries) {
    if (retry.target.id.empty()) {
      batch.stale.push_back(*retry.origin.delivery);
      continue;
    }
    coalesced.emplace(std::make_pair(retry.target.id, retry.origin.record), batch.pushes.size());
    batch.pushes.push_back(std::move(retry));
  }
  auto budget = static_cast<std::size_t>(std::max(1, push_budget - static_cast<int>(batch.pushes.size())));

  Audiences audiences;
  auto addressed = address(batch, directory, now, audiences);
  // One more than the budget: a list that comes back full may go on.
  const std::size_t limit = budget + 1;
  std::vector<std::vector<Installation>> lists;
  if (!audiences.keys.empty()) lists = directory.audiences(audiences.keys, static_cast<int>(limit));

  // Adds a push for `installation`; a later change of the same record
  // replaces the payload of the one already in the batch.
  auto add = [&](const Installation& installation, Push payload) {
    auto [it, fresh] = coalesced.try_emplace({installation.id, payload.origin.record}, batch.pushes.size());
    if (fresh) {
      payload.target = installation;
      batch.pushes.push_back(std::move(payload));
      return true;
    }
    Push& existing = batch.pushes[it->second];
    if (existing.origin.change_id >= payload.origin.change_id) return false;
    payload.target = installation;
    payload.origin.delivery = existing.origin.delivery;
    payload.origin.attempts = existing.origin.attempts;
    existing = std::move(payload);
    return false;
  };

  std::size_t used = 0;
  for (const auto& a : addressed) {
    const Change& change = batch.changes[a.change];
    ChangeFate& fate = batch.fates[a.change];
    if (batch.cut) break;  // the rest stays deferred
    fate.kind = ChangeFate::Kind::done;
    for (std::size_t r = 0; r < a.rows.size() && !batch.cut; ++r) {
      ++batch.rows_routed;
      if (!a.rows[r]) continue;
      const RowChange& row = change.rows[r];
      Push payload = a.table ? build_push(change, row, *a.table) : build_direct_push(change);
      std::vector<const std::vector<Installation>*> row_lists;
      for (auto key : *a.rows[r]) row_lists.push_back(&lists[key]);
      MergedAudience merged(std::move(row_lists), limit);
      const int absolute_row = change.cursor.row + static_cast<int>(r);
      std::string last = r == 0 ? change.cursor.after : "";
      while (const Installation* installation = merged.next()) {
        if (used == budget) {
          fate = {ChangeFate::Kind::cut, {absolute_row, last}, {}, ""};
          batch.cut = true;
          break;
        }
        last = installation->id;
        if (!config_.delivery.deliver_to_originator && installation->id == change.originator) continue;
        used += add(*installation, payload);
      }
      if (!batch.cut && merged.stopped_at_frontier()) {
        fate = {ChangeFate::Kind::cut, {absolute_row, merged.frontier()}, {}, ""};
        batch.cut = true;
      }
    }
    const int next_row = change.cursor.row + static_cast<int>(change.rows.size());
    if (!batch.cut && next_row < change.row_count) {  // the claim took only part of its rows
      fate = {ChangeFate::Kind::cut, {next_row, ""}, {}, ""};
      batch.cut = true;
    }
    if (fate.kind == ChangeFate::Kind::cut && fate.cursor == change.cursor) {
      fate.kind = ChangeFate::Kind::deferred;  // cut before it began: nothing to record
      continue;
    }
    if (a.table && is_single_edit(change)) recent_.pushed({a.table->name, change.rows[0].row_id}, now);
  }
  for (const auto& fate : batch.fates) batch.cut = batch.cut || fate.kind == ChangeFate::Kind::deferred;
  return batch;
}

void fold_into_pending(RoutedBatch& batch, const std::map<std::pair<std::string, std::string>, DeliveryId>& pending) {
  if (pending.empty()) return;
  std::vector<Push> sent;
  sent.reserve(batch.pushes.size());
  for (auto& push : batch.pushes) {
    auto it = push.origin.delivery ? pending.end() : pending.find({push.target.id, push.origin.record});
    if (it == pending.end())
      sent.push_back(std::move(push));
    else
      batch.folds.push_back({it->second, std::move(push)});
  }
  batch.pushes = std::move(sent);
}

}  // namespace pushsync::route
