#include "sidecar/util/moment.hpp"

#include <charconv>
#include <regex>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace pushsync {

bool is_rfc3339(std::string_view text) {
  static const std::regex rfc3339(R"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))");
  return std::regex_match(text.begin(), text.end(), rfc3339);
}

std::optional<std::string> parse_moment(std::string_view text, std::chrono::system_clock::time_point now) {
  if (is_rfc3339(text)) return std::string(text);
  long long amount = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (error != std::errc{} || end == text.data() || amount < 0) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  long long unit_seconds = 0;
  if (unit == "s") unit_seconds = 1;
  else if (unit == "m") unit_seconds = 60;
  else if (unit == "h") unit_seconds = 3600;
  else if (unit == "d") unit_seconds = 86400;
  else return std::nullopt;
  // Further back than that is no moment (and would overflow the clock's nanoseconds).
  constexpr long long max_span_seconds = 100LL * 366 * 86400;
  if (amount > max_span_seconds / unit_seconds) return std::nullopt;
  return rfc3339(now - std::chrono::seconds(amount * unit_seconds));
}

std::string rfc3339(std::chrono::system_clock::time_point at) {
  auto micros = std::chrono::floor<std::chrono::microseconds>(at);
  auto seconds = std::chrono::floor<std::chrono::seconds>(micros);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(seconds)),
                     (micros - seconds).count());
}

}  // namespace pushsync
