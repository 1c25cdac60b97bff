#pragma once

#include <optional>
#include <vector>

#include "sidecar/util/backoff.hpp"
#include "sidecar/db/outbox.hpp"
#include "sidecar/push/outcome.hpp"
#include "sidecar/route/router.hpp"

namespace pushsync::capture {

// Turns a routed batch and the providers' answers into outbox writes, one
// push at a time: an accepted push is done; one to retry waits in
// deliveries with its own attempts and backoff (Retry-After honoured)
// until max_attempts, after which it is dead-lettered; one whose provider
// cannot send at all waits without using up an attempt; an invalid token
// disables its installation. A change is done once its fan-out is
// finished, whatever became of its pushes; a cut one records its cursor,
// a held-back one its new due time.
db::Settlement settle(const route::RoutedBatch& batch, const std::vector<push::Outcome>& outcomes, int max_attempts,
                      Backoff& backoff);

// Where the capture log will be read to once `batch` is settled (what its
// settlement writes, or, if nothing, where its claim found it); nullopt if
// it did not read the log.
std::optional<LogState> log_left_by(const route::RoutedBatch& batch);

}  // namespace pushsync::capture
