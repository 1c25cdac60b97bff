#include "tests/support/fake_push_service.hpp"

#include <cstdlib>
#include <stdexcept>

#include "tests/support/api_client.hpp"

namespace pushsync::test {

namespace {

const std::string fake_dir = std::string(PUSHSYNC_SOURCE_DIR) + "/tests/fakes/webpush";

nlohmann::json to_json(const std::vector<FakePushService::Answer>& answers) {
  auto list = nlohmann::json::array();
  for (const auto& a : answers) {
    list.push_back({{"status", a.status}, {"retryAfter", a.retry_after}});
    if (!a.body.empty()) list.back()["body"] = a.body;
  }
  return list;
}

}  // namespace

FakePushService::FakePushService(const std::string& cert, const std::string& key, Protocols protocols,
                                 int keep_alive_ms) {
  std::string install = std::string(PUSHSYNC_SOURCE_DIR) + "/scripts/npm-ci.sh " + fake_dir;
  if (std::system(install.c_str()) != 0) throw std::runtime_error("cannot install the fake's packages: " + install);
  Program program{{"node", fake_dir + "/fake_push_service.mjs", "--cert", cert, "--key", key}};
  if (protocols == Protocols::http1_only) program.argv.push_back("--http1-only");
  if (keep_alive_ms > 0) program.argv.insert(program.argv.end(), {"--keep-alive-ms", std::to_string(keep_alive_ms)});
  process_ = std::make_unique<Process>(std::move(program));
  if (!eventually([&] { return process_->out().find('\n') != std::string::npos || !process_->running(); }))
    throw std::runtime_error("the fake push service did not start: " + process_->err());
  auto ports = nlohmann::json::parse(process_->out(), nullptr, false);
  if (!ports.is_object()) throw std::runtime_error("the fake push service did not start: " + process_->err());
  control_port_ = ports["control"];
}

nlohmann::json FakePushService::subscribe(const std::string& application_server_key,
                                          const std::vector<Answer>& answers) {
  nlohmann::json body = {{"applicationServerKey", application_server_key}, {"answers", to_json(answers)}};
  return http_request(control_port_, "POST", "/subscriptions", body.dump()).json();
}

void FakePushService::script(const std::string& id, const std::vector<Answer>& answers) {
  http_request(control_port_, "POST", "/script", nlohmann::json{{"id", id}, {"answers", to_json(answers)}}.dump());
}

nlohmann::json FakePushService::received() const { return http_request(control_port_, "GET", "/received").json(); }

}  // namespace pushsync::test
