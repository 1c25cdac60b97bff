#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "sidecar/model/duration.hpp"

namespace pushsync::route {

// delivery.coalesce_window: remembers when each record (table, id) was last
// pushed by this sidecar. A change of a record pushed less than a window
// ago is held back until the window ends, so a burst of edits becomes one
// push right away and one after the window, however long the burst. Times
// are the database's (the claim's now()), so every held-back change of a
// record gets the same deadline and they are claimed together.
// Used on the database thread only.
class RecentPushes {
 public:
  explicit RecentPushes(Duration window) : window_(window) {}

  // Until when a change of `record` must wait, or nullopt to push it now.
  std::optional<DbTime> hold_back(const std::pair<std::string, std::string>& record, DbTime now);
  void pushed(std::pair<std::string, std::string> record, DbTime now);

 private:
  void forget_older_than(DbTime limit);

  Duration window_;
  std::map<std::pair<std::string, std::string>, DbTime> last_push_;
  std::deque<std::pair<DbTime, std::pair<std::string, std::string>>> order_;
};

}  // namespace pushsync::route
