// Miner benchmark (prints figures, not a test): CPU accuracy |measured - target| / target of
// fake-miner at several --cpu-millicores targets, measured from /proc/<pid>/stat over a window.
// Usage: bench-stratum-miner [seconds=30] [targets=250,979,1800]
#include <time.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "bench_util.hpp"

using namespace bench;

namespace {
// CPU a plain busy loop gets right now with `threads` threads over `secs`: the ceiling any
// burner can reach on a shared machine, printed next to each result for context.
double spin_capacity(int threads, double secs) {
  std::vector<std::thread> ts;
  std::vector<double> got(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i)
    ts.emplace_back([&, i] {
      timespec a{}, b{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
      const auto end = Clock::now() + std::chrono::duration<double>(secs);
      volatile std::uint64_t x = 0;
      while (Clock::now() < end)
        for (int k = 0; k < 10000; ++k) x = x + static_cast<std::uint64_t>(k);
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
      got[static_cast<std::size_t>(i)] = static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-9;
    });
  double total = 0;
  for (int i = 0; i < threads; ++i) {
    ts[static_cast<std::size_t>(i)].join();
    total += got[static_cast<std::size_t>(i)];
  }
  return total / secs;
}
}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);  // rows appear as each 30 s window ends
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 30;
  std::vector<int> targets;
  {
    std::string list = argc > 2 ? argv[2] : "250,979,1800";
    std::stringstream ss(list);
    for (std::string t; std::getline(ss, t, ',');) targets.push_back(std::stoi(t));
  }
  const std::string pool_out = "/tmp/bench-stratum-miner-pool.out";
  pid_t pool = spawn({FAKE_POOL_BIN, "--listen", "127.0.0.1", "--port", "0", "--http-port", "0"}, pool_out);
  std::uint16_t port = 0;
  wait_for([&] {
    auto s = read_file(pool_out);
    auto nl = s.find('\n');
    if (nl == std::string::npos) return false;
    port = nlohmann::json::parse(s.substr(0, nl))["stratum"].get<std::uint16_t>();
    return true;
  }, 10s);
  if (!port) return 1;
  std::printf("fake-miner CPU accuracy over %d s windows (online CPUs: %ld)\n", seconds, sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("  %8s %10s %10s %9s %12s %9s %14s\n", "target", "measured", "error", "loadavg", "1s-stddev", "H/s",
              "spin-ceiling");
  for (int target : targets) {
    const double ceiling = spin_capacity((target + 999) / 1000, 3.0) * 1000.0;
    const std::string out = "/tmp/bench-stratum-miner-" + std::to_string(target) + ".out";
    pid_t m = spawn({FAKE_MINER_BIN, "-o", "127.0.0.1:" + std::to_string(port), "-u",
                     "44LabWa11etCryptojackingLabP1aceho1derNotARea1MoneroAddressUsedon1yByFakePoo1AndFakeMinerXXXXXX",
                     "--cpu-millicores", std::to_string(target), "--print-time", std::to_string(seconds)},
                    out);
    if (!wait_for([&] { return read_file(out).find("new job from") != std::string::npos; }, 10s)) {
      std::printf("  %8dm  miner did not get a job\n", target);
      stop(m);
      continue;
    }
    std::this_thread::sleep_for(2s);  // warm-up
    std::vector<double> per_second;
    const double c0 = cpu_seconds(m);
    const auto t0 = Clock::now();
    double prev = c0;
    for (int s = 0; s < seconds; ++s) {
      std::this_thread::sleep_until(t0 + std::chrono::seconds(s + 1));
      const double c = cpu_seconds(m);
      per_second.push_back(c - prev);
      prev = c;
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double measured = (cpu_seconds(m) - c0) / wall * 1000.0;
    const double err = std::fabs(measured - target) / target;
    double mean = 0, var = 0;
    for (double v : per_second) mean += v;
    mean /= static_cast<double>(per_second.size());
    for (double v : per_second) var += (v - mean) * (v - mean);
    const double stddev_m = std::sqrt(var / static_cast<double>(per_second.size())) * 1000.0;
    // The miner's own 10 s hashrate from its last speed line, if one was printed.
    std::string speed = "n/a";
    auto log = read_file(out);
    if (auto p = log.rfind("speed 10s/60s/15m "); p != std::string::npos) speed = log.substr(p + 18, log.find(' ', p + 18) - p - 18);
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    std::printf("  %7dm %9.1fm %9.2f%% %9.2f %11.1fm %9s %13.0fm\n", target, measured, err * 100.0, load[0], stddev_m,
                speed.c_str(), ceiling);
    stop(m);
  }
  stop(pool);
  return 0;
}
