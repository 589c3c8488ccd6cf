// Pool benchmark (prints figures, not a test): how many logged-in miners one fake-pool process
// holds, how many shares per second it accepts pinned to one core, and its RSS.
// Usage: bench-stratum-pool [connections=5000] [seconds=10] [share-connections=64]
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "bench_util.hpp"

using namespace bench;

namespace {
const char* kWallet = "44LabWa11etCryptojackingLabP1aceho1derNotARea1MoneroAddressUsedon1yByFakePoo1AndFakeMinerXXXXXX";

// Reads whatever is available (or waits up to ms) and returns complete lines via `buf`.
int read_lines(int fd, std::string& buf, std::vector<std::string>& lines, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, ms) <= 0) return 0;
  char tmp[65536];
  ssize_t n = recv(fd, tmp, sizeof tmp, 0);
  if (n <= 0) return -1;
  buf.append(tmp, static_cast<std::size_t>(n));
  std::size_t start = 0;
  for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', start)) {
    lines.push_back(buf.substr(start, nl - start));
    start = nl + 1;
  }
  buf.erase(0, start);
  return 1;
}

struct Conn {
  int fd = -1;
  std::string buf, session, job_id;
};
}  // namespace

int main(int argc, char** argv) {
  const int n_conns = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 10;
  const int n_share = argc > 3 ? std::atoi(argv[3]) : 64;
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < static_cast<rlim_t>(n_conns + 100)) {
    std::fprintf(stderr, "RLIMIT_NOFILE %lu too low for %d connections\n", static_cast<unsigned long>(rl.rlim_cur), n_conns);
    return 1;
  }
  const std::string out = "/tmp/bench-stratum-pool.out";
  pid_t pool = spawn({FAKE_POOL_BIN, "--listen", "127.0.0.1", "--port", "0", "--http-port", "0", "--difficulty", "1000",
                      "--job-interval", "3600", "--max-connections", std::to_string(n_conns + 10)},
                     out, pin_to_cpu0);
  std::uint16_t port = 0;
  wait_for([&] {
    auto s = read_file(out);
    auto nl = s.find('\n');
    if (nl == std::string::npos) return false;
    port = nlohmann::json::parse(s.substr(0, nl))["stratum"].get<std::uint16_t>();
    return true;
  }, 10s);
  if (!port) {
    std::fprintf(stderr, "pool did not start\n");
    return 1;
  }
  const long rss0 = rss_kib(pool);

  // Phase 1: connect and log in n_conns miners.
  std::vector<Conn> conns(static_cast<std::size_t>(n_conns));
  auto t0 = Clock::now();
  int connected = 0;
  for (auto& c : conns) {
    c.fd = connect_loopback(port);
    if (c.fd < 0) break;
    ++connected;
    char req[512];
    int len = std::snprintf(req, sizeof req,
                            "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"%s\",\"pass\":\"x\","
                            "\"agent\":\"XMRig/6.22.2\",\"rigid\":\"b%d\",\"algo\":[\"rx/0\"]}}\n",
                            kWallet, connected);
    send(c.fd, req, static_cast<std::size_t>(len), MSG_NOSIGNAL);
  }
  int logged = 0;
  for (int i = 0; i < connected; ++i) {
    auto& c = conns[static_cast<std::size_t>(i)];
    std::vector<std::string> lines;
    const auto end = Clock::now() + 10s;
    while (lines.empty() && Clock::now() < end)
      if (read_lines(c.fd, c.buf, lines, 1000) < 0) break;
    if (lines.empty()) continue;
    auto j = nlohmann::json::parse(lines[0], nullptr, false);
    if (j.is_discarded() || !j["result"].is_object()) continue;
    c.session = j["result"]["id"];
    c.job_id = j["result"]["job"]["job_id"];
    ++logged;
  }
  const double login_secs = std::chrono::duration<double>(Clock::now() - t0).count();
  // Held: every session still answers a keepalived after all are connected.
  int held = 0;
  for (int i = 0; i < connected; ++i) {
    auto& c = conns[static_cast<std::size_t>(i)];
    const std::string ka = "{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"keepalived\",\"params\":{\"id\":\"" + c.session + "\"}}\n";
    send(c.fd, ka.data(), ka.size(), MSG_NOSIGNAL);
  }
  for (int i = 0; i < connected; ++i) {
    auto& c = conns[static_cast<std::size_t>(i)];
    std::vector<std::string> lines;
    const auto end = Clock::now() + 10s;
    while (lines.empty() && Clock::now() < end)
      if (read_lines(c.fd, c.buf, lines, 1000) < 0) break;
    if (!lines.empty() && lines[0].find("KEEPALIVED") != std::string::npos) ++held;
  }
  const long rss_held = rss_kib(pool);

  // Phase 2: share throughput over n_share of the connections, pipelined in batches.
  const int batch = 50;
  std::uint64_t accepted = 0, rejected = 0;
  std::vector<std::uint32_t> nonce(static_cast<std::size_t>(n_share), 0);
  const double cpu0 = cpu_seconds(pool);
  const auto s0 = Clock::now();
  const std::string zeros(64, '0');
  while (Clock::now() - s0 < std::chrono::seconds(seconds)) {
    for (int k = 0; k < n_share && k < logged; ++k) {
      auto& c = conns[static_cast<std::size_t>(k)];
      std::string burst;
      for (int b = 0; b < batch; ++b) {
        char req[512];
        int len = std::snprintf(req, sizeof req,
                                "{\"id\":3,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"%s\",\"job_id\":\"%s\","
                                "\"nonce\":\"%08x\",\"result\":\"%s\"}}\n",
                                c.session.c_str(), c.job_id.c_str(), nonce[static_cast<std::size_t>(k)]++, zeros.c_str());
        burst.append(req, static_cast<std::size_t>(len));
      }
      send(c.fd, burst.data(), burst.size(), MSG_NOSIGNAL);
    }
    for (int k = 0; k < n_share && k < logged; ++k) {
      auto& c = conns[static_cast<std::size_t>(k)];
      int got = 0;
      while (got < batch) {
        std::vector<std::string> lines;
        if (read_lines(c.fd, c.buf, lines, 5000) <= 0) break;
        for (auto& l : lines) {
          ++got;
          (l.find("\"OK\"") != std::string::npos ? accepted : rejected)++;
        }
      }
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - s0).count();
  const double pool_cpu = (cpu_seconds(pool) - cpu0) / secs;
  const long rss_end = rss_kib(pool);
  for (auto& c : conns)
    if (c.fd >= 0) close(c.fd);
  stop(pool);

  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("fake-pool benchmark (pool pinned to CPU 0; loadavg %.2f)\n", load[0]);
  std::printf("  connections logged in:   %d/%d in %.2f s\n", logged, n_conns, login_secs);
  std::printf("  connections held:        %d (answered keepalived after all were connected)\n", held);
  std::printf("  RSS idle / held / end:   %ld / %ld / %ld KiB (%.1f KiB per held miner)\n", rss0, rss_held, rss_end,
              held ? static_cast<double>(rss_held - rss0) / held : 0.0);
  std::printf("  shares/s on one core:    %.0f accepted/s (%llu accepted, %llu rejected, %d connections, batch %d)\n",
              static_cast<double>(accepted) / secs, static_cast<unsigned long long>(accepted),
              static_cast<unsigned long long>(rejected), n_share, batch);
  std::printf("  pool CPU during shares:  %.2f cores (event log to a file)\n", pool_cpu);
  return held == n_conns && rejected == 0 ? 0 : 1;
}
