// fake-miner configuration: valid-*/invalid-* config.json files, CASES 6 defaults, CLI-facing
// validation (URL forms, TLS, lab-only hosts) and the file:line:col of JSON errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "config.hpp"

using namespace fakeminer;

namespace {
std::string data(const std::string& name) { return std::string(STRATUM_TESTDATA) + "/" + name; }
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Config, MinimalFileGetsXmrigDefaults) {
  auto cfg = load_config_file(data("valid-minimal.json"));
  ASSERT_EQ(cfg.pools.size(), 1u);
  const auto& p = cfg.pools[0];
  EXPECT_EQ(p.pass, "x");  // CASES 6: missing pass -> "x"
  EXPECT_FALSE(p.keepalive);
  EXPECT_TRUE(p.enabled);
  EXPECT_FALSE(p.tls);
  EXPECT_FALSE(p.algo.has_value());
  EXPECT_EQ(cfg.print_time, 60);
  EXPECT_EQ(cfg.retries, 5);
  EXPECT_EQ(cfg.retry_pause, 5);
  EXPECT_EQ(cfg.donate_level, 1);
  validate(cfg);
  EXPECT_EQ(cfg.pools[0].parsed.port, 3333);
}

TEST(Config, FullXmrigFileIsRead) {
  auto cfg = load_config_file(data("valid-xmrig-full.json"));
  ASSERT_EQ(cfg.pools.size(), 2u);
  EXPECT_EQ(cfg.pools[0].pass, "x");  // null pass -> "x"
  EXPECT_EQ(cfg.pools[0].rig_id, "proxy-api");
  EXPECT_EQ(cfg.pools[0].algo.value(), "rx/0");
  EXPECT_TRUE(cfg.pools[0].keepalive);
  EXPECT_EQ(cfg.pools[1].user, "x");  // null user -> "x"
  EXPECT_EQ(cfg.print_time, 30);
  EXPECT_EQ(cfg.retries, 3);
  EXPECT_EQ(cfg.retry_pause, 2);
  EXPECT_EQ(cfg.donate_level, 0);
  validate(cfg);
  EXPECT_EQ(cfg.pools.size(), 1u);  // the disabled pool is dropped
  EXPECT_EQ(cfg.pools[0].parsed.host, "pool.supportxmr.test");
}

struct InvalidFile {
  const char* file;
  const char* expect;
};
void PrintTo(const InvalidFile& f, std::ostream* os) { *os << f.file; }
class ConfigInvalid : public ::testing::TestWithParam<InvalidFile> {};
TEST_P(ConfigInvalid, FailsWithLocation) {
  const std::string msg = error_of([&] { load_config_file(data(GetParam().file)); });
  EXPECT_NE(msg.find(GetParam().file), std::string::npos) << msg;
  EXPECT_NE(msg.find(GetParam().expect), std::string::npos) << msg;
}
INSTANTIATE_TEST_SUITE_P(Files, ConfigInvalid,
                         ::testing::Values(InvalidFile{"invalid-syntax.json", "invalid-syntax.json:3:41: JSON parse error at byte 56"},
                                           InvalidFile{"invalid-truncated.json", "JSON parse error"},
                                           InvalidFile{"invalid-pools-type.json", "\"pools\" must be an array"},
                                           InvalidFile{"invalid-url-type.json", "\"url\" has the wrong type"},
                                           InvalidFile{"invalid-top-level.json", "top level must be a JSON object"},
                                           InvalidFile{"invalid-print-time-type.json", "\"print-time\" has the wrong type"},
                                           InvalidFile{"does-not-exist.json", "cannot open"}));

TEST(Config, LineColOfByteOffset) {
  EXPECT_EQ(line_col("ab\ncd", 1), std::make_pair(std::size_t{1}, std::size_t{1}));
  EXPECT_EQ(line_col("ab\ncd", 5), std::make_pair(std::size_t{2}, std::size_t{2}));
}

