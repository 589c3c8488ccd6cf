// The real fake-pool binary over loopback: CASES 1-4 replies byte for byte, evidence (events,
// /stats, /metrics), and robustness under hostile clients.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <random>

#include "hex.hpp"
#include "job.hpp"
#include "test_util.hpp"

using namespace testutil;
using nlohmann::json;

namespace {
struct LoggedIn {
  LineClient client;
  std::string session;
  json job;
};
LoggedIn login(PoolProcess& pool, const std::string& rigid = "rig-1") {
  LineClient c(pool.stratum_port);
  EXPECT_TRUE(c.ok());
  c.send_json(login_request(1, lab_wallet(), rigid));
  auto r = c.read_reply(1);
  EXPECT_TRUE(r.has_value());
  if (!r || !(*r)["result"].is_object()) return {std::move(c), "", json()};
  return {std::move(c), (*r)["result"]["id"], (*r)["result"]["job"]};
}
json submit(const std::string& session, const std::string& job_id, const std::string& nonce, const std::string& result, int id = 2) {
  return {{"id", id}, {"jsonrpc", "2.0"}, {"method", "submit"},
          {"params", {{"id", session}, {"job_id", job_id}, {"nonce", nonce}, {"result", result}}}};
}
const std::string kGoodResult(64, '0');  // last 8 bytes zero: meets any difficulty
}  // namespace

TEST(PoolCases, Case2LoginParamsObjectAndReplyShape) {
  PoolProcess pool;
  LineClient c(pool.stratum_port);
  c.send_raw(R"({"id":1,"jsonrpc":"2.0","method":"login","params":{"login":")" + lab_wallet() +
             R"(","pass":"x","agent":"XMRig/6.22.2 (Linux x86_64) libuv/1.43.0 gcc/11.4.0","algo":["rx/0","cn/2","cn/r","..."],"rigid":"proxy-api"}})" "\n");
  auto line = c.read_line();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->rfind(R"({"id":1,"jsonrpc":"2.0","error":null,"result":{"id":")", 0), 0u) << *line;
  auto r = json::parse(*line);
  const auto& res = r["result"];
  EXPECT_EQ(res["status"], "OK");
  ASSERT_TRUE(res["id"].is_string());
  const auto& job = res["job"];
  EXPECT_EQ(job["algo"], "rx/0");
  EXPECT_TRUE(job["job_id"].is_string());
  EXPECT_TRUE(job["height"].is_number_unsigned());
  EXPECT_EQ(job["target"].get<std::string>().size(), 8u);
  EXPECT_EQ(stratum::difficulty_from_target(job["target"]).value(), 5000u);  // default --difficulty
  EXPECT_GE(job["blob"].get<std::string>().size(), 152u);
  // CASES 3: rx/0 jobs must carry a 64-hex seed_hash.
  ASSERT_TRUE(job["seed_hash"].is_string());
  EXPECT_EQ(job["seed_hash"].get<std::string>().size(), 64u);
  EXPECT_TRUE(stratum::is_hex(job["seed_hash"].get<std::string>()));
  EXPECT_EQ(res["extensions"], json::array({"keepalive"}));
  ASSERT_TRUE(poll_until([&] { return pool.count_events("login", "rig_id", "proxy-api") == 1; }, 3s));
  for (const auto& e : pool.events())
    if (e["event"] == "login") {
      EXPECT_EQ(e["wallet"], lab_wallet());
      EXPECT_EQ(e["agent"].get<std::string>().rfind("XMRig/6.22.2", 0), 0u);
      EXPECT_EQ(e["worker"], "proxy-api");
      EXPECT_EQ(e["session"], res["id"]);
      EXPECT_EQ(e["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
      EXPECT_EQ(e["ts"].get<std::string>().size(), 24u);  // 2026-06-02T10:00:00.123Z
    }
}

TEST(PoolCases, Case2BadWalletAndArrayParams) {
  PoolProcess pool;
  LineClient c(pool.stratum_port);
  c.send_json(login_request(1, "not-a-wallet"));
  EXPECT_EQ(c.read_line().value(), R"({"id":1,"jsonrpc":"2.0","error":{"code":-1,"message":"Invalid payment address provided"}})");
  // Bitcoin-style positional params are not what xmrig sends; answer with an error, not a crash.
  c.send_raw(R"({"id":5,"jsonrpc":"2.0","method":"login","params":["a","b"]})" "\n");
  auto r = c.read_reply(5).value();
  EXPECT_EQ(r["error"]["code"], -32602);
  // Still able to log in on the same connection.
  c.send_json(login_request(6, lab_wallet()));
  EXPECT_EQ(c.read_reply(6).value()["result"]["status"], "OK");
}

TEST(PoolCases, Case1KeepalivedReply) {
  PoolProcess pool;
  auto s = login(pool);
  s.client.send_raw(R"({"id":3,"jsonrpc":"2.0","method":"keepalived","params":{"id":")" + s.session + "\"}}\n");
  EXPECT_EQ(s.client.read_line().value(), R"({"id":3,"jsonrpc":"2.0","error":null,"result":{"status":"KEEPALIVED"}})");
}

