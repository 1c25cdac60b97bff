#pragma once

namespace pushsync {

// What waits in the database to be delivered. Each count stops at
// `counted_to` (a count is a bounded read, never a scan of a big table):
// a figure equal to it means "at least".
struct Backlog {
  static constexpr long long counted_to = 100000;

  long long changes = 0;         // rows of the outbox
  double oldest_seconds = 0;     // age of the oldest one
  long long ws_mailbox = 0;      // pushes not yet acknowledged by ws devices
  long long deliveries = 0;      // pushes waiting to be retried
  long long dead_letters = 0;    // pushes given up on, kept for a person to act on
};

}  // namespace pushsync
