// Golden --help output for labctl and each subcommand. Regenerate after an intended change:
//   LABCTL_UPDATE_GOLDEN=1 ./build/tests/harness/labctl_unit_tests --gtest_filter='*Help*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/app.h"

namespace {

std::string help_of(const std::vector<std::string>& args, int* code) {
  std::vector<const char*> argv = {"labctl"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  *code = labctl::app::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return out.str() + err.str();
}

}  // namespace

class Help : public ::testing::TestWithParam<std::string> {};

TEST_P(Help, MatchesGolden) {
  std::vector<std::string> args;
  if (GetParam() != "labctl") args.push_back(GetParam());
  args.push_back("--help");
  int code = -1;
  auto text = help_of(args, &code);
  EXPECT_EQ(code, 0);
  auto path = std::string(LABCTL_GOLDEN_DIR) + "/help-" + GetParam() + ".txt";
  if (std::getenv("LABCTL_UPDATE_GOLDEN")) std::ofstream(path) << text;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "no golden file " << path << " (set LABCTL_UPDATE_GOLDEN=1 to create it)";
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text, golden.str());
}

INSTANTIATE_TEST_SUITE_P(Subcommands, Help,
                         ::testing::Values("labctl", "up", "down", "status", "doctor", "list", "describe", "run", "validate"));

TEST(Cli, UsageErrorsExitTwo) {
  int code = -1;
  help_of({"run"}, &code);  // episodes are required
  EXPECT_EQ(code, 2);
  help_of({"run", "5", "--output", "yaml"}, &code);
  EXPECT_EQ(code, 2);
  help_of({"frobnicate"}, &code);
  EXPECT_EQ(code, 2);
  help_of({"--lab-dir", LABCTL_SOURCE_DIR, "describe", "episode-99"}, &code);
  EXPECT_EQ(code, 2);
}

TEST(Cli, InvalidScenarioExitsFour) {
  int code = -1;
  help_of({"validate", std::string(LABCTL_TEST_DATA) + "/scenarios/invalid-values.yaml"}, &code);
  EXPECT_EQ(code, 4);
  help_of({"validate", std::string(LABCTL_TEST_DATA) + "/scenarios/valid-minimal.yaml"}, &code);
  EXPECT_EQ(code, 0);
}

TEST(Cli, DescribeReadsTheStory) {
  int code = -1;
  auto text = help_of({"--lab-dir", LABCTL_SOURCE_DIR, "describe", "5"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(text.find("episode-5: Only the needed traffic is allowed"), std::string::npos) << text;
  EXPECT_NE(text.find("expect timeout"), std::string::npos);
}

TEST(Cli, MissingKubeconfigIsNamedNotTheCluster) {
  int code = -1;
  testing::internal::CaptureStderr();
  auto text = help_of({"--lab-dir", LABCTL_SOURCE_DIR, "--provider", "existing", "--kubectl", "/bin/true", "--kubeconfig",
                       "/nonexistent/kubeconfig", "status"},
                      &code);
  text += testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 3);
  EXPECT_NE(text.find("kubeconfig /nonexistent/kubeconfig does not exist"), std::string::npos) << text;
  EXPECT_EQ(text.find("does not answer"), std::string::npos) << text;
}

TEST(Cli, UnwritableJunitStopsBeforeTheRun) {
  // Checked before kubectl is even looked for: with a bogus --kubectl, reaching that far would exit 3.
  int code = -1;
  testing::internal::CaptureStderr();
  auto text = help_of({"--lab-dir", LABCTL_SOURCE_DIR, "--kubectl", "/nonexistent/kubectl", "run", "5", "--junit", "/nonexistent/dir/r.xml"},
                      &code);
  text += testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("--junit /nonexistent/dir/r.xml: directory /nonexistent/dir does not exist"), std::string::npos) << text;
}

TEST(Cli, MissingScenarioFileIsAUsageError) {
  int code = -1;
  testing::internal::CaptureStderr();
  auto text = help_of({"--lab-dir", LABCTL_SOURCE_DIR, "run", "./nope.yaml"}, &code);
  text += testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("no scenario file ./nope.yaml"), std::string::npos) << text;
  EXPECT_NE(text.find("hint:"), std::string::npos) << text;
}

TEST(Cli, BogusProviderIsAUsageErrorFromFlagOrEnvironment) {
  int code = -1;
  help_of({"--provider", "bogus", "status"}, &code);
  EXPECT_EQ(code, 2);
  ::setenv("LABCTL_PROVIDER", "bogus", 1);
  testing::internal::CaptureStderr();
  auto text = help_of({"--lab-dir", LABCTL_SOURCE_DIR, "status"}, &code);
  text += testing::internal::GetCapturedStderr();
  ::unsetenv("LABCTL_PROVIDER");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("$LABCTL_PROVIDER=bogus is not kind, host or existing"), std::string::npos) << text;
}

TEST(Cli, PaceMustBeANumber) {
  int code = -1;
  auto text = help_of({"--lab-dir", LABCTL_SOURCE_DIR, "run", "5", "--pace", "abc"}, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("not a number"), std::string::npos) << text;
  text = help_of({"--lab-dir", LABCTL_SOURCE_DIR, "run", "5", "--pace", "700"}, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("0 to 600"), std::string::npos) << text;
}