TEST(PoolCases, Case4SubmitReplies) {
  PoolProcess pool({"--difficulty", "5000"});
  auto s = login(pool);
  const std::string job_id = s.job["job_id"];
  // (a) accepted
  s.client.send_json(submit(s.session, job_id, "d0030040", kGoodResult));
  EXPECT_EQ(s.client.read_line().value(), R"({"id":2,"jsonrpc":"2.0","error":null,"result":{"status":"OK"}})");
  // duplicate of the same nonce
  s.client.send_json(submit(s.session, job_id, "d0030040", kGoodResult, 3));
  EXPECT_EQ(s.client.read_line().value(), R"({"id":3,"jsonrpc":"2.0","error":{"code":-1,"message":"Duplicate share"}})");
  // (b) low difficulty: a result whose value proves difficulty 1
  s.client.send_json(submit(s.session, job_id, "d0030041", std::string(64, 'f'), 4));
  EXPECT_EQ(s.client.read_line().value(), R"({"id":4,"jsonrpc":"2.0","error":{"code":-1,"message":"Low difficulty share"}})");
  // just below the target is still low; a hash meeting it is accepted
  s.client.send_json(submit(s.session, job_id, "d0030042", stratum::result_hex(stratum::target64(5000) * 2), 5));
  EXPECT_EQ(s.client.read_reply(5).value()["error"]["message"], "Low difficulty share");
  s.client.send_json(submit(s.session, job_id, "d0030043", stratum::result_hex(stratum::target64(5000) - 1), 6));
  EXPECT_EQ(s.client.read_reply(6).value()["result"]["status"], "OK");
  // (c) unknown session
  s.client.send_json(submit("no-such-session", job_id, "d0030044", kGoodResult, 7));
  EXPECT_EQ(s.client.read_line().value(), R"({"id":7,"jsonrpc":"2.0","error":{"code":-1,"message":"Unauthenticated"}})");
  // unknown job
  s.client.send_json(submit(s.session, "nope", "d0030045", kGoodResult, 8));
  EXPECT_EQ(s.client.read_line().value(), R"({"id":8,"jsonrpc":"2.0","error":{"code":-1,"message":"Invalid job id"}})");
  // malformed nonce / result
  s.client.send_json(submit(s.session, job_id, "xyz", kGoodResult, 9));
  EXPECT_EQ(s.client.read_reply(9).value()["error"]["message"], "Invalid nonce");
  s.client.send_json(submit(s.session, job_id, "d0030046", "abc", 10));
  EXPECT_EQ(s.client.read_reply(10).value()["error"]["message"], "Invalid result");

  ASSERT_TRUE(poll_until([&] { return pool.count_events("share") == 9; }, 3s));
  EXPECT_EQ(pool.count_events("share", "status", "accepted"), 2u);
  EXPECT_EQ(pool.count_events("share", "reason", "Unauthenticated"), 1u);
  auto st = pool.stats();
  EXPECT_EQ(st["shares"]["accepted"], 2);
  EXPECT_EQ(st["shares"]["rejected"], 7);
  EXPECT_EQ(st["workers"]["rig-1"]["accepted"], 2);
  EXPECT_EQ(st["remotes"]["127.0.0.1"]["rejected"], 7);
  EXPECT_TRUE(st["last_share"].is_string());
}

