// The fake APNs as a program, for bench/apns_throughput.sh: makes a test
// PKI, prints {"port", "ca", "apns_key"} as one JSON line, then counts the
// pushes it accepts; after `--expect N` of them it prints
// {"accepted", "seconds", "cpu_seconds"} (seconds: first to last request, on
// its own clock) and exits.
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_apns.hpp"
#include "tests/fakes/test_pki.hpp"

int main(int argc, char** argv) {
  using namespace pushsync::test;
  std::size_t expect = argc > 1 ? std::stoul(argv[1]) : 100000;
  const auto& pki = TestPki::get();
  FakeApns::Options options;
  options.cert_file = pki.server_cert;
  options.key_file = pki.server_key;
  options.public_key_file = pki.apns_public_key;
  options.record = false;
  FakeApns fake(options);
  std::cout << nlohmann::json{{"port", fake.port()}, {"ca", pki.ca_cert}, {"apns_key", pki.apns_key}}.dump()
            << std::endl;
  using Clock = std::chrono::steady_clock;
  Clock::time_point first{};
  while (fake.accepted_count() < expect) {
    if (first == Clock::time_point{} && fake.accepted_count() > 0) first = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double seconds = std::chrono::duration<double>(Clock::now() - first).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::cout << nlohmann::json{{"accepted", fake.accepted_count()}, {"seconds", seconds}, {"cpu_seconds", cpu}}.dump()
            << std::endl;
}
