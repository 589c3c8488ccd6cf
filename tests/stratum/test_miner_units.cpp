// fake-miner units: xmrig 6.22.2 log line formats (CASES 5), job validation codes (CASES 3),
// critical-reject classification (CASES 4), error wording, hashrate windows.
#include <gtest/gtest.h>
#include <netdb.h>

#include <cerrno>
#include <regex>

#include "burner.hpp"
#include "job.hpp"
#include "miner.hpp"
#include "xmrig_log.hpp"

using namespace fakeminer;
using nlohmann::json;

TEST(LogFormat, Cases5Lines) {
  EXPECT_EQ(new_job_message("mock-pool:3333", 10000, "rx/0", 3100000),
            "new job from mock-pool:3333 diff 10000 algo rx/0 height 3100000");
  EXPECT_EQ(speed_message(45.3, 44.95, std::nullopt, 46.0), "speed 10s/60s/15m 45.30 44.95 n/a H/s max 46.00 H/s");
  EXPECT_EQ(accepted_message(1, 0, 10000, 64), "accepted (1/0) diff 10000 (64 ms)");
  EXPECT_EQ(rejected_message(0, 1, 10000, "Low difficulty share", 12),
            "rejected (0/1) diff 10000 \"Low difficulty share\" (12 ms)");
}

TEST(LogFormat, HeightOmittedWhenZero) {
  EXPECT_EQ(new_job_message("h:1", 5, "rx/0", 0), "new job from h:1 diff 5 algo rx/0");
}

TEST(LogFormat, HashrateNumberRules) {
  EXPECT_EQ(format_hashrate(45.3), "45.30");       // < 100: %04.2f
  EXPECT_EQ(format_hashrate(5.0), "5.00");
  EXPECT_EQ(format_hashrate(0.5), "0.50");
  EXPECT_EQ(format_hashrate(99.994), "99.99");
  EXPECT_EQ(format_hashrate(100.0), "100.0");      // >= 100: %03.1f
  EXPECT_EQ(format_hashrate(2683.5), "2683.5");
  EXPECT_EQ(format_hashrate(1380.04), "1380.0");
  EXPECT_EQ(format_hashrate(std::nullopt), "n/a");  // window not filled
  EXPECT_EQ(format_hashrate(0.0), "n/a");           // xmrig: !isnormal(0)
  EXPECT_EQ(format_hashrate(std::nan("")), "n/a");
}

TEST(LogFormat, SwitchesToMegaHashes) {
  EXPECT_EQ(speed_message(2683.5, 2807.0, std::nullopt, 2976.2), "speed 10s/60s/15m 2683.5 2807.0 n/a H/s max 2976.2 H/s");
  EXPECT_EQ(speed_message(1.5e6, 900000.0, std::nullopt, 1.6e6), "speed 10s/60s/15m 1.50 0.90 n/a MH/s max 1.60 MH/s");
  EXPECT_EQ(speed_message(10.0, 10.0, 10.0, 2e6), "speed 10s/60s/15m 0.00 0.00 0.00 MH/s max 2.00 MH/s");
}

TEST(LogFormat, DiffPinnedToPlainIntegers) {
  // Decision (README): v6.22.2 lines carry the raw integer, like xmrig#1743's "diff 1558971".
  EXPECT_EQ(accepted_message(54, 0, 1558971, 64), "accepted (54/0) diff 1558971 (64 ms)");
  EXPECT_EQ(diff_text(1558971), "1558971");
  // The later scaleDiff rule, kept for comparison.
  EXPECT_EQ(diff_text(1558971, DiffStyle::scaled), "1558K");
  EXPECT_EQ(diff_text(999999, DiffStyle::scaled), "999999");
  EXPECT_EQ(diff_text(123456789, DiffStyle::scaled), "123M");
  EXPECT_EQ(diff_text(123456789012ULL, DiffStyle::scaled), "123G");
}

TEST(LogFormat, PrefixIsTimestampTwoSpacesAndPaddedTag) {
  std::regex re(R"(^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\]  net      $)");
  EXPECT_TRUE(std::regex_match(line_prefix("net"), re)) << line_prefix("net");
  EXPECT_TRUE(line_prefix("miner").ends_with("]  miner    "));
  EXPECT_TRUE(line_prefix("cpu").ends_with("]  cpu      "));
}

TEST(LogFormat, TalkLine) {
  EXPECT_EQ(talk_line(1380.2, 1, 1), "miner speed=1380 H/s shares=1/1");
  EXPECT_EQ(talk_line(std::nullopt, 0, 0), "miner speed=0 H/s shares=0/0");
}

namespace {
json good_job() {
  return {{"blob", std::string(152, '0')}, {"job_id", "j1"}, {"target", "b88d0600"}, {"algo", "rx/0"},
          {"height", 100}, {"seed_hash", std::string(64, 'a')}};
}
}  // namespace

