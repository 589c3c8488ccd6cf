// The real fake-miner binary against a pool scripted inside the test: login error codes 1-7 and
// error replies (CASES 2, 3), submit replies and critical rejects (CASES 4), keepalived (CASES 1),
// and the connect-failure wording (refused / timed out / DNS).
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>

#include <atomic>
#include <regex>

#include "hex.hpp"
#include "job.hpp"
#include "test_util.hpp"

using namespace testutil;
using nlohmann::json;

namespace {

json good_job(const std::string& id = "j1", std::uint64_t diff = 1000000000) {
  return {{"blob", "1010" + std::string(148, '0')}, {"job_id", id}, {"target", stratum::target_for_difficulty(diff)},
          {"algo", "rx/0"}, {"height", 3100000}, {"seed_hash", std::string(64, 'a')}};
}

struct MinerUnderTest {
  MinerUnderTest(std::uint16_t port, std::vector<std::string> extra = {}, const std::string& host = "127.0.0.1",
                 std::function<void()> pre_exec = {}) {
    std::vector<std::string> argv{FAKE_MINER_BIN, "-o", host + ":" + std::to_string(port), "-u", lab_wallet(),
                                  "--retry-pause", "1", "--print-time", "0", "--cpu-millicores", "100"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    child = std::make_unique<Child>(argv, dir.file("miner.out"), dir.file("miner.err"), std::move(pre_exec));
  }
  TempDir dir;
  std::unique_ptr<Child> child;
};

// Accepts the miner's connection and checks its login request (CASES 2 from the miner side).
std::optional<LineClient> accept_login(Listener& l, int* login_id = nullptr) {
  auto c = l.accept(10s);
  if (!c) return std::nullopt;
  auto req = c->read_json(5s);
  if (!req) return std::nullopt;
  EXPECT_EQ((*req)["method"], "login");
  EXPECT_EQ((*req)["jsonrpc"], "2.0");
  const auto& p = (*req)["params"];
  EXPECT_TRUE(p.is_object());
  EXPECT_EQ(p["login"], lab_wallet());
  EXPECT_EQ(p["pass"], "x");
  EXPECT_EQ(p["agent"].get<std::string>().rfind("XMRig/6.22.2 ", 0), 0u);
  EXPECT_TRUE(p["algo"].is_array());
  if (login_id) *login_id = (*req)["id"];
  return c;
}

std::string reply(int id, const json& result) {
  return json{{"id", id}, {"jsonrpc", "2.0"}, {"error", nullptr}, {"result", result}}.dump() + "\n";
}
std::string error_reply(int id, const std::string& msg) {
  return json{{"id", id}, {"jsonrpc", "2.0"}, {"error", {{"code", -1}, {"message", msg}}}}.dump() + "\n";
}

struct LoginCodeCase {
  int code;
  std::function<json()> result;
  const char* detail;
};
void PrintTo(const LoginCodeCase& c, std::ostream* os) { *os << "login error code " << c.code; }

}  // namespace

class LoginErrorCodes : public ::testing::TestWithParam<LoginCodeCase> {};

TEST_P(LoginErrorCodes, LogsCodeClosesAndReconnects) {
  Listener l;
  MinerUnderTest m(l.port());
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  c->send_raw(reply(id, GetParam().result()));
  const std::string tag = "[127.0.0.1:" + std::to_string(l.port()) + "] ";
  const std::string expect = tag + "login error code: " + std::to_string(GetParam().code);
  EXPECT_TRUE(m.child->wait_output(expect, 5s)) << m.child->out();
  if (*GetParam().detail) {
    EXPECT_NE(m.child->out().find(tag + GetParam().detail), std::string::npos) << m.child->out();
  }
  EXPECT_TRUE(c->closed_by_peer(5s));
  EXPECT_TRUE(m.child->wait_output("net      no active pools, stop mining", 2s));
  EXPECT_EQ(m.child->out().find("new job from"), std::string::npos);
  // Reconnects after --retry-pause 1 and logs in again.
  EXPECT_TRUE(accept_login(l).has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Cases3, LoginErrorCodes,
    ::testing::Values(
        LoginCodeCase{1, [] { return json{{"job", good_job()}, {"status", "OK"}}; }, ""},
        LoginCodeCase{2, [] { return json{{"id", "s1"}, {"job", "nope"}, {"status", "OK"}}; }, ""},
        LoginCodeCase{3, [] { auto j = good_job(); j.erase("job_id"); return json{{"id", "s1"}, {"job", j}}; }, ""},
        LoginCodeCase{4, [] { auto j = good_job(); j["blob"] = "xyz"; return json{{"id", "s1"}, {"job", j}}; }, ""},
        LoginCodeCase{5, [] { auto j = good_job(); j["target"] = "0"; return json{{"id", "s1"}, {"job", j}}; }, ""},
        LoginCodeCase{6, [] { auto j = good_job(); j.erase("algo"); return json{{"id", "s1"}, {"job", j}}; },
                      "unknown algorithm, make sure you set \"algo\" or \"coin\" option"},
        LoginCodeCase{7, [] { auto j = good_job(); j.erase("seed_hash"); return json{{"id", "s1"}, {"job", j}}; }, ""}),
    [](const auto& p) { return "code" + std::to_string(p.param.code); });

TEST(MinerScripted, Case3bWithConfiguredAlgoIsFine) {
  Listener l;
  MinerUnderTest m(l.port(), {"--algo", "rx/0"});
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  auto j = good_job();
  j.erase("algo");
  c->send_raw(reply(id, {{"id", "s1"}, {"job", j}, {"status", "OK"}}));
  // The logged diff is what the compact target encodes (xmrig's arithmetic), not the pool's input.
  const auto diff = stratum::difficulty_from_target(stratum::target_for_difficulty(1000000000)).value();
  EXPECT_TRUE(m.child->wait_output("net      new job from 127.0.0.1:" + std::to_string(l.port()) + " diff " +
                                       std::to_string(diff) + " algo rx/0 height 3100000", 5s)) << m.child->out();
}

TEST(MinerScripted, Case2BadWalletErrorReply) {
  Listener l;
  MinerUnderTest m(l.port());
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  c->send_raw(error_reply(id, "Invalid payment address provided"));
  EXPECT_TRUE(m.child->wait_output("[127.0.0.1:" + std::to_string(l.port()) +
                                       "] error: \"Invalid payment address provided\", code: -1", 5s)) << m.child->out();
  EXPECT_TRUE(c->closed_by_peer(5s));
  EXPECT_TRUE(accept_login(l).has_value());
}

TEST(MinerScripted, Case3PushedJobWithoutSeedHashDropsSilently) {
  Listener l;
  MinerUnderTest m(l.port());
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  c->send_raw(reply(id, {{"id", "s1"}, {"job", good_job()}, {"status", "OK"}}));
  ASSERT_TRUE(m.child->wait_output("new job from", 5s));
  auto bad = good_job("j2");
  bad.erase("seed_hash");
  c->send_raw(json{{"jsonrpc", "2.0"}, {"method", "job"}, {"params", bad}}.dump() + "\n");
  EXPECT_TRUE(c->closed_by_peer(5s));
  EXPECT_TRUE(accept_login(l).has_value());
  EXPECT_EQ(m.child->out().find("login error"), std::string::npos) << m.child->out();
  EXPECT_EQ(count_of(m.child->out(), "new job from"), 1u);
}

TEST(MinerScripted, Case4SubmitRepliesAndCriticalReject) {
  Listener l;
  MinerUnderTest m(l.port());
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  // diff 20 at 100m (138 H/s): several shares per second.
  c->send_raw(reply(id, {{"id", "sess-1"}, {"job", good_job("j1", 20)}, {"status", "OK"}}));
  auto next_submit = [&](LineClient& conn) -> std::optional<json> {
    for (;;) {
      auto j = conn.read_json(10s);
      if (!j) return std::nullopt;
      if ((*j)["method"] == "submit") return j;
    }
  };
  auto check_submit = [](const json& s) {
    const auto& p = s["params"];
    EXPECT_EQ(p["id"], "sess-1");
    EXPECT_EQ(p["job_id"], "j1");
    EXPECT_EQ(p["nonce"].get<std::string>().size(), 8u);
    EXPECT_TRUE(stratum::is_hex(p["nonce"].get<std::string>()));
    ASSERT_EQ(p["result"].get<std::string>().size(), 64u);
    EXPECT_GE(stratum::result_difficulty(p["result"]).value(), 20u);  // really meets the target
  };
  auto s1 = next_submit(*c);
  ASSERT_TRUE(s1.has_value());
  check_submit(*s1);
  c->send_raw(reply((*s1)["id"], {{"status", "OK"}}));  // (a)
  EXPECT_TRUE(m.child->wait_output("cpu      accepted (1/0) diff 20 (", 5s)) << m.child->out();
  auto s2 = next_submit(*c);
  ASSERT_TRUE(s2.has_value());
  c->send_raw(error_reply((*s2)["id"], "Low difficulty share"));  // (b): connection kept
  EXPECT_TRUE(m.child->wait_output("cpu      rejected (1/1) diff 20 \"Low difficulty share\" (", 5s)) << m.child->out();
  auto s3 = next_submit(*c);
  ASSERT_TRUE(s3.has_value()) << "connection must survive an ordinary reject";
  c->send_raw(error_reply((*s3)["id"], "Unauthenticated"));  // (c): critical
  EXPECT_TRUE(m.child->wait_output("cpu      rejected (1/2) diff 20 \"Unauthenticated\" (", 5s)) << m.child->out();
  EXPECT_TRUE(c->closed_by_peer(5s));
  EXPECT_TRUE(accept_login(l).has_value()) << "re-login after a critical reject";
  std::regex accepted_line(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]  cpu      accepted \(1/0\) diff 20 \(\d+ ms\))");
  EXPECT_TRUE(std::regex_search(m.child->out(), accepted_line)) << m.child->out();
}

TEST(MinerScripted, Case1KeepalivedWhenAdvertised) {
  Listener l;
  MinerUnderTest m(l.port(), {"--keepalive-interval", "1"});
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  c->send_raw(reply(id, {{"id", "sess-k"}, {"job", good_job()}, {"extensions", {"keepalive"}}, {"status", "OK"}}));
  auto ka = c->read_json(5s);
  ASSERT_TRUE(ka.has_value());
  EXPECT_EQ((*ka)["method"], "keepalived");
  EXPECT_EQ((*ka)["params"]["id"], "sess-k");
  c->send_raw(reply((*ka)["id"], {{"status", "KEEPALIVED"}}));
  EXPECT_TRUE(c->read_json(5s).has_value());  // and again after the next quiet second
}

TEST(MinerScripted, Case1KeepalivedWhenConfiguredEvenIfNotAdvertised) {
  // xmrig sends keepalived when the pool config says keepalive:true OR the login result
  // advertises the extension; here only the config (-k) asks for it.
  Listener l;
  MinerUnderTest m(l.port(), {"--keepalive", "--keepalive-interval", "1"});
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  c->send_raw(reply(id, {{"id", "sess-c"}, {"job", good_job()}, {"status", "OK"}}));
  auto ka = c->read_json(5s);
  ASSERT_TRUE(ka.has_value());
  EXPECT_EQ((*ka)["method"], "keepalived");
  EXPECT_EQ((*ka)["jsonrpc"], "2.0");
  EXPECT_EQ((*ka)["params"]["id"], "sess-c");
}

TEST(MinerScripted, Case1InvalidMethodReplyIsAnErrorButKeepsTheConnection) {
  // A pool that does not know keepalived answers "Invalid method" (monero-stratum#44). xmrig
  // logs it like any non-submit error reply and keeps the session (not a critical message).
  Listener l;
  MinerUnderTest m(l.port(), {"--keepalive", "--keepalive-interval", "1"});
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  c->send_raw(reply(id, {{"id", "sess-i"}, {"job", good_job()}, {"status", "OK"}}));
  auto ka = c->read_json(5s);
  ASSERT_TRUE(ka.has_value());
  ASSERT_EQ((*ka)["method"], "keepalived");
  c->send_raw(json{{"id", (*ka)["id"]}, {"jsonrpc", "2.0"}, {"error", {{"code", -1}, {"message", "Invalid method"}}}}.dump() + "\n");
  EXPECT_TRUE(m.child->wait_output("[127.0.0.1:" + std::to_string(l.port()) + "] error: \"Invalid method\", code: -1", 5s))
      << m.child->out();
  // Still the same session: the next quiet second brings another keepalived on this socket.
  auto again = c->read_json(5s);
  ASSERT_TRUE(again.has_value()) << "connection must survive a non-critical error reply";
  EXPECT_EQ((*again)["method"], "keepalived");
  EXPECT_EQ(count_of(m.child->out(), "use pool"), 1u);
}

TEST(MinerScripted, Case1NoKeepalivedWhenNotAdvertisedNorConfigured) {
  Listener l;
  MinerUnderTest m(l.port(), {"--keepalive-interval", "1"});
  int id = 0;
  auto c = accept_login(l, &id);
  ASSERT_TRUE(c.has_value());
  c->send_raw(reply(id, {{"id", "s"}, {"job", good_job()}, {"status", "OK"}}));
  EXPECT_FALSE(c->read_json(2500ms).has_value());
}

TEST(MinerConnect, RefusedIsLoggedDistinctlyAndNoCpuBurned) {
  std::uint16_t port;
  {
    Listener l;
    port = l.port();
  }  // closed: nothing listens there now
  MinerUnderTest m(port);
  const std::string tag = "[127.0.0.1:" + std::to_string(port) + "] ";
  EXPECT_TRUE(m.child->wait_output(tag + "connect error: \"connection refused\"", 5s)) << m.child->out();
  EXPECT_TRUE(m.child->wait_output("net      no active pools, stop mining", 2s));
  // Retries after retry-pause; the announcement is made once per outage.
  EXPECT_TRUE(poll_until([&] { return count_of(m.child->out(), "connection refused") >= 2; }, 5s));
  EXPECT_EQ(count_of(m.child->out(), "no active pools, stop mining"), 1u);
  EXPECT_LT(m.child->cpu_seconds(), 0.3) << "no job, so no burn";
}

TEST(MinerConnect, TimeoutWhenSynsAreDropped) {
  // A listener whose accept queue is full drops further SYNs, like a NetworkPolicy DROP.
  Listener l(0);
  std::vector<int> fillers;
  auto pending_connect_hangs = [&] {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(l.port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(fd);
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, 300) == 0;
  };
  bool hangs = false;
  for (int i = 0; i < 8 && !hangs; ++i) hangs = pending_connect_hangs();
  if (!hangs) {
    for (int fd : fillers) close(fd);
    GTEST_SKIP() << "this network stack does not drop SYNs on a full accept queue";
  }
  MinerUnderTest m(l.port(), {"--connect-timeout", "1"});
  EXPECT_TRUE(m.child->wait_output("[127.0.0.1:" + std::to_string(l.port()) + "] connect error: \"connection timed out\"", 5s))
      << m.child->out();
  EXPECT_TRUE(m.child->wait_output("no active pools, stop mining", 2s));
  for (int fd : fillers) close(fd);
}

namespace {
// A DNS server on 127.0.0.1:53 that answers NXDOMAIN to everything.
class NxdomainServer {
 public:
  NxdomainServer() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    if (ok_) thread_ = std::thread([this] { serve(); });
  }
  ~NxdomainServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  bool ok() const { return ok_; }
  int queries() const { return queries_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      unsigned char buf[512];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 12) continue;
      ++queries_;
      buf[2] |= 0x80;                                       // QR: response
      buf[3] = static_cast<unsigned char>(0x80 | 0x03);     // RA, RCODE=NXDOMAIN
      sendto(fd_, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};
}  // namespace

TEST(MinerConnect, DnsFailureIsGetaddrinfoError) {
  // Keep DNS on loopback: the miner runs in its own mount namespace whose /etc/resolv.conf
  // points at our NXDOMAIN server.
  NxdomainServer dns;
  if (!dns.ok()) GTEST_SKIP() << "cannot bind 127.0.0.1:53";
  TempDir d;
  const std::string resolv = d.file("resolv.conf");
  std::ofstream(resolv) << "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
  // Probe once whether mount namespaces work here.
  {
    Child probe({"/bin/true"}, d.file("p.out"), d.file("p.err"), [&] {
      if (unshare(CLONE_NEWNS) != 0) _exit(3);
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
      if (mount(resolv.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0) _exit(4);
    });
    if (probe.wait_exit(5s) != 0) GTEST_SKIP() << "no mount namespaces here";
  }
  MinerUnderTest m(3333, {}, "no-such-pool.test", [&] {
    if (unshare(CLONE_NEWNS) != 0) _exit(3);
    mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    if (mount(resolv.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0) _exit(4);
  });
  EXPECT_TRUE(m.child->wait_output("[no-such-pool.test:3333] getaddrinfo error: \"unknown node or service\"", 8s))
      << m.child->out() << m.child->err();
  EXPECT_TRUE(m.child->wait_output("no active pools, stop mining", 2s));
  EXPECT_GT(dns.queries(), 0);
}
