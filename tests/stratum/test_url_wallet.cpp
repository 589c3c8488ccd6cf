// CASES 6 (miner-config-pool-url) as a table, plus the lab wallet format.
#include <gtest/gtest.h>

#include "url.hpp"
#include "wallet.hpp"

using namespace stratum;

struct UrlCase {
  const char* url;
  bool valid;
  const char* host;
  int port;
  bool tls;
};
void PrintTo(const UrlCase& c, std::ostream* os) { *os << '"' << c.url << '"'; }
class UrlTable : public ::testing::TestWithParam<UrlCase> {};
TEST_P(UrlTable, ParsesLikeXmrig) {
  const auto& c = GetParam();
  std::string why;
  auto u = parse_url(c.url, &why);
  ASSERT_EQ(u.has_value(), c.valid) << c.url << " " << why;
  if (!c.valid) {
    EXPECT_FALSE(why.empty());
    return;
  }
  EXPECT_EQ(u->host, c.host);
  EXPECT_EQ(u->port, c.port);
  EXPECT_EQ(u->tls, c.tls);
}
INSTANTIATE_TEST_SUITE_P(
    Cases6, UrlTable,
    ::testing::Values(UrlCase{"stratum+tcp://mock-pool.lab.svc:3333", true, "mock-pool.lab.svc", 3333, false},
                      UrlCase{"mock-pool.lab.svc", true, "mock-pool.lab.svc", 3333, false},
                      UrlCase{"stratum+ssl://mock-pool.lab.svc:443", true, "mock-pool.lab.svc", 443, true},
                      UrlCase{"http://mock-pool.lab.svc:3333", false, "", 0, false},
                      // Beyond the table: case-insensitive scheme, IPv6, other schemes, bad ports.
                      UrlCase{"STRATUM+TCP://pool.supportxmr.test:5555", true, "pool.supportxmr.test", 5555, false},
                      UrlCase{"pool.supportxmr.test:3333", true, "pool.supportxmr.test", 3333, false},
                      UrlCase{"[::1]:4444", true, "::1", 4444, false},
                      UrlCase{"stratum+tcp://[::1]", true, "::1", 3333, false},
                      UrlCase{"daemon+https://node.lab:18081/json_rpc", true, "node.lab", 18081, true},
                      UrlCase{"https://mock-pool.lab.svc:3333", false, "", 0, false},
                      UrlCase{"tcp://mock-pool.lab.svc", false, "", 0, false},
                      UrlCase{"mock-pool.lab.svc:0", false, "", 0, false},
                      UrlCase{"mock-pool.lab.svc:70000", false, "", 0, false},
                      UrlCase{"mock-pool.lab.svc:33a", false, "", 0, false},
                      UrlCase{"stratum+tcp://:3333", false, "", 0, false},
                      UrlCase{"", false, "", 0, false},
                      UrlCase{"[::1", false, "", 0, false}));

TEST(Url, EndpointAsXmrigPrintsIt) {
  EXPECT_EQ(parse_url("stratum+tcp://pool.supportxmr.test:3333")->endpoint(), "pool.supportxmr.test:3333");
  EXPECT_EQ(parse_url("[::1]:3333")->endpoint(), "[::1]:3333");
}

TEST(Wallet, LabDefaultPasses) { EXPECT_TRUE(is_valid_wallet(kLabWallet)); }

TEST(Wallet, InvalidForms) {
  std::string w(kLabWallet);
  EXPECT_FALSE(is_valid_wallet(""));
  EXPECT_FALSE(is_valid_wallet("x"));
  EXPECT_FALSE(is_valid_wallet(w.substr(0, 94)));                   // too short
  EXPECT_FALSE(is_valid_wallet(w + "1"));                           // too long
  EXPECT_FALSE(is_valid_wallet("5" + w.substr(1)));                 // wrong network byte
  EXPECT_FALSE(is_valid_wallet(w.substr(0, 94) + "0"));             // '0' is not base58
  EXPECT_FALSE(is_valid_wallet(w.substr(0, 94) + "l"));             // nor 'l'
  EXPECT_TRUE(is_valid_wallet("8" + w.substr(1)));                  // subaddress form
}

TEST(Wallet, LoginWithWorkerAndFixedDiff) {
  const std::string w(kLabWallet);
  auto a = parse_login(w + ".rig-7+50000");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->wallet, w);
  EXPECT_EQ(a->worker, "rig-7");
  EXPECT_TRUE(parse_login(w).has_value());
  EXPECT_FALSE(parse_login(w + ".").has_value());
  EXPECT_FALSE(parse_login(w + ".bad worker").has_value());
  EXPECT_FALSE(parse_login("notawallet.rig").has_value());
}
