#include "sidecar/db/pg_directory.hpp"

#include <algorithm>
#include <limits>

#include <pqxx/pqxx>
#include <pqxx/prepared_statement>

#include "sidecar/db/sql_text.hpp"

namespace pushsync::db {

namespace {

// Installations of one tag: a range of the (tag, installation_id) index,
// read from key.after on, at most $3 of them. The side table's ids sort
// bytewise ("C"); they are compared in the installations' own collation
// for the join, so that its primary key serves it. The implicit tag
// $InstallationId:{id} (as in Azure Notification Hubs) is the installation
// itself.
std::string audience_rows(const std::string& schema) {
  const std::string prefix = quote_literal(route::installation_tag_prefix);
  const std::string id_from_tag = "substr(k.tag, " + std::to_string(route::installation_tag_prefix.size() + 1) + ")";
  return "(SELECT i.installation_id, i.platform, i.push_channel FROM " + schema + ".installation_tags t JOIN " +
         schema + ".installations i ON i.installation_id = (t.installation_id COLLATE \"default\") "
         "WHERE t.tag = k.tag AND t.installation_id > k.after COLLATE \"C\" AND i.disabled_at IS NULL "
         "ORDER BY t.installation_id LIMIT $3) "
         "UNION ALL (SELECT i.installation_id, i.platform, i.push_channel FROM " + schema + ".installations i "
         "WHERE starts_with(k.tag, " + prefix + ") AND i.installation_id = " + id_from_tag +
         " AND i.installation_id COLLATE \"C\" > k.after AND i.disabled_at IS NULL)";
}

// Rows of (key number from 1, id, platform, channel) as one list per key.
std::vector<std::vector<Installation>> lists_of(const pqxx::result& rows, std::size_t keys) {
  std::vector<std::vector<Installation>> out(keys);
  for (const auto& row : rows) {
    auto platform = parse_platform(row[2].as<std::string>());
    if (!platform) continue;  // the CHECK constraint makes this unreachable for our own table
    out[row[0].as<std::size_t>() - 1].push_back({row[1].as<std::string>(), *platform, row[3].as<std::string>()});
  }
  return out;
}

}  // namespace

PgDirectory::PgDirectory(pqxx::dbtransaction& tx, const std::string& schema) : tx_(tx), schema_(quote_ident(schema)) {}

std::vector<std::vector<Installation>> PgDirectory::audiences(const std::vector<route::AudienceKey>& keys, int limit) {
  if (std::all_of(keys.begin(), keys.end(), [](const auto& key) { return key.after.empty(); }))
    if (auto whole = whole_audiences(keys, limit)) return *whole;
  return audiences_in_chunks(keys, limit);
}

// Every installation of the keys' tags, when fewer than `limit` rows in
// all: a plain join, twice as fast as reading each tag's range apart.
std::optional<std::vector<std::vector<Installation>>> PgDirectory::whole_audiences(
    const std::vector<route::AudienceKey>& keys, int limit) {
  std::vector<std::string> tags;
  for (const auto& key : keys) tags.push_back(key.tag);
  const std::string id_from_tag = "substr(k.tag, " + std::to_string(route::installation_tag_prefix.size() + 1) + ")";
  tx_.conn().prepare("pushsync_whole_audiences",
                     "SELECT k.n, i.installation_id, i.platform, i.push_channel "
                     "FROM unnest($1::text[]) WITH ORDINALITY AS k(tag, n) JOIN " + schema_ +
                         ".installation_tags t ON t.tag = k.tag JOIN " + schema_ +
                         ".installations i ON i.installation_id = (t.installation_id COLLATE \"default\") "
                         "WHERE i.disabled_at IS NULL "
                         "UNION ALL SELECT k.n, i.installation_id, i.platform, i.push_channel "
                         "FROM unnest($1::text[]) WITH ORDINALITY AS k(tag, n) JOIN " + schema_ +
                         ".installations i ON i.installation_id = " + id_from_tag + " WHERE starts_with(k.tag, " +
                         quote_literal(route::installation_tag_prefix) + ") AND i.disabled_at IS NULL LIMIT $2");
  auto rows = tx_.exec_prepared("pushsync_whole_audiences", text_array_literal(tags), limit);
  if (static_cast<int>(rows.size()) >= limit) return std::nullopt;  // some are larger: read them in chunks
  auto out = lists_of(rows, keys.size());
  for (auto& list : out)
    std::sort(list.begin(), list.end(), [](const Installation& a, const Installation& b) { return a.id < b.id; });
  return out;
}

std::vector<std::vector<Installation>> PgDirectory::audiences_in_chunks(const std::vector<route::AudienceKey>& keys,
                                                                        int limit) {
  std::vector<std::string> tags, afters;
  for (const auto& key : keys) tags.push_back(key.tag), afters.push_back(key.after);
  // Prepared once per connection, so planned once.
  tx_.conn().prepare("pushsync_audiences",
                     "SELECT k.n, a.installation_id, a.platform, a.push_channel "
                     "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(tag, after, n) "
                     "CROSS JOIN LATERAL (" + audience_rows(schema_) + ") a "
                     "ORDER BY k.n, a.installation_id COLLATE \"C\"");
  return lists_of(
      tx_.exec_prepared("pushsync_audiences", text_array_literal(tags), text_array_literal(afters), limit),
      keys.size());
}

long long PgDirectory::count(const std::vector<std::string>& tags) {
  return tx_
      .exec_params1("SELECT count(DISTINCT a.installation_id) FROM unnest($1::text[], $2::text[]) AS k(tag, after) "
                    "CROSS JOIN LATERAL (" + audience_rows(schema_) + ") a",
                    text_array_literal(tags), text_array_literal(std::vector<std::string>(tags.size())),
                    std::numeric_limits<int>::max())[0]
      .as<long long>();
}

std::vector<std::string> PgDirectory::tags_from_sql(const std::string& sql,
                                                    const std::vector<std::optional<std::string>>& args) {
  // In a savepoint that is always rolled back: a failing query spoils
  // nothing, and the app's query is planned with the session's own
  // settings, not the claim's (which turns bitmap scans off).
  // Plain statements: libpqxx 6.4's subtransaction never sends its
  // SAVEPOINT when the first statement is exec_params.
  tx_.exec("SAVEPOINT tags_sql; SET LOCAL enable_bitmapscan = on");
  pqxx::result rows;
  try {
    rows = tx_.exec_params(sql, pqxx::prepare::make_dynamic_params(args));
  } catch (const pqxx::sql_error&) {
    tx_.exec("ROLLBACK TO SAVEPOINT tags_sql");
    throw;
  }
  tx_.exec("ROLLBACK TO SAVEPOINT tags_sql");
  std::vector<std::string> out;
  for (const auto& row : rows)
    if (!row[0].is_null()) out.push_back(row[0].as<std::string>());
  return out;
}

}  // namespace pushsync::db