TEST(PoolCases, JobPushAndPreviousJobStillAccepted) {
  PoolProcess pool({"--job-interval", "1"});
  auto s = login(pool);
  const std::string first = s.job["job_id"];
  auto pushed = s.client.read_json(5s);
  ASSERT_TRUE(pushed.has_value());
  EXPECT_EQ((*pushed)["jsonrpc"], "2.0");
  EXPECT_EQ((*pushed)["method"], "job");
  EXPECT_FALSE(pushed->contains("id"));
  const std::string second = (*pushed)["params"]["job_id"];
  EXPECT_NE(first, second);
  EXPECT_EQ((*pushed)["params"]["seed_hash"].get<std::string>().size(), 64u);
  // The just-replaced job is still accepted (before the next rotation).
  s.client.send_json(submit(s.session, first, "00000001", kGoodResult, 11));
  auto r = s.client.read_reply(11).value();
  if (r["error"].is_null()) {
    EXPECT_EQ(r["result"]["status"], "OK");
  } else {
    EXPECT_EQ(r["error"]["message"], "Invalid job id") << "only if two rotations raced the submit";
  }
  // After two more rotations the first job is gone.
  ASSERT_TRUE(s.client.read_json(5s).has_value());
  ASSERT_TRUE(s.client.read_json(5s).has_value());
  s.client.send_json(submit(s.session, first, "00000002", kGoodResult, 12));
  EXPECT_EQ(s.client.read_reply(12).value()["error"]["message"], "Invalid job id");
}

TEST(PoolProtocol, UnknownMethodMalformedJsonAndNotifications) {
  PoolProcess pool;
  auto s = login(pool);
  s.client.send_raw(R"({"id":9,"jsonrpc":"2.0","method":"mining.subscribe","params":[]})" "\n");
  EXPECT_EQ(s.client.read_line().value(), R"({"id":9,"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"}})");
  s.client.send_raw(R"({"id":10,"jsonrpc":"2.0","method":"getjob","params":{"id":")" + s.session + "\"}}\n");
  EXPECT_EQ(s.client.read_reply(10).value()["result"]["algo"], "rx/0");
  // A notification (no id) gets no reply; the next request's reply comes first.
  s.client.send_raw(R"({"jsonrpc":"2.0","method":"keepalived","params":{}})" "\n");
  s.client.send_raw(R"({"id":11,"jsonrpc":"2.0","method":"keepalived","params":{}})" "\n");
  EXPECT_EQ(s.client.read_json().value()["id"], 11);
  s.client.send_raw("{this is not json\n");
  EXPECT_EQ(s.client.read_line().value(), R"({"id":null,"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}})");
  EXPECT_TRUE(s.client.closed_by_peer(3s));
  ASSERT_TRUE(poll_until([&] { return pool.count_events("disconnect", "reason", "malformed json") == 1; }, 3s));
}

