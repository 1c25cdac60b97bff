#include <string>

#include "fuzz/targets.hpp"
#include "sidecar/api/listen_address.hpp"
#include "sidecar/api/request_body.hpp"
#include "sidecar/config/env_subst.hpp"
#include "sidecar/config/origin_pattern.hpp"
#include "sidecar/config/template.hpp"
#include "sidecar/config/units.hpp"
#include "sidecar/db/ws_mailbox.hpp"
#include "sidecar/db/ws_revocation.hpp"
#include "sidecar/http2/url.hpp"
#include "sidecar/util/base64url.hpp"
#include "sidecar/util/moment.hpp"
#include "sidecar/util/utf8.hpp"

namespace pushsync::fuzz {

namespace {

void url(const std::string& text) {
  if (auto url = http2::parse_https_url(text)) expect(!url->endpoint.host.empty(), "a URL has a host");
}

void origin_pattern(const std::string& text) {
  if (auto pattern = config::parse_origin_pattern(text))
    for (char c : pattern->host) expect(!(c >= 'A' && c <= 'Z'), "an origin pattern is kept in lower case");
}

void template_text(const std::string& text) {
  try {
    auto parsed = config::Template::parse(text);
    auto rendered = parsed.render([](const std::string& name) { return std::optional<std::string>("<" + name + ">"); });
    expect(rendered.has_value(), "a template renders when every name has a value");
  } catch (const std::invalid_argument&) {
  }
}

void units(const std::string& text) {
  if (auto d = config::parse_duration(text)) expect(d->count() >= 0, "a duration is not negative");
  config::parse_size(text);
}

void env(const std::string& text) {
  try {
    config::substitute_env(text, [](const std::string& name) {
      return name == "UNSET" ? std::nullopt : std::optional<std::string>("v");
    });
  } catch (const std::invalid_argument&) {
  }
}

void moment(const std::string& text) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  if (auto m = parse_moment(text, now)) expect(is_rfc3339(*m), "a moment is given back as RFC 3339");
}

// What other sidecars NOTIFY on the ws channel.
void notices(const std::string& text) {
  if (auto revocation = db::WsRevocation::parse(text))
    expect(db::WsRevocation::parse(revocation->payload()).has_value(), "a revocation's payload parses again");
  std::int64_t first = 0, last = 0;
  db::WsMailbox::parse_range(text, first, last);
}

void form(const std::string& text) {
  try {
    api::query_of("/v1/dead-letters?" + text);
    for (const auto& [name, values] : api::parse_form(text)) {
      expect(is_valid_utf8(name), "a form field's name is UTF-8");
      for (const auto& value : values) expect(is_valid_utf8(value), "a form field's value is UTF-8");
    }
  } catch (const api::ApiError& e) {
    expect(e.status == 400, "a malformed form is a 400");
  }
}

void base64url(const std::string& text) {
  if (auto bytes = base64url_decode(text)) expect(base64url_decode(base64url_encode(*bytes)) == bytes, "base64url round-trips");
}

void listen(const std::string& text) {
  try {
    api::parse_listen(text);
  } catch (const std::runtime_error&) {
  }
}

void excerpt(const std::string& text) {
  for (std::size_t limit : {0, 1, 3, 200}) {
    auto out = utf8_excerpt(text, limit);
    expect(out.size() <= limit && is_valid_utf8(out), "an excerpt is UTF-8 within its limit");
  }
}

constexpr void (*parsers[])(const std::string&) = {url,   origin_pattern, template_text, units, env,    moment,
                                                     notices, form,          base64url,   listen, excerpt};

}  // namespace

// The first byte picks the parser, the rest is its text.
void text_parsers(Input input) {
  if (input.empty()) return;
  const std::string text(input.begin() + 1, input.end());
  parsers[input[0] % std::size(parsers)](text);
}

}  // namespace pushsync::fuzz
