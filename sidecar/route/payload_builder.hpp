#pragma once

#include "sidecar/config/config.hpp"
#include "sidecar/model/change.hpp"
#include "sidecar/model/push.hpp"

namespace pushsync::route {

inline constexpr std::size_t max_collapse_id = 64;

// The SPEC §5 payload for one row of a change, without a target: message,
// table, op, id, orig and the table's payload.data, plus alert fields for
// alert kind.
Push build_push(const Change& change, const RowChange& row, const config::TableConfig& table);

// A direct push (`pushsync send`, the push API): a change with no table
// whose new values are {tags, alert, sound, badge, data}; its fields are
// `data` as given, alert kind when it has an alert.
Push build_direct_push(const Change& change);
std::vector<std::string> direct_push_tags(const Change& change);

}  // namespace pushsync::route
