#include "sidecar/util/moment.hpp"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

namespace pushsync {

namespace {

// Reads text from left to right; each step consumes what it accepts.
// (std::regex made this file take 6.7 s to compile instead of 2.0 s.)
struct Scan {
  std::string_view text;
  std::size_t at = 0;

  bool digit() { return accept(at < text.size() && text[at] >= '0' && text[at] <= '9'); }
  bool digits(int count) {
    for (int i = 0; i < count; ++i)
      if (!digit()) return false;
    return true;
  }
  bool one_of(std::string_view chars) {
    return accept(at < text.size() && chars.find(text[at]) != std::string_view::npos);
  }
  bool done() const { return at == text.size(); }

 private:
  bool accept(bool accepted) {
    if (accepted) ++at;
    return accepted;
  }
};

}  // namespace

// \d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})
bool is_rfc3339(std::string_view text) {
  Scan scan{text};
  bool date_time = scan.digits(4) && scan.one_of("-") && scan.digits(2) && scan.one_of("-") && scan.digits(2) &&
                   scan.one_of("Tt ") && scan.digits(2) && scan.one_of(":") && scan.digits(2) && scan.one_of(":") &&
                   scan.digits(2);
  if (!date_time) return false;
  if (scan.one_of(".")) {
    int fraction = 0;
    while (scan.digit()) ++fraction;
    if (fraction < 1 || fraction > 9) return false;
  }
  if (scan.one_of("Zz")) return scan.done();
  return scan.one_of("+-") && scan.digits(2) && scan.one_of(":") && scan.digits(2) && scan.done();
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
  std::time_t time = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, (micros - seconds).count());
}

}  // namespace pushsync
