// Process-level behaviour of the binaries: masquerade in /proc, signals, exit codes, CPU burn
// sanity (precision belongs to the benchmark), and name resolution in a FROM-scratch-like root.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.hpp"

using namespace testutil;

namespace {
std::unique_ptr<Child> miner(const TempDir& d, const std::string& name, std::vector<std::string> args,
                             std::function<void()> pre_exec = {}, const std::string& bin = FAKE_MINER_BIN) {
  std::vector<std::string> argv{bin};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Child>(argv, d.file(name + ".out"), d.file(name + ".err"), std::move(pre_exec));
}
std::string url(const PoolProcess& p) { return "127.0.0.1:" + std::to_string(p.stratum_port); }
}  // namespace

TEST(Masquerade, CommOfEveryThreadAndCmdline) {
  PoolProcess pool;
  TempDir d;
  auto m = miner(d, "mq", {"-o", url(pool), "-u", lab_wallet(), "--process-name", "kworker/u8:2", "--cpu-millicores", "1500"});
  ASSERT_TRUE(m->wait_output("new job from", 10s)) << m->out() << m->err();
  const std::string proc = "/proc/" + std::to_string(m->pid());
  EXPECT_EQ(read_file(proc + "/comm"), "kworker/u8:2\n");
  int threads = 0;
  for (const auto& t : std::filesystem::directory_iterator(proc + "/task")) {
    EXPECT_EQ(read_file(t.path().string() + "/comm"), "kworker/u8:2\n") << t.path();
    ++threads;
  }
  EXPECT_GE(threads, 3);  // main + two burner threads for 1500m
  const std::string cmdline = read_file(proc + "/cmdline");
  EXPECT_EQ(cmdline.rfind("kworker/u8:2", 0), 0u);
  EXPECT_EQ(cmdline.find("fake-miner"), std::string::npos);
  EXPECT_EQ(cmdline.find("--process-name"), std::string::npos);
}

TEST(Signals, MinerStopsAtOnceWhileMiningAndWhileRetrying) {
  PoolProcess pool;
  TempDir d;
  auto busy = miner(d, "busy", {"-o", url(pool), "-u", lab_wallet(), "--cpu-millicores", "1000"});
  ASSERT_TRUE(busy->wait_output("new job from", 10s));
  auto t0 = Clock::now();
  busy->signal(SIGTERM);
  EXPECT_EQ(busy->wait_exit(3s), 0);
  EXPECT_LT(Clock::now() - t0, 1s);

  std::uint16_t dead_port;
  {
    Listener l;
    dead_port = l.port();
  }
  auto retrying = miner(d, "retry", {"-o", "127.0.0.1:" + std::to_string(dead_port), "-u", lab_wallet(), "--retry-pause", "30"});
  ASSERT_TRUE(retrying->wait_output("connection refused", 5s));
  retrying->signal(SIGINT);
  EXPECT_EQ(retrying->wait_exit(3s), 0);
}

struct ExitCase {
  std::vector<std::string> args;
  const char* stderr_has;
};
void PrintTo(const ExitCase& c, std::ostream* os) {
  for (const auto& a : c.args) *os << a << ' ';
}
class MinerExit2 : public ::testing::TestWithParam<ExitCase> {};
TEST_P(MinerExit2, UsageAndConfigErrors) {
  TempDir d;
  auto args = GetParam().args;
  for (auto& a : args)
    if (a.rfind("@", 0) == 0) a = std::string(STRATUM_TESTDATA) + "/" + a.substr(1);
  auto m = miner(d, "x", args);
  EXPECT_EQ(m->wait_exit(5s), 2) << m->err();
  EXPECT_NE(m->err().find(GetParam().stderr_has), std::string::npos) << m->err();
  EXPECT_LT(m->cpu_seconds() + 0, 1.0);
}
INSTANTIATE_TEST_SUITE_P(
    Table, MinerExit2,
    ::testing::Values(
        ExitCase{{"-o", "pool.supportxmr.com:3333"}, "refusing pool host \"pool.supportxmr.com\": not a lab name"},
        ExitCase{{"-o", "8.8.8.8:3333"}, "not a lab name"},
        ExitCase{{"-o", "http://mock-pool.lab.svc:3333"}, "unsupported URL scheme"},
        ExitCase{{"-o", "stratum+ssl://mock-pool.lab.svc:443"}, "TLS is not supported"},
        ExitCase{{"--config", "@invalid-syntax.json"}, "invalid-syntax.json:3:"},
        ExitCase{{"--config", "@invalid-pools-type.json"}, "\"pools\" must be an array"},
        ExitCase{{"--config", "/nonexistent/config.json"}, "cannot open"},
        ExitCase{{"-o", "127.0.0.1", "--no-such-flag"}, "no-such-flag"},
        ExitCase{{"-o", "127.0.0.1", "--cpu-millicores", "0"}, "cpu-millicores"}));

