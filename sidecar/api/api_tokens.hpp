#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pushsync::api {

// The API tokens accepted now: several at once, so a token can be rotated
// (add the new one, move the clients, remove the old one), and replaced as
// a whole when the configuration is re-read (SIGHUP). Touched on the
// io_context's thread only.
class ApiTokens {
 public:
  explicit ApiTokens(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

  // Compares `given` with every token, each in constant time and without
  // stopping at a match, so the time says nothing about which one matched.
  bool accepts(std::string_view given) const;
  void replace(std::vector<std::string> tokens) { tokens_ = std::move(tokens); }
  std::size_t size() const { return tokens_.size(); }

 private:
  std::vector<std::string> tokens_;
};

}  // namespace pushsync::api
