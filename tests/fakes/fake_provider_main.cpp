// The fake APNs or FCM as a program, for bench/apns_throughput.sh:
//   fake_provider apns|fcm N
// makes a test PKI, prints {"port", "ca", "apns_key" | "service_account"} as
// one JSON line, then counts the pushes it accepts; after N of them it prints
// {"accepted", "seconds", "cpu_seconds"} (seconds: first to last request, on
// its own clock) and exits.
#include <sys/resource.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_apns.hpp"
#include "tests/fakes/fake_fcm.hpp"
#include "tests/fakes/test_pki.hpp"

namespace {

using namespace pushsync::test;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void count_until(std::size_t expect, const std::function<std::size_t()>& accepted) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point first{};
  while (accepted() < expect) {
    if (first == Clock::time_point{} && accepted() > 0) first = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double seconds = std::chrono::duration<double>(Clock::now() - first).count();
  std::cout << nlohmann::json{{"accepted", accepted()}, {"seconds", seconds}, {"cpu_seconds", cpu_seconds()}}.dump()
            << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "apns" && std::string(argv[1]) != "fcm")) {
    std::cerr << "usage: fake_provider apns|fcm N\n";
    return 2;
  }
  std::size_t expect = std::stoul(argv[2]);
  const auto& pki = TestPki::get();
  if (std::string(argv[1]) == "apns") {
    FakeApns::Options options;
    options.cert_file = pki.server_cert;
    options.key_file = pki.server_key;
    options.public_key_file = pki.apns_public_key;
    options.record = false;
    FakeApns fake(options);
    std::cout << nlohmann::json{{"port", fake.port()}, {"ca", pki.ca_cert}, {"apns_key", pki.apns_key}}.dump()
              << std::endl;
    count_until(expect, [&] { return fake.accepted_count(); });
  } else {
    FakeFcm::Options options;
    options.cert_file = pki.server_cert;
    options.key_file = pki.server_key;
    options.public_key_file = pki.fcm_public_key;
    options.record = false;
    FakeFcm fake(options);
    std::cout << nlohmann::json{{"port", std::stoi(fake.base_url().substr(fake.base_url().rfind(':') + 1))},
                                {"ca", pki.ca_cert},
                                {"service_account", pki.service_account_file(fake.token_uri())}}
                     .dump()
              << std::endl;
    count_until(expect, [&] { return fake.accepted_count(); });
  }
}
