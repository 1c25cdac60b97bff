#include <string>

#include "fuzz/targets.hpp"
#include "sidecar/config/config_error.hpp"
#include "sidecar/config/config_loader.hpp"

namespace pushsync::fuzz {

// Any bytes are a configuration or a ConfigError whose every issue names
// the file and says what is wrong; nothing else may come out.
void config_file(Input input) {
  const std::string text(input.begin(), input.end());
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "UNSET") return std::nullopt;
    return "value-of-" + name;
  };
  try {
    config::parse_config("fuzz.yaml", text, env);
  } catch (const config::ConfigError& e) {
    expect(!e.issues().empty(), "a ConfigError has at least one issue");
    for (const auto& issue : e.issues()) {
      expect(issue.file == "fuzz.yaml", "a config issue names the file");
      expect(!issue.message.empty(), "a config issue says what is wrong");
    }
  }
}

}  // namespace pushsync::fuzz
