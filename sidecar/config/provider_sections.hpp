#pragma once

#include "sidecar/config/config.hpp"
#include "sidecar/config/yaml_node.hpp"

namespace pushsync::config {

// The provider sections. Keys and accounts are read now, so that a wrong
// file is a config error at its line, not a failure at the first push.
ApnsConfig read_apns(const YamlNode& node);
FcmConfig read_fcm(const YamlNode& node);
WebPushConfig read_webpush(const YamlNode& node);

}  // namespace pushsync::config