TEST(CheckJob, GoodJob) {
  auto c = check_job(good_job(), std::nullopt);
  EXPECT_EQ(c.code, 0);
  EXPECT_EQ(c.diff, 10000u);
  EXPECT_EQ(c.job.height, 100u);
}

TEST(CheckJob, Cases3Codes) {
  auto without = [](const char* key) {
    auto j = good_job();
    j.erase(key);
    return j;
  };
  auto with = [](const char* key, json v) {
    auto j = good_job();
    j[key] = std::move(v);
    return j;
  };
  EXPECT_EQ(check_job(json::array(), std::nullopt).code, 2);
  EXPECT_EQ(check_job(without("job_id"), std::nullopt).code, 3);
  EXPECT_EQ(check_job(with("blob", "zz"), std::nullopt).code, 4);
  EXPECT_EQ(check_job(with("blob", std::string(150, '0')), std::nullopt).code, 4);  // 75 bytes
  EXPECT_EQ(check_job(with("target", "b88d06"), std::nullopt).code, 5);
  EXPECT_EQ(check_job(with("target", "00000000"), std::nullopt).code, 5);
  // (b) no algo in the job and none configured -> 6 with xmrig's hint line.
  auto b = check_job(without("algo"), std::nullopt);
  EXPECT_EQ(b.code, 6);
  EXPECT_EQ(b.detail, "unknown algorithm, make sure you set \"algo\" or \"coin\" option");
  EXPECT_EQ(check_job(without("algo"), std::string("rx/0")).code, 0);  // falls back to pool algo
  EXPECT_EQ(check_job(with("algo", "sha256"), std::nullopt).code, 6);
  // (a) rx/0 without seed_hash -> 7; a short seed_hash too.
  EXPECT_EQ(check_job(without("seed_hash"), std::nullopt).code, 7);
  EXPECT_EQ(check_job(with("seed_hash", std::string(62, 'a')), std::nullopt).code, 7);
  // Non-RandomX algorithms do not need it.
  auto cn = without("seed_hash");
  cn["algo"] = "cn/r";
  EXPECT_EQ(check_job(cn, std::nullopt).code, 0);
}

TEST(CheckJob, LoginResultCode1) {
  std::string session;
  EXPECT_EQ(check_login_result({{"job", good_job()}, {"status", "OK"}}, std::nullopt, &session).code, 1);
  EXPECT_EQ(check_login_result({{"id", ""}, {"job", good_job()}}, std::nullopt, &session).code, 1);
  EXPECT_EQ(check_login_result({{"id", "s1"}, {"status", "OK"}}, std::nullopt, &session).code, 2);
  EXPECT_EQ(check_login_result({{"id", "s1"}, {"job", good_job()}}, std::nullopt, &session).code, 0);
  EXPECT_EQ(session, "s1");
}

TEST(CriticalErrors, Cases4) {
  EXPECT_TRUE(is_critical_error("Unauthenticated"));
  EXPECT_TRUE(is_critical_error("unauthenticated session"));
  EXPECT_TRUE(is_critical_error("your IP is banned"));
  EXPECT_TRUE(is_critical_error("IP Address currently banned"));
  EXPECT_TRUE(is_critical_error("Invalid job id"));
  EXPECT_FALSE(is_critical_error("Low difficulty share"));
  EXPECT_FALSE(is_critical_error("Duplicate share"));
}

TEST(ErrorWording, LibuvStrings) {
  EXPECT_EQ(uv_style_error(ECONNREFUSED, false), "connection refused");
  EXPECT_EQ(uv_style_error(ETIMEDOUT, false), "connection timed out");
  EXPECT_EQ(uv_style_error(EAI_NONAME, true), "unknown node or service");
  EXPECT_EQ(uv_style_error(EAI_AGAIN, true), "temporary failure");
}

TEST(Agent, StartsLikeXmrig) { EXPECT_EQ(agent_string().rfind("XMRig/6.22.2 ", 0), 0u); }

TEST(HashrateTracker, WindowsFillThenReport) {
  HashrateTracker t;
  for (int s = 0; s <= 9; ++s) t.add(s * 1000, static_cast<std::uint64_t>(s) * 1380);
  EXPECT_FALSE(t.rate(10000).has_value());  // 9 s of history: 10 s window not filled
  t.add(10000, 13800);
  ASSERT_TRUE(t.rate(10000).has_value());
  EXPECT_DOUBLE_EQ(*t.rate(10000), 1380.0);
  EXPECT_FALSE(t.rate(60000).has_value());
  EXPECT_DOUBLE_EQ(t.max().value(), 1380.0);
}
