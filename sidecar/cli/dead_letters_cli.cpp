#include "sidecar/cli/dead_letters_cli.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sidecar/cli/progress_line.hpp"
#include "sidecar/util/json_text.hpp"

namespace pushsync::cli {

namespace {

std::string joined(const std::vector<long long>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
  return out;
}

// Long cells are cut (ending in "~") so that one letter stays on one line.
std::string cell(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  return text.substr(0, max - 1) + "~";
}

void print_table(const std::vector<db::DeadLetterRecord>& letters, std::ostream& out) {
  const std::vector<std::string> head{"ID", "FAILED AT", "TABLE", "OP", "ROW", "INSTALLATION", "PLATFORM", "REASON"};
  std::vector<std::vector<std::string>> rows{head};
  for (const auto& d : letters)
    rows.push_back({std::to_string(d.id), d.failed_at.substr(0, 19) + "Z", cell(d.table, 30), d.op,
                    cell(d.row_id, 24), cell(d.installation_id.value_or("-"), 30), d.platform.value_or("-"),
                    cell(d.reason, 80)});
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i)
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], width[i]);
    out << line << "\n";
  }
}

}  // namespace

int list_dead_letters(pqxx::connection& conn, const std::string& schema, const db::DeadLetterQuery& query,
                      bool json, std::ostream& out) {
  auto letters = db::DeadLetters(schema).list(conn, query);
  if (json) {
    for (const auto& d : letters) out << json_text(d.to_json()) << "\n";
  } else if (letters.empty()) {
    out << "no dead letters\n";
  } else {
    print_table(letters, out);
  }
  return 0;
}

int retry_dead_letters(pqxx::connection& conn, const std::string& schema, const std::vector<long long>& ids,
                       const std::string& since, std::ostream& out, std::ostream& err) {
  db::DeadLetters store(schema);
  db::RetryReport report;
  if (ids.empty()) {
    ProgressLine progress;
    report = store.retry_all(conn, since, [&progress](long long done, long long total) {
      progress.show(fmt::format("dead-letters retry: {} of {} done", done, total));
    });
  } else {
    report = store.retry(conn, ids);
  }
  out << "requeued " << report.requeued.size() << " push(es)"
      << (report.requeued.empty() ? "" : ": " + joined(report.requeued)) << "\n";
  if (!report.not_retryable.empty())
    err << "not retryable (the change itself failed; nothing was built for a device): "
        << joined(report.not_retryable) << "\n";
  if (!report.not_found.empty()) err << "no such dead letter: " << joined(report.not_found) << "\n";
  return report.not_found.empty() && report.not_retryable.empty() ? 0 : 1;
}

int purge_dead_letters(pqxx::connection& conn, const std::string& schema, const std::string& before,
                       std::ostream& out) {
  out << "purged " << db::DeadLetters(schema).purge(conn, before) << " dead letter(s) failed before " << before
      << "\n";
  return 0;
}

}  // namespace pushsync::cli
