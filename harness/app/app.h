// The labctl application: CLI11 parsing into one state struct, then the chosen subcommand's
// action. Each subcommand lives in its own app/<name>.cpp and registers itself in app.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cluster/kubectl.h"
#include "cluster/provider.h"
#include "core/command.h"
#include "core/result.h"
#include "report/writers.h"
#include "scenario/loader.h"

namespace labctl::app {

struct State {
  // Global flags.
  std::string lab_dir_flag, kubectl_flag, kubeconfig_flag, provider_flag;
  int verbosity = 0;
  std::string argv0;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // Injectable for tests; ProcessRunner by default.
  CommandRunner* runner = nullptr;
  // Set by the chosen subcommand's callback.
  std::function<ExitCode(State&)> action;

  // Resolved lazily by the helpers below.
  std::filesystem::path lab_dir;
  std::unique_ptr<CommandRunner> owned_runner;
  std::unique_ptr<cluster::ProviderEnv> provider_env;
  std::unique_ptr<cluster::Provider> provider;
  std::unique_ptr<cluster::Kubectl> kubectl;
};

// Helpers the subcommands share; they throw UserError with the right exit code.
const std::filesystem::path& lab_dir(State& st);
CommandRunner& runner(State& st);
cluster::Provider& provider(State& st);
cluster::Kubectl& kubectl(State& st);  // kubectl + kubeconfig per the documented lookup order
std::unique_ptr<scenario::Scenario> load_episode(State& st, const std::string& id_or_file);
std::vector<std::filesystem::path> resolve_episodes(State& st, const std::vector<std::string>& names);

void add_up(CLI::App& app, State& st);
void add_down(CLI::App& app, State& st);
void add_status(CLI::App& app, State& st);
void add_doctor(CLI::App& app, State& st);
void add_list(CLI::App& app, State& st);
void add_describe(CLI::App& app, State& st);
void add_run(CLI::App& app, State& st);
void add_validate(CLI::App& app, State& st);

// Entry point used by main() and by the golden --help tests.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, CommandRunner* runner = nullptr);

}  // namespace labctl::app
