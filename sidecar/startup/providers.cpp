#include "sidecar/startup/providers.hpp"

#include <stdexcept>

#include "sidecar/config/config_error.hpp"
#include "sidecar/push/apns/apns_provider.hpp"
#include "sidecar/push/fcm/fcm_provider.hpp"
#include "sidecar/push/log/log_provider.hpp"
#include "sidecar/push/webpush/webpush_provider.hpp"
#include "sidecar/push/ws/ws_provider.hpp"

namespace pushsync::startup {

std::unique_ptr<push::ProviderSet> make_providers(const config::Config& config, boost::asio::any_io_executor ex,
                                                  push::WsHub* hub) {
  auto providers = std::make_unique<push::ProviderSet>(config.delivery.expiration);
  if (config.delivery.dry_run) {
    auto log = std::make_shared<push::LogProvider>(config.delivery.dry_run_file, config.delivery.expiration);
    for (auto platform : all_platforms) providers->add(platform, log);
    return providers;
  }
  auto add = [&](Platform platform, const char* section, config::SourcePos pos, auto make) {
    try {
      providers->add(platform, make());
    } catch (const std::runtime_error& e) {
      throw config::ConfigError(config::ConfigIssue{config.file, pos, section, e.what()});
    }
  };
  if (config.apns)
    add(Platform::apns, "apns", config.apns->pos,
        [&] { return std::make_shared<push::ApnsProvider>(ex, *config.apns, config.delivery); });
  if (config.fcm)
    add(Platform::fcm, "fcm", config.fcm->pos,
        [&] { return std::make_shared<push::FcmProvider>(ex, *config.fcm, config.delivery); });
  if (config.webpush)
    add(Platform::webpush, "webpush", config.webpush->pos,
        [&] { return std::make_shared<push::WebPushProvider>(ex, *config.webpush, config.delivery); });
  if (hub) providers->add(Platform::ws, std::make_shared<push::WsProvider>(config, *hub));
  return providers;
}

}  // namespace pushsync::startup
