// End to end over loopback: real fake-miner processes against the real fake-pool binary.
#include <gtest/gtest.h>

#include <regex>

#include "test_util.hpp"

using namespace testutil;
using nlohmann::json;

namespace {
std::unique_ptr<Child> spawn_miner(const TempDir& d, const std::string& name, std::vector<std::string> args,
                                   std::function<void()> pre_exec = {}) {
  std::vector<std::string> argv{FAKE_MINER_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Child>(argv, d.file(name + ".out"), d.file(name + ".err"), std::move(pre_exec));
}
}  // namespace

TEST(Loopback, OneMinerGetsJobsAndSharesAccepted) {
  PoolProcess pool({"--difficulty", "100", "--job-interval", "2"});
  TempDir d;
  const std::string ep = "127.0.0.1:" + std::to_string(pool.stratum_port);
  auto m = spawn_miner(d, "solo", {"-o", "stratum+tcp://" + ep, "-u", lab_wallet(), "--rig-id", "solo",
                                   "--cpu-millicores", "200", "--print-time", "2", "--talk-log", "--keepalive"});
  ASSERT_TRUE(m->wait_output("net      use pool " + ep + "  127.0.0.1", 10s)) << m->out() << m->err();
  ASSERT_TRUE(m->wait_output("net      new job from " + ep + " diff 100 algo rx/0 height ", 5s)) << m->out();
  ASSERT_TRUE(m->wait_output("cpu      accepted (1/0) diff 100 (", 15s)) << m->out();
  ASSERT_TRUE(poll_until([&] {
    auto st = pool.stats();
    return st["workers"].contains("solo") && st["workers"]["solo"]["accepted"].get<int>() >= 2;
  }, 15s)) << pool.stats().dump();
  auto st = pool.stats();
  EXPECT_EQ(st["miners_online"], 1);
  EXPECT_EQ(st["workers"]["solo"]["remote"], "127.0.0.1");
  EXPECT_TRUE(st["last_share"].is_string());
  // A pushed job arrives and is logged, and the speed/talk lines appear each print-time.
  EXPECT_TRUE(poll_until([&] { return count_of(m->out(), "new job from") >= 2; }, 6s));
  EXPECT_TRUE(m->wait_output("miner speed=", 6s));
  std::regex speed(R"(\]  miner    speed 10s/60s/15m (n/a|[0-9.]+) (n/a|[0-9.]+) n/a H/s max (n/a|[0-9.]+) H/s)");
  EXPECT_TRUE(std::regex_search(m->out(), speed)) << m->out();
  EXPECT_EQ(pool.count_events("share", "status", "rejected"), 0u);
  for (const auto& e : pool.events()) {
    if (e["event"] == "login") {
      EXPECT_EQ(e["agent"].get<std::string>().rfind("XMRig/6.22.2", 0), 0u);
    }
  }
  m->signal(SIGTERM);
  EXPECT_EQ(m->wait_exit(5s), 0);
  EXPECT_TRUE(poll_until([&] { return pool.stats()["miners_online"] == 0; }, 5s));
}

TEST(Loopback, ManyMinersAllVisibleInStats) {
  PoolProcess pool({"--difficulty", "30"});
  TempDir d;
  constexpr int kMiners = 10;
  std::vector<std::unique_ptr<Child>> miners;
  for (int i = 0; i < kMiners; ++i)
    miners.push_back(spawn_miner(d, "m" + std::to_string(i),
                                 {"-o", "127.0.0.1:" + std::to_string(pool.stratum_port), "-u", lab_wallet(), "--rig-id",
                                  "rig-" + std::to_string(i), "--cpu-millicores", "50", "--print-time", "0"}));
  ASSERT_TRUE(poll_until([&] {
    auto st = pool.stats();
    if (st["miners_online"] != kMiners) return false;
    for (int i = 0; i < kMiners; ++i) {
      auto w = st["workers"].value("rig-" + std::to_string(i), json());
      if (w.is_null() || w["accepted"].get<int>() < 1) return false;
    }
    return true;
  }, 40s)) << pool.stats().dump();
  auto metrics = http_get(pool.http_port, "/metrics").body;
  EXPECT_NE(metrics.find("fake_pool_miners_online 10\n"), std::string::npos);
  for (int i = 0; i < kMiners; ++i)
    EXPECT_NE(metrics.find("worker=\"rig-" + std::to_string(i) + "\",status=\"accepted\""), std::string::npos);
  EXPECT_EQ(pool.count_events("login"), static_cast<std::size_t>(kMiners));
  for (auto& m : miners) m->signal(SIGTERM);
  for (auto& m : miners) EXPECT_EQ(m->wait_exit(5s), 0);
}

TEST(Loopback, ConfigJsonFromWorkingDirectoryAndLocalhost) {
  PoolProcess pool({"--difficulty", "50"});
  TempDir d;
  // xmrig-style config found in the working directory; "localhost" also exercises name
  // resolution in the (static) binary.
  std::ofstream(d.file("config.json")) << json{
      {"donate-level", 1},
      {"print-time", 60},
      {"pools", {{{"url", "stratum+tcp://localhost:" + std::to_string(pool.stratum_port)}, {"user", lab_wallet()},
                  {"pass", nullptr}, {"rig-id", "from-config"}, {"keepalive", true}, {"algo", "rx/0"}, {"tls", false}}}}}
                                              .dump(2);
  const std::string dir = d.path();
  auto m = spawn_miner(d, "cfg", {"--cpu-millicores", "100"}, [dir] {
    if (chdir(dir.c_str()) != 0) _exit(5);
  });
  ASSERT_TRUE(poll_until([&] {
    auto st = pool.stats();
    return st["workers"].contains("from-config") && st["workers"]["from-config"]["accepted"].get<int>() >= 1;
  }, 20s)) << m->out() << m->err();
  EXPECT_NE(m->out().find("new job from localhost:" + std::to_string(pool.stratum_port)), std::string::npos);
}