TEST(PoolHttp, Endpoints) {
  PoolProcess pool;
  auto h = http_get(pool.http_port, "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok");
  EXPECT_EQ(http_get(pool.http_port, "/nope").status, 404);
  EXPECT_EQ(http_get(pool.http_port, "/stats?x=1").status, 200);
  auto st = pool.stats();
  EXPECT_EQ(st["miners_online"], 0);
  EXPECT_TRUE(st["last_share"].is_null());
  {
    auto s = login(pool, "rig-\"q\"");
    s.client.send_json(submit(s.session, s.job["job_id"], "00000001", kGoodResult));
    ASSERT_TRUE(s.client.read_reply(2).has_value());
    EXPECT_EQ(pool.stats()["miners_online"], 1);
    auto m = http_get(pool.http_port, "/metrics");
    EXPECT_EQ(m.status, 200);
    EXPECT_NE(m.body.find("fake_pool_miners_online 1\n"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("fake_pool_worker_shares_total{worker=\"rig-\\\"q\\\"\",status=\"accepted\"} 1\n"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("fake_pool_remote_shares_total{remote=\"127.0.0.1\",status=\"accepted\"} 1\n"), std::string::npos);
    EXPECT_EQ(m.body.find("fake_pool_last_share_timestamp_seconds 0.000"), std::string::npos);
  }
  EXPECT_TRUE(poll_until([&] { return pool.stats()["miners_online"] == 0; }, 3s));
}

// ---- robustness ------------------------------------------------------------------------------

namespace {
// The pool still serves a well-behaved miner end to end.
void expect_serves(PoolProcess& pool) {
  auto s = login(pool, "after-abuse");
  ASSERT_FALSE(s.session.empty());
  s.client.send_json(submit(s.session, s.job["job_id"], "0000abcd", kGoodResult, 2));
  auto r = s.client.read_reply(2);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["result"]["status"], "OK");
  EXPECT_TRUE(pool.child().running());
}
}  // namespace

TEST(PoolRobustness, RandomBytes) {
  PoolProcess pool({"--max-line", "4096"});
  std::mt19937 rng(1234);
  for (int i = 0; i < 20; ++i) {
    LineClient c(pool.stratum_port);
    std::string junk(8192 + rng() % 8192, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng());
    c.send_raw(junk);
    EXPECT_TRUE(c.closed_by_peer(5s)) << "client " << i;
  }
  // Random *lines* of JSON-ish garbage: answered or closed, never a crash.
  for (const char* line : {"{}", "[]", "null", "{\"id\":{},\"method\":\"login\",\"params\":{}}", "{\"method\":\"submit\"}",
                           "{\"id\":1,\"method\":\"submit\",\"params\":42}", "{\"id\":1,\"method\":\"login\",\"params\":{\"login\":7}}",
                           "\xff\xfe\xfd", "{\"id\":1e400}"}) {
    LineClient c(pool.stratum_port);
    // Then a well-formed request: its reply must come (after any error reply), unless the
    // pool chose to hang up on the garbage.
    c.send_raw(std::string(line) + "\n" + R"({"id":99,"jsonrpc":"2.0","method":"keepalived","params":{}})" "\n");
    auto got = c.read_reply(99, 3s);
    if (!got) {
      EXPECT_TRUE(c.closed_by_peer(3s)) << line;
    }
  }
  expect_serves(pool);
}

TEST(PoolRobustness, OversizedLineClosesConnection) {
  PoolProcess pool({"--max-line", "1024"});
  LineClient c(pool.stratum_port);
  c.send_raw(std::string(2048, 'a') + "\n");
  EXPECT_TRUE(c.closed_by_peer(5s));
  LineClient unterminated(pool.stratum_port);
  unterminated.send_raw(std::string(100000, '{'));  // never a newline
  EXPECT_TRUE(unterminated.closed_by_peer(5s));
  ASSERT_TRUE(poll_until([&] { return pool.count_events("disconnect", "reason", "line too long") == 2; }, 3s));
  expect_serves(pool);
}

TEST(PoolRobustness, SlowAndIdleClientsHitDeadlines) {
  PoolProcess pool({"--login-timeout", "1", "--idle-timeout", "2"});
  // Never logs in: a slowloris trickling a partial line.
  LineClient slow(pool.stratum_port);
  const auto t0 = Clock::now();
  bool closed = false;
  for (int i = 0; i < 50 && !closed; ++i) {
    slow.send_raw("{");
    closed = slow.closed_by_peer(100ms);
  }
  if (!closed) closed = slow.closed_by_peer(3s);
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - t0, 4s);
  // Logged in, then silent.
  auto idle = login(pool, "idle");
  EXPECT_TRUE(idle.client.closed_by_peer(6s));
  ASSERT_TRUE(poll_until([&] {
    return pool.count_events("disconnect", "reason", "login timeout") >= 1 &&
           pool.count_events("disconnect", "reason", "idle timeout") >= 1;
  }, 3s));
  expect_serves(pool);
}

