#pragma once

#include <optional>
#include <string_view>

namespace pushsync {

enum class Op { insert, update, remove };

constexpr std::string_view to_string(Op op) {
  switch (op) {
    case Op::insert: return "insert";
    case Op::update: return "update";
    case Op::remove: return "delete";
  }
  return "?";
}

constexpr std::optional<Op> parse_op(std::string_view s) {
  if (s == "insert") return Op::insert;
  if (s == "update") return Op::update;
  if (s == "delete") return Op::remove;
  return std::nullopt;
}

}  // namespace pushsync
