// The fake APNs or FCM as a program, for the benchmarks:
//   fake_provider apns|fcm N [latency]
// makes a test PKI, prints {"port", "ca", "apns_key" | "service_account"} as
// one JSON line, then counts the pushes it accepts; after N of them it prints
// {"accepted", "seconds", "cpu_seconds"} (seconds: first to last request, on
// its own clock) and exits. With `latency` (APNs), each push's body must
// carry "t", the Unix time in microseconds when its change was written; a
// third line gives {"p50_ms", "p99_ms", "max_ms"} from then to acceptance.
//   fake_provider fcm serve
// (for the console's browser test) serves until its input ends, and obeys
// one command per input line: "fail STATUS CODE MESSAGE" (every send is
// answered so from now on), "recover", and "received TOKEN" (prints
// {"accepted": pushes to that device token accepted so far}).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <sstream>
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

// Percentiles of (acceptance - body's "t") over every accepted push.
void print_latencies(const std::vector<FakeApns::Received>& accepted) {
  std::vector<double> ms;
  for (const auto& r : accepted) {
    auto t = r.body().value("t", std::string("0"));
    auto written = std::chrono::system_clock::time_point(std::chrono::microseconds(std::stoll(t)));
    ms.push_back(std::chrono::duration<double, std::milli>(r.wall - written).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms.empty() ? 0.0 : ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))];
  };
  std::cout << nlohmann::json{{"p50_ms", at(0.5)}, {"p99_ms", at(0.99)}, {"max_ms", at(1.0)}}.dump() << std::endl;
}

// Answers commands read from stdin until it ends (see the top of this file).
void obey(FakeFcm& fake) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string command;
    in >> command;
    if (command == "fail") {
      int status = 0;
      std::string code, message;
      in >> status >> code;
      std::getline(in >> std::ws, message);
      fake.outage(FakeFcm::Next::error(status, code, message), std::chrono::steady_clock::time_point::max());
    } else if (command == "recover") {
      fake.outage(FakeFcm::Next{}, std::chrono::steady_clock::now());
    } else if (command == "received") {
      std::string token;
      in >> token;
      auto received = fake.received();
      auto accepted = std::count_if(received.begin(), received.end(), [&](const FakeFcm::Received& r) {
        return r.status == 200 && r.message()["token"] == token;
      });
      std::cout << nlohmann::json{{"accepted", accepted}}.dump() << std::endl;
    }
  }
}

int main(int argc, char** argv) {
  const bool latency = argc == 4 && std::string(argv[3]) == "latency";
  if ((argc != 3 && !latency) || (std::string(argv[1]) != "apns" && std::string(argv[1]) != "fcm")) {
    std::cerr << "usage: fake_provider apns|fcm N [latency], or fake_provider fcm serve\n";
    return 2;
  }
  if (std::string(argv[2]) == "serve" && std::string(argv[1]) != "fcm") {
    std::cerr << "fake_provider: only fcm serves\n";
    return 2;
  }
  std::size_t expect = std::string(argv[2]) == "serve" ? 0 : std::stoul(argv[2]);
  const auto& pki = TestPki::get();
  if (std::string(argv[1]) == "apns") {
    auto options = FakeApns::with_test_pki();
    options.record = latency;
    FakeApns fake(options);
    std::cout << nlohmann::json{{"port", fake.port()}, {"ca", pki.ca_cert}, {"apns_key", pki.apns_key}}.dump()
              << std::endl;
    count_until(expect, [&] { return fake.accepted_count(); });
    if (latency) print_latencies(fake.accepted());
  } else {
    const bool serve = std::string(argv[2]) == "serve";
    auto options = FakeFcm::with_test_pki();
    options.record = serve;
    FakeFcm fake(options);
    std::cout << nlohmann::json{{"port", std::stoi(fake.base_url().substr(fake.base_url().rfind(':') + 1))},
                                {"ca", pki.ca_cert},
                                {"service_account", pki.service_account_file(fake.token_uri())}}
                     .dump()
              << std::endl;
    if (serve) return obey(fake), 0;
    count_until(expect, [&] { return fake.accepted_count(); });
  }
}
