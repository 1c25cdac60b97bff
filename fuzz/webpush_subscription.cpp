#include <string>

#include "fuzz/targets.hpp"
#include "sidecar/push/webpush/allowed_origins.hpp"
#include "sidecar/push/webpush/subscription.hpp"

namespace pushsync::fuzz {

// A registration's pushChannel: parsed (both checks), refused with a reason,
// or kept in its stored form, which reads back as the same subscription.
void webpush_subscription(Input input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  static const push::webpush::AllowedOrigins browsers(std::nullopt);
  auto parsed = push::webpush::parse_subscription(text, push::webpush::KeyCheck::length_only);
  if (!parsed.subscription) {
    expect(!parsed.why.empty(), "a refused subscription says why");
    return;
  }
  auto on_curve = push::webpush::parse_subscription(text, push::webpush::KeyCheck::on_curve);
  browsers.allows(parsed.subscription->endpoint.endpoint);
  auto stored = push::webpush::stored_form(text);
  auto again = push::webpush::parse_subscription(stored, push::webpush::KeyCheck::length_only);
  expect(again.subscription.has_value(), "the stored form of a subscription is one");
  expect(again.subscription->origin == parsed.subscription->origin &&
             again.subscription->endpoint.path == parsed.subscription->endpoint.path,
         "the stored form names the same endpoint");
  if (on_curve.subscription) {
    auto stored_on_curve = push::webpush::parse_subscription(stored, push::webpush::KeyCheck::on_curve);
    expect(stored_on_curve.subscription.has_value(), "the stored form keeps the keys");
  }
}

}  // namespace pushsync::fuzz
