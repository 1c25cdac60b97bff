#include "sidecar/config/units.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>

namespace pushsync::config {

namespace {

struct NumberAndUnit {
  std::uint64_t number;
  std::string_view unit;
  std::string_view rest;
};

std::optional<NumberAndUnit> next_number_and_unit(std::string_view s) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end == s.data()) return std::nullopt;
  std::size_t digits = static_cast<std::size_t>(end - s.data());
  std::size_t unit_end = digits;
  while (unit_end < s.size() && std::isalpha(static_cast<unsigned char>(s[unit_end]))) ++unit_end;
  return NumberAndUnit{n, s.substr(digits, unit_end - digits), s.substr(unit_end)};
}

std::optional<std::uint64_t> millis_per(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  return std::nullopt;
}

std::optional<std::uint64_t> bytes_per(std::string_view unit) {
  if (unit.empty() || unit == "B") return 1;
  if (unit == "KiB") return 1024;
  if (unit == "MiB") return 1024 * 1024;
  if (unit == "GiB") return 1024ull * 1024 * 1024;
  if (unit == "kB" || unit == "KB") return 1000;
  if (unit == "MB") return 1000 * 1000;
  if (unit == "GB") return 1000ull * 1000 * 1000;
  return std::nullopt;
}

constexpr std::uint64_t max_value = std::uint64_t{1} << 50;

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t total = 0;
  while (!text.empty()) {
    auto part = next_number_and_unit(text);
    if (!part || part->number > max_value) return std::nullopt;
    auto scale = millis_per(part->unit);
    if (!scale) return std::nullopt;
    total += part->number * *scale;
    if (total > max_value) return std::nullopt;
    text = part->rest;
  }
  return Duration(static_cast<Duration::rep>(total));
}

std::optional<std::size_t> parse_size(std::string_view text) {
  auto part = next_number_and_unit(text);
  if (!part || !part->rest.empty() || part->number > max_value) return std::nullopt;
  auto scale = bytes_per(part->unit);
  if (!scale || part->number * *scale > max_value) return std::nullopt;
  return static_cast<std::size_t>(part->number * *scale);
}

}  // namespace pushsync::config
