// Scenario loading as a table of fixtures: every valid-*.yaml loads; every invalid-*.yaml fails
// with at least the problems its "# expect: L:C: text" lines name. Plus the shipped episodes.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <regex>
#include <sstream>

#include "scenario/loader.h"
#include "steps/registry.h"

namespace fs = std::filesystem;
using namespace labctl;

namespace {

std::vector<fs::path> fixtures(const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(LABCTL_TEST_DATA) / "scenarios"))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string name_of(const ::testing::TestParamInfo<fs::path>& info) {
  auto s = info.param.stem().string();
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

}  // namespace

class ValidFixture : public ::testing::TestWithParam<fs::path> {};
TEST_P(ValidFixture, Loads) {
  auto r = scenario::load_file(GetParam(), steps::registry());
  std::string problems;
  for (const auto& p : r.problems) problems += scenario::render(p) + "\n";
  EXPECT_TRUE(r.ok()) << problems;
}
INSTANTIATE_TEST_SUITE_P(Fixtures, ValidFixture, ::testing::ValuesIn(fixtures("valid-")), name_of);

class InvalidFixture : public ::testing::TestWithParam<fs::path> {};
TEST_P(InvalidFixture, ReportsEveryExpectedProblem) {
  std::ifstream in(GetParam());
  std::vector<std::string> expected;
  const std::regex expect_line(R"(^# expect: (.*)$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, expect_line)) expected.push_back(m[1]);
  }
  ASSERT_FALSE(expected.empty()) << "fixture has no # expect: lines";
  // With the lab directory, as validate and run load them: files that steps read are checked too.
  auto r = scenario::load_file(GetParam(), steps::registry(), fs::path(LABCTL_SOURCE_DIR));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.scenario, nullptr);
  std::string all;
  for (const auto& p : r.problems) all += scenario::render(p) + "\n";
  for (const auto& e : expected) {
    // "L:C: text": the problem at that position whose message or hint contains text.
    auto colon2 = e.find(": ");
    std::string where = GetParam().string() + ":" + e.substr(0, colon2);
    std::string text = e.substr(colon2 + 2);
    bool found = false;
    for (const auto& p : r.problems) {
      std::string pos = p.at.file + ":" + std::to_string(p.at.line) + ":" + std::to_string(p.at.column);
      if (pos == where && (p.message.find(text) != std::string::npos || p.hint.find(text) != std::string::npos)) found = true;
    }
    EXPECT_TRUE(found) << "missing: " << e << "\ngot:\n" << all;
  }
}
INSTANTIATE_TEST_SUITE_P(Fixtures, InvalidFixture, ::testing::ValuesIn(fixtures("invalid-")), name_of);

TEST(Loader, ShippedEpisodesLoad) {
  auto files = scenario::episode_files(fs::path(LABCTL_SOURCE_DIR));
  ASSERT_GE(files.size(), 6u);
  for (size_t i = 0; i < files.size(); ++i) {
    auto r = scenario::load_file(files[i], steps::registry(), fs::path(LABCTL_SOURCE_DIR));
    ASSERT_TRUE(r.ok()) << files[i] << (r.problems.empty() ? "" : "\n" + scenario::render(r.problems[0]));
    EXPECT_EQ(r.scenario->id, "episode-" + std::to_string(i + 1));
    EXPECT_FALSE(r.scenario->story.empty());
  }
}

TEST(Loader, EpisodeOrderIsNumeric) {
  auto files = scenario::episode_files(fs::path(LABCTL_SOURCE_DIR));
  ASSERT_GE(files.size(), 2u);
  EXPECT_EQ(files[0].filename(), "episode-1.yaml");
  EXPECT_EQ(files[1].filename(), "episode-2.yaml");
}

TEST(Loader, CollectsAllProblemsAtOnce) {
  auto r = scenario::load_string("apiVersion: x\nkind: y\nid: Z\ntitle: t\nstory: s\nsteps: []\nextra: 1\n", "mem.yaml", steps::registry());
  EXPECT_GE(r.problems.size(), 4u);  // apiVersion, kind, id, unknown key
}

TEST(Loader, RejectsSeveralDocuments) {
  auto r = scenario::load_string("a: 1\n---\nb: 2\n", "two.yaml", steps::registry());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].message.find("exactly one YAML document"), std::string::npos);
}

TEST(Loader, StepDefaultsAndTimeouts) {
  auto r = scenario::load_string(
      "apiVersion: labctl.dev/v1alpha1\nkind: Episode\nid: t\ntitle: t\nstory: s\nnamespaces: [a, b]\n"
      "steps:\n- egress: {from: pod/x, host: h, port: 1, outcome: timeout}\n- timeout: 7s\n  wait: {for: 1s}\n",
      "mem.yaml", steps::registry());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.scenario->default_namespace(), "a");
  EXPECT_EQ(r.scenario->steps[0].name, "steps-1");
  EXPECT_TRUE(r.scenario->steps[0].op->is_expectation());
  EXPECT_EQ(r.scenario->steps[0].op->expected(), "timeout");
  EXPECT_EQ(r.scenario->steps[1].deadline(), std::chrono::seconds(7));
  EXPECT_EQ(r.scenario->steps[1].at.line, 9);
}

TEST(Schema, NamesEveryOperationKind) {
  // scenarios/schema.json is hand-written for editors; it must list exactly the kinds labctl has.
  std::ifstream in(fs::path(LABCTL_SOURCE_DIR) / "scenarios" / "schema.json");
  ASSERT_TRUE(in);
  auto schema = nlohmann::json::parse(in);
  std::set<std::string> in_schema;
  for (const auto& [k, v] : schema["$defs"]["step"]["properties"].items())
    if (k != "name" && k != "say" && k != "timeout") in_schema.insert(k);
  auto kinds = steps::registry().kinds();
  EXPECT_EQ(in_schema, std::set<std::string>(kinds.begin(), kinds.end()));
  EXPECT_EQ(schema["properties"]["apiVersion"]["const"], scenario::kApiVersion);
}