TEST(PoolRobustness, StalledReaderDoesNotBlockOthers) {
  PoolProcess pool;
  // Floods requests and never reads replies; the pool must keep serving others meanwhile.
  LineClient hog(pool.stratum_port);
  const std::string req = std::string(R"({"id":1,"jsonrpc":"2.0","method":"getjob","params":{}})") + "\n";
  std::string burst;
  for (int i = 0; i < 2000; ++i) burst += req;
  for (int i = 0; i < 5; ++i) hog.send_raw(burst);
  expect_serves(pool);
}

TEST(PoolRobustness, ThousandConcurrentConnections) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 2200) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < 2200) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low: " << rl.rlim_max;
  PoolProcess pool({"--max-connections", "1100"});
  std::vector<LineClient> clients;
  clients.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    clients.emplace_back(pool.stratum_port);
    ASSERT_TRUE(clients.back().ok()) << "connect " << i;
    clients.back().send_json(login_request(1, lab_wallet(), "m" + std::to_string(i)));
  }
  int ok = 0;
  for (auto& c : clients) {
    auto r = c.read_reply(1, 10s);
    ok += r && (*r)["result"]["status"] == "OK";
  }
  EXPECT_EQ(ok, 1000);
  EXPECT_TRUE(poll_until([&] { return pool.stats()["miners_online"] == 1000; }, 10s));
  expect_serves(pool);  // the 1001st connection
  clients.clear();
  EXPECT_TRUE(poll_until([&] { return pool.stats()["miners_online"] == 0; }, 10s));
}

TEST(PoolRobustness, ConnectionCap) {
  PoolProcess pool({"--max-connections", "20"});
  std::vector<LineClient> held;
  for (int i = 0; i < 20; ++i) {
    held.emplace_back(pool.stratum_port);
    held.back().send_json(login_request(1, lab_wallet()));
    ASSERT_TRUE(held.back().read_reply(1).has_value());
  }
  LineClient extra(pool.stratum_port);  // accepted by the kernel, then closed by the pool
  EXPECT_TRUE(extra.closed_by_peer(5s));
  ASSERT_TRUE(poll_until([&] { return pool.count_events("disconnect", "reason", "too many connections") >= 1; }, 3s));
  held.pop_back();
  EXPECT_TRUE(poll_until([&] { return pool.stats()["miners_online"] == 19; }, 3s));
  expect_serves(pool);
}

TEST(PoolProcessLifecycle, SigtermExitsCleanly) {
  PoolProcess pool;
  auto s = login(pool);
  pool.child().signal(SIGTERM);
  EXPECT_EQ(pool.child().wait_exit(5s), 0);
  EXPECT_NE(pool.child().out().find("\"event\":\"shutdown\""), std::string::npos);
  PoolProcess pool2;
  pool2.child().signal(SIGINT);
  EXPECT_EQ(pool2.child().wait_exit(5s), 0);
}

TEST(PoolProcessLifecycle, BadArgumentsExit2) {
  TempDir d;
  Child c({FAKE_POOL_BIN, "--difficulty", "0"}, d.file("o"), d.file("e"));
  EXPECT_EQ(c.wait_exit(5s), 2);
  Child h({FAKE_POOL_BIN, "--help"}, d.file("o2"), d.file("e2"));
  EXPECT_EQ(h.wait_exit(5s), 0);
  EXPECT_NE(h.out().find("--max-connections"), std::string::npos);
}
