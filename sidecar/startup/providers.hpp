#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "sidecar/config/config.hpp"
#include "sidecar/push/provider_set.hpp"

namespace pushsync::push {
class WsHub;
}

namespace pushsync::startup {

// One provider per configured platform (the dry-run log for all of them
// with delivery.dry_run); `hub` serves `ws` when the WebSocket channel is
// on. Files that cannot be used (certificates, keys) are config errors.
std::unique_ptr<push::ProviderSet> make_providers(const config::Config& config, boost::asio::any_io_executor ex,
                                                  push::WsHub* hub);

}  // namespace pushsync::startup
