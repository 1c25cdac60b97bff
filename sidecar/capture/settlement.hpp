#pragma once

#include <vector>

#include "sidecar/util/backoff.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/push/outcome.hpp"
#include "sidecar/route/router.hpp"

namespace pushsync::capture {

// Turns a routed batch and the providers' answers into outbox writes:
// a change is done when every push it caused is accepted or given up; if
// any of them must be retried, the whole change is (duplicates to the
// devices that already got it are the at-least-once price), until
// max_attempts, after which it is dead-lettered. A change whose only
// problem is a provider that cannot send at all waits without using up an
// attempt. Changes the router held
// back (coalesce window) go back to the outbox without using up an attempt.
db::Settlement settle(const route::RoutedBatch& batch, const std::vector<push::Outcome>& outcomes, int max_attempts,
                      Backoff& backoff);

}  // namespace pushsync::capture