TEST(Config, DefaultLookupExeDirThenCwd) {
  const std::string dir = data("");
  EXPECT_FALSE(find_default_config("/nonexistent", "/nonexistent").has_value());
  auto tmp = std::filesystem::temp_directory_path() / "stratum-cfg-lookup";
  std::filesystem::create_directories(tmp / "exe");
  std::filesystem::create_directories(tmp / "cwd");
  std::filesystem::copy_file(data("valid-minimal.json"), tmp / "cwd" / "config.json",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(find_default_config((tmp / "exe").string(), (tmp / "cwd").string()).value(), (tmp / "cwd" / "config.json").string());
  std::filesystem::copy_file(data("valid-minimal.json"), tmp / "exe" / "config.json",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(find_default_config((tmp / "exe").string(), (tmp / "cwd").string()).value(), (tmp / "exe" / "config.json").string());
  std::filesystem::remove_all(tmp);
}

namespace {
MinerConfig with_url(const std::string& url) {
  MinerConfig c;
  PoolConfig p;
  p.url = url;
  c.pools.push_back(p);
  return c;
}
}  // namespace

TEST(Validate, RejectsHttpSchemeClearly) {
  auto c = with_url("http://mock-pool.lab.svc:3333");
  auto msg = error_of([&] { validate(c); });
  EXPECT_NE(msg.find("invalid pool URL"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unsupported URL scheme"), std::string::npos) << msg;
}

TEST(Validate, RejectsTlsAndDaemon) {
  auto tls = with_url("stratum+ssl://mock-pool.lab.svc:443");
  EXPECT_NE(error_of([&] { validate(tls); }).find("TLS is not supported"), std::string::npos);
  auto flag = with_url("mock-pool.lab.svc");
  flag.pools[0].tls = true;
  EXPECT_NE(error_of([&] { validate(flag); }).find("TLS is not supported"), std::string::npos);
  auto daemon = with_url("daemon+http://node.lab:18081");
  EXPECT_NE(error_of([&] { validate(daemon); }).find("not supported"), std::string::npos);
}

TEST(Validate, RefusesRealPoolAndSaysWhy) {
  auto c = with_url("stratum+tcp://pool.supportxmr.com:3333");
  auto msg = error_of([&] { validate(c); });
  EXPECT_NE(msg.find("refusing pool host \"pool.supportxmr.com\": not a lab name"), std::string::npos) << msg;
  c.allow_pool_hosts = {"pool.supportxmr.com"};
  EXPECT_EQ(error_of([&] { validate(c); }), "");
}

TEST(Validate, NeedsAnEnabledPool) {
  MinerConfig c;
  EXPECT_NE(error_of([&] { validate(c); }).find("no enabled pool"), std::string::npos);
}

struct HostCase {
  const char* host;
  bool lab;
};
void PrintTo(const HostCase& h, std::ostream* os) { *os << '"' << h.host << "\" lab=" << h.lab; }
class LabHosts : public ::testing::TestWithParam<HostCase> {};
TEST_P(LabHosts, Rule) { EXPECT_EQ(is_lab_host(GetParam().host, {"extra.example.org", ".corp.example"}), GetParam().lab) << GetParam().host; }
INSTANTIATE_TEST_SUITE_P(
    Table, LabHosts,
    ::testing::Values(HostCase{"localhost", true}, HostCase{"LOCALHOST.", true}, HostCase{"a.localhost", true},
                      HostCase{"127.0.0.1", true}, HostCase{"127.8.9.10", true}, HostCase{"::1", true},
                      HostCase{"pool.supportxmr.test", true}, HostCase{"supportxmr-pool.pool-external.svc", true},
                      HostCase{"supportxmr-pool.pool-external.svc.cluster.local", true}, HostCase{"miner.local", true},
                      HostCase{"mock-pool.lab", true}, HostCase{"extra.example.org", true}, HostCase{"a.corp.example", true},
                      HostCase{"pool.supportxmr.com", false}, HostCase{"xmr.2miners.com", false}, HostCase{"10.96.0.10", false},
                      HostCase{"8.8.8.8", false}, HostCase{"::ffff:8.8.8.8", false}, HostCase{"test", false},
                      HostCase{".test", false}, HostCase{"evil-test", false}, HostCase{"pool.test.com", false},
                      HostCase{"", false}, HostCase{"example.org", false}));
