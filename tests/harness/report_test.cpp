// Report writers over one result tree: JSON carries every step; JUnit carries the real failure
// message; the console prints ✓/✗ with observed vs expected and no colour when not a TTY.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/writers.h"

using namespace labctl;
using namespace labctl::report;
using namespace std::chrono_literals;

namespace {
RunResult sample() {
  RunResult run;
  run.id = "rabcde";
  run.started = "2026-12-03T12:00:00Z";
  run.duration = 12345ms;
  EpisodeResult ep;
  ep.id = "episode-5";
  ep.title = "Only the needed traffic is allowed";
  ep.run_id = "rabcde-episode-5";
  ep.status = Status::failed;
  ep.message = "nc-pool: expected timeout, observed refused";
  ep.duration = 12000ms;
  StepResult ok;
  ok.group = "steps";
  ok.name = "curl-internal-api";
  ok.kind = "http";
  ok.summary = "GET http://internal-api from deployment/proxy-api";
  ok.expected = "HTTP 200";
  ok.observed = "HTTP/1.1 200 OK";
  ok.status = Status::passed;
  ok.attempts = 1;
  ok.duration = 250ms;
  StepResult bad = ok;
  bad.name = "nc-pool";
  bad.kind = "egress";
  bad.expected = "timeout";
  bad.observed = "gave up after 19.1s; last observed: refused after 1.2s (nc: Connection refused) & <more>";
  bad.detail = "command: kubectl exec -n net-demo deployment/proxy-api -- nc -w 3 pool.supportxmr.test 3333 -e /bin/true";
  bad.status = Status::failed;
  StepResult skip = ok;
  skip.name = "restart-miner";
  skip.status = Status::skipped;
  skip.observed = "not run (an earlier step failed)";
  ep.steps = {ok, bad, skip};
  run.episodes.push_back(ep);
  return run;
}
}  // namespace

TEST(Report, Json) {
  std::ostringstream out;
  write_json(out, sample());
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["run"], "rabcde");
  EXPECT_EQ(j["status"], "failed");
  ASSERT_EQ(j["episodes"].size(), 1u);
  EXPECT_EQ(j["episodes"][0]["run_id"], "rabcde-episode-5");
  ASSERT_EQ(j["episodes"][0]["steps"].size(), 3u);
  EXPECT_EQ(j["episodes"][0]["steps"][1]["status"], "failed");
  EXPECT_EQ(j["episodes"][0]["steps"][1]["expected"], "timeout");
  EXPECT_NE(j["episodes"][0]["steps"][1]["detail"].get<std::string>().find("nc -w 3"), std::string::npos);
  EXPECT_DOUBLE_EQ(j["episodes"][0]["steps"][0]["duration_seconds"].get<double>(), 0.25);
}

TEST(Report, JunitCarriesTheRealFailure) {
  std::ostringstream out;
  write_junit(out, sample());
  const auto x = out.str();
  EXPECT_NE(x.find("<testsuites name=\"labctl\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<testsuite name=\"episode-5\""), std::string::npos);
  EXPECT_NE(x.find("<testcase classname=\"episode-5.steps\" name=\"curl-internal-api\" time=\"0.250\"/>"), std::string::npos);
  EXPECT_NE(x.find("<failure message=\"gave up after 19.1s; last observed: refused after 1.2s (nc: Connection refused) &amp; &lt;more&gt;\" type=\"egress\">"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("expected: timeout"), std::string::npos);
  EXPECT_NE(x.find("<skipped message=\"not run (an earlier step failed)\"/>"), std::string::npos);
}

TEST(Report, ConsoleWithoutTty) {
  std::ostringstream out;
  ConsoleWriter console(out, ConsoleStyle{false, false, true});
  auto run = sample();
  console.episode_started(run.episodes[0], "Story line one.\nStory line two.");
  for (const auto& s : run.episodes[0].steps) console.step_finished(s);
  console.episode_finished(run.episodes[0]);
  console.summary(run);
  const auto text = out.str();
  EXPECT_EQ(text.find("\033["), std::string::npos) << "no escape sequences without a TTY";
  EXPECT_NE(text.find("  ✓ GET http://internal-api from deployment/proxy-api  expected: HTTP 200  observed: HTTP/1.1 200 OK  (250ms)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  ✗ GET http://internal-api from deployment/proxy-api  expected: timeout  observed: gave up after 19.1s"), std::string::npos);
  EXPECT_NE(text.find("      command: kubectl exec"), std::string::npos) << "the failing command is shown under the ✗ line";
  EXPECT_NE(text.find("  Story line two."), std::string::npos);
  EXPECT_NE(text.find("✗ 0/1 episodes passed in 12.3s (run rabcde)"), std::string::npos) << text;
}

TEST(Report, RunStatus) {
  RunResult run;
  EXPECT_EQ(run.status(), Status::passed);
  run.episodes.push_back({});
  run.episodes.back().status = Status::passed;
  EXPECT_EQ(run.status(), Status::passed);
  run.interrupted = true;
  EXPECT_EQ(run.status(), Status::error);
}