TEST(MinerExit, AllowPoolHostOverridesTheRule) {
  // Accepted at startup (then fails to resolve/connect, which is not an exit).
  TempDir d;
  auto m = miner(d, "allow", {"-o", "127.0.0.2:1", "--allow-pool-host", "unused.example", "--retry-pause", "30"});
  EXPECT_FALSE(m->wait_exit(1500ms).has_value()) << m->err();
}

TEST(CpuBurn, RoughlyTheRequestedMillicoresOnlyWithAJob) {
  PoolProcess pool;
  TempDir d;
  auto m = miner(d, "burn", {"-o", url(pool), "-u", lab_wallet(), "--cpu-millicores", "500"});
  ASSERT_TRUE(m->wait_output("new job from", 10s));
  const double c0 = m->cpu_seconds();
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(3s);  // measuring a rate over a window, not synchronising
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const double rate = (m->cpu_seconds() - c0) / secs;
  EXPECT_NEAR(rate, 0.5, 0.2) << "generous bound; see bench/stratum for precision";
}

TEST(CpuBurn, BurnWithoutPoolFlag) {
  std::uint16_t dead_port;
  {
    Listener l;
    dead_port = l.port();
  }
  TempDir d;
  auto m = miner(d, "bwp", {"-o", "127.0.0.1:" + std::to_string(dead_port), "--burn-without-pool", "--cpu-millicores", "400"});
  ASSERT_TRUE(m->wait_output("connection refused", 5s));
  const double c0 = m->cpu_seconds();
  std::this_thread::sleep_for(2s);
  EXPECT_GT(m->cpu_seconds() - c0, 0.4);
}

#ifdef FAKE_WORKLOADS_STATIC
TEST(StaticBinary, ResolvesHostsFileInEmptyRootWithoutNsswitch) {
  // A FROM-scratch image in miniature: only the binary and /etc/hosts, no libc, no nsswitch.conf.
  PoolProcess pool;
  TempDir root;
  std::filesystem::create_directories(root.path() + "/etc");
  std::filesystem::copy_file(FAKE_MINER_BIN, root.path() + "/fake-miner");
  std::ofstream(root.path() + "/etc/hosts") << "127.0.0.1 localhost\n127.0.0.1 pool.supportxmr.test\n";
  const std::string r = root.path();
  TempDir logs;
  auto m = std::make_unique<Child>(
      std::vector<std::string>{"/fake-miner", "-o", "pool.supportxmr.test:" + std::to_string(pool.stratum_port), "-u",
                               lab_wallet(), "--rig-id", "scratch", "--cpu-millicores", "50"},
      logs.file("o"), logs.file("e"), [r] {
        if (chroot(r.c_str()) != 0 || chdir("/") != 0) _exit(6);
      });
  auto st = m->wait_exit(300ms);
  if (st == 6) GTEST_SKIP() << "chroot not permitted";
  ASSERT_TRUE(poll_until([&] { return pool.count_events("login", "rig_id", "scratch") == 1; }, 10s))
      << m->out() << m->err();
  EXPECT_NE(m->out().find("new job from pool.supportxmr.test:"), std::string::npos);
  // And nothing but the binary itself is mapped: no shared objects.
  EXPECT_EQ(read_file("/proc/" + std::to_string(m->pid()) + "/maps").find(".so"), std::string::npos);
}
#endif
