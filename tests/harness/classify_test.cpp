// Outcome classification, as tables: CASES 7 (deny-all breaks DNS) and 8 (timeout vs refused),
// plus HTTP status lines and quantities.
#include <gtest/gtest.h>

#include "cluster/classify.h"

using namespace labctl;
using namespace labctl::cluster;
using namespace std::chrono_literals;

struct EgressCase {
  const char* name;
  int exit_code;
  const char* err;
  Millis elapsed;
  Egress want;
};

class EgressTable : public ::testing::TestWithParam<EgressCase> {};

TEST_P(EgressTable, Classifies) {
  const auto& c = GetParam();
  EXPECT_EQ(to_string(classify_egress(c.exit_code, "", c.err, c.elapsed, 3s)), std::string(to_string(c.want))) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EgressTable,
    ::testing::Values(
        // CASES 7: deny-all without allow-dns: the name does not resolve.
        EgressCase{"case7_wget_bad_address", 1, "wget: bad address 'mock-pool.lab.svc'", 40ms, Egress::dns_failure},
        EgressCase{"case7_nc_bad_address", 1, "nc: bad address 'pool.supportxmr.test'", 5010ms, Egress::dns_failure},
        // CASES 8 (a): policy DROP, with -T / -w: both wordings are a timeout.
        EgressCase{"case8a_download_timed_out", 1, "wget: download timed out", 2010ms, Egress::timeout},
        EgressCase{"case8a_connect_timed_out", 1, "wget: can't connect to remote host (10.96.1.2): Connection timed out", 2010ms, Egress::timeout},
        EgressCase{"case8a_nc_timed_out", 1, "nc: timed out", 3005ms, Egress::timeout},
        // CASES 8 (b): Service without endpoints: REJECT, immediately.
        EgressCase{"case8b_refused", 1, "wget: can't connect to remote host (10.96.0.7): Connection refused", 15ms, Egress::refused},
        // CASES 8 (c): no -T, kernel SYN retries: still a timeout, just late.
        EgressCase{"case8c_kernel_timeout", 1, "wget: can't connect to remote host (10.96.1.2): Connection timed out", 127000ms, Egress::timeout},
        // A probe killed silently at its deadline (busybox timeout) is a timeout...
        EgressCase{"silent_at_deadline", 143, "", 3000ms, Egress::timeout},
        // ...but a quick silent failure is not.
        EgressCase{"silent_quick", 1, "", 200ms, Egress::other},
        EgressCase{"connected", 0, "", 150ms, Egress::success}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Egress, WordsBeatTiming) {
  // A refusal that happened to be slow is still a refusal, never a timeout.
  EXPECT_EQ(classify_egress(1, "", "nc: can't connect to remote host (10.0.0.1): Connection refused", 3500ms, 3s), Egress::refused);
}

TEST(Egress, NamesRoundTrip) {
  for (auto e : {Egress::success, Egress::timeout, Egress::refused, Egress::dns_failure})
    EXPECT_EQ(egress_from_string(to_string(e)), e);
  EXPECT_FALSE(egress_from_string("blocked"));
}

TEST(Http, StatusLine) {
  EXPECT_EQ(http_status("Connecting to internal-api (10.96.3.4:80)\n  HTTP/1.1 200 OK\n"), 200);
  EXPECT_EQ(http_status("  HTTP/1.1 302 Found\n  HTTP/1.1 404 Not Found\nwget: server returned error: HTTP/1.1 404 Not Found"), 404);
  EXPECT_FALSE(http_status("wget: bad address 'internal-api'"));
}

TEST(Quantities, Cpu) {
  EXPECT_DOUBLE_EQ(*cpu_millicores("979m"), 979);
  EXPECT_DOUBLE_EQ(*cpu_millicores("2"), 2000);
  EXPECT_DOUBLE_EQ(*cpu_millicores("979123456n"), 979.123456);
  EXPECT_DOUBLE_EQ(*cpu_millicores("1500u"), 1.5);
  EXPECT_FALSE(cpu_millicores("lots"));
  EXPECT_EQ(format_cpu(979.6), "980m");
}

TEST(Quantities, Memory) {
  EXPECT_DOUBLE_EQ(*memory_bytes("15Mi"), 15 * 1048576.0);
  EXPECT_DOUBLE_EQ(*memory_bytes("15360Ki"), 15 * 1048576.0);
  EXPECT_DOUBLE_EQ(*memory_bytes("1G"), 1e9);
  EXPECT_FALSE(memory_bytes("15MB"));
  EXPECT_EQ(format_memory(40 * 1048576.0), "40Mi");
  EXPECT_EQ(format_memory(700 * 1024.0), "700Ki");
}

TEST(Dns, NslookupAnswer) {
  const std::string ok = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tpool.supportxmr.test\nAddress: 10.96.90.130\n\n";
  EXPECT_EQ(nslookup_address(ok), "10.96.90.130");
  EXPECT_FALSE(nslookup_address("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find x.test: NXDOMAIN\n"));
  EXPECT_FALSE(nslookup_address(""));
  EXPECT_TRUE(is_ipv4("10.96.90.130"));
  EXPECT_FALSE(is_ipv4("pool.supportxmr.test"));
}
