#include "sidecar/capture/settlement.hpp"

#include "sidecar/route/push_document.hpp"

namespace pushsync::capture {

namespace {

using Kind = push::Outcome::Kind;

nlohmann::json payload_of(const Push& push) { return nlohmann::json(push.fields); }

db::Settlement::DeadLetter dead_letter(const Push& push, std::string reason) {
  const PushOrigin& o = push.origin;
  return {o.change_id,      o.table_key,        o.op,   o.row_id, o.changed_at, push.target.id,
          std::string(to_string(push.target.platform)), std::move(reason), payload_of(push),
          route::push_document(push), o.record};
}

// One push that did not get through.
void settle_failed(const Push& push, const push::Outcome& outcome, int max_attempts, Backoff& backoff,
                   db::Settlement& s) {
  const bool counts = outcome.kind == Kind::retry;  // a provider that is down uses up no attempt
  const int attempts = push.origin.attempts + (counts ? 1 : 0);
  if (counts && attempts >= max_attempts) {
    s.dead_letters.push_back(dead_letter(push, "max_attempts: " + outcome.reason));
    if (push.origin.delivery) s.delivered.push_back(*push.origin.delivery);
    return;
  }
  const Duration delay = counts ? std::max(outcome.retry_after, backoff.delay(attempts)) : outcome.retry_after;
  s.retries.push_back({push.target.id, push.origin, route::push_document(push), delay, attempts, outcome.reason});
}

void settle_push(const Push& push, const push::Outcome& outcome, int max_attempts, Backoff& backoff,
                 db::Settlement& s) {
  switch (outcome.kind) {
    case Kind::accepted: break;
    case Kind::invalid_token: s.invalid_tokens.push_back({push.target.id, outcome.reason}); break;
    case Kind::dead: s.dead_letters.push_back(dead_letter(push, outcome.reason)); break;
    case Kind::retry:
    case Kind::provider_down: return settle_failed(push, outcome, max_attempts, backoff, s);
  }
  if (push.origin.delivery) s.delivered.push_back(*push.origin.delivery);
}

using Fate = route::ChangeFate::Kind;

db::Settlement::DeadLetter unroutable(const Change& change, const std::string& reason) {
  return {change.id, change.table_key, change.rows.empty() ? "" : std::string(to_string(change.rows[0].op)),
          change.rows.empty() ? "" : change.rows[0].row_id, change.created_at, "", "", reason, nullptr, nullptr, ""};
}

// A change read from the capture log needs nothing written once the log is
// read past it, unless it has to wait: then it moves to db changes.
void settle_logged(const Change& change, const route::ChangeFate& fate, db::Settlement& s) {
  switch (fate.kind) {
    case Fate::cut: s.kept.push_back({*change.logged, fate.cursor, std::nullopt}); return;
    case Fate::held_back: s.kept.push_back({*change.logged, {}, fate.until}); return;
    case Fate::unroutable: s.dead_letters.push_back(unroutable(change, fate.reason)); return;
    case Fate::done:
    case Fate::deferred: return;
  }
}

void settle_change(const route::RoutedBatch& batch, std::size_t index, db::Settlement& s) {
  const Change& change = batch.changes[index];
  const route::ChangeFate& fate = batch.fates[index];
  if (change.logged) return settle_logged(change, fate, s);
  switch (fate.kind) {
    case Fate::deferred: return;
    case Fate::cut: s.progress.push_back({change.id, fate.cursor}); return;
    case Fate::held_back: s.held_back.push_back({change.id, fate.until}); return;
    case Fate::unroutable: s.dead_letters.push_back(unroutable(change, fate.reason)); [[fallthrough]];
    case Fate::done: s.done.push_back(change.id); return;
  }
}

// How far the capture log is read once the batch settles: its whole window
// when the claim took all of it and none was deferred; else up to the last
// log change the batch took on (the deferred ones, a suffix after a cut, are
// read again by the next claim).
std::optional<db::Settlement::LogProgress> log_progress(const route::RoutedBatch& batch) {
  if (!batch.log_window) return std::nullopt;
  const LogWindow& window = *batch.log_window;
  if (!window.read_any && !window.resumed) return std::nullopt;  // nothing read, nothing begun: nothing to record
  const LogPosition* last = nullptr;
  bool deferred = false;
  for (std::size_t i = 0; i < batch.changes.size(); ++i) {
    if (!batch.changes[i].logged) continue;
    deferred = deferred || batch.fates[i].kind == Fate::deferred;
    if (!deferred) last = &*batch.changes[i].logged;
  }
  if (window.read_all && !deferred) return db::Settlement::LogProgress{window.target, "", std::nullopt};
  if (!last) return std::nullopt;
  return db::Settlement::LogProgress{window.read_to, window.target, *last};
}

}  // namespace

db::Settlement settle(const route::RoutedBatch& batch, const std::vector<push::Outcome>& outcomes, int max_attempts,
                      Backoff& backoff) {
  db::Settlement s;
  for (std::size_t i = 0; i < batch.pushes.size(); ++i)
    settle_push(batch.pushes[i], outcomes.at(i), max_attempts, backoff, s);
  for (const auto& fold : batch.folds)
    s.folds.push_back({fold.delivery, fold.push.origin, route::push_document(fold.push)});
  for (const auto& row : batch.unroutable_rows) {
    const Change& change = batch.changes[row.change];
    const RowChange& r = change.rows[row.row];
    s.dead_letters.push_back({change.id, change.table_key, std::string(to_string(r.op)), r.row_id, change.created_at,
                              "", "", row.reason, nullptr, nullptr, ""});
  }
  s.delivered.insert(s.delivered.end(), batch.stale.begin(), batch.stale.end());
  for (std::size_t i = 0; i < batch.changes.size(); ++i) settle_change(batch, i, s);
  s.log = log_progress(batch);
  return s;
}

std::optional<LogState> log_left_by(const route::RoutedBatch& batch) {
  if (!batch.log_window) return std::nullopt;
  if (auto progress = log_progress(batch)) return progress;
  const LogWindow& w = *batch.log_window;
  return w.resumed ? LogState{w.read_to, w.target, w.after} : LogState{w.read_to, "", std::nullopt};
}

}  // namespace pushsync::capture
