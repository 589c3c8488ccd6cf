#include "app/app.h"

#include <unistd.h>

#include <iostream>

#include "cluster/api.h"
#include "cluster/environment.h"
#include "core/log.h"
#include "steps/registry.h"

namespace labctl::app {
namespace fs = std::filesystem;

const fs::path& lab_dir(State& st) {
  if (st.lab_dir.empty()) {
    auto d = cluster::find_lab_dir(st.lab_dir_flag, st.argv0);
    if (!d) throw UserError(ExitCode::environment, d.error());
    st.lab_dir = *d;
  }
  return st.lab_dir;
}

CommandRunner& runner(State& st) {
  if (!st.runner) {
    st.owned_runner = std::make_unique<ProcessRunner>();
    st.runner = st.owned_runner.get();
  }
  return *st.runner;
}

static cluster::ProviderEnv& provider_env(State& st) {
  if (!st.provider_env) {
    st.provider_env = std::make_unique<cluster::ProviderEnv>(cluster::ProviderEnv{
        runner(st), lab_dir(st), cluster::state_dir(), cluster::cache_dir(),
        cluster::read_versions(lab_dir(st) / "host" / "versions.env"), {}});
  }
  return *st.provider_env;
}

cluster::Provider& provider(State& st) {
  if (!st.provider) {
    auto& env = provider_env(st);
    // A bad name is a usage error whether it came from --provider (CLI11 checks it) or the environment.
    if (auto e = cluster::getenv_or("LABCTL_PROVIDER"); st.provider_flag.empty() && !e.empty() && e != "kind" && e != "host" && e != "existing")
      throw UserError(ExitCode::usage, "$LABCTL_PROVIDER=" + e + " is not kind, host or existing", "set it to one of them, or unset it");
    auto name = cluster::choose_provider(st.provider_flag, env, ::geteuid() == 0);
    if (!name) throw UserError(ExitCode::environment, name.error());
    st.provider = cluster::make_provider(*name, env);
    if (!st.provider) throw UserError(ExitCode::usage, "unknown provider '" + *name + "'", "use kind, host or existing");
    log::info("provider: " + *name);
  }
  return *st.provider;
}

// The API client for polls, when the kubeconfig allows one; otherwise every call stays kubectl
// and -v says why. LABCTL_API=kubectl forces that (to compare, or to rule the client out).
static void attach_api(cluster::Kubectl& kube) {
  if (cluster::getenv_or("LABCTL_API") == "kubectl") {
    log::info("API client: off (LABCTL_API=kubectl); polls run kubectl");
    return;
  }
  auto cfg = cluster::load_kubeconfig(kube.kubeconfig());
  if (!cfg) {
    log::info("API client: off, polls run kubectl: " + cfg.error().message);
    return;
  }
  auto client = cluster::ApiClient::create(std::move(*cfg));
  if (!client) {
    log::info("API client: off, polls run kubectl: " + client.error().message);
    return;
  }
  log::info("API client: " + (*client)->config().server + " (libcurl) for metrics and pool polls");
  kube.use_api(std::shared_ptr<cluster::ApiClient>(std::move(*client)));
}

cluster::Kubectl& kubectl(State& st) {
  if (!st.kubectl) {
    auto& env = provider_env(st);
    auto kubectl_path = cluster::find_kubectl({st.kubectl_flag, cluster::getenv_or("KUBECTL"), cluster::search_path, env.cache,
                                               env.versions.count("KUBERNETES_VERSION") ? env.versions.at("KUBERNETES_VERSION") : ""});
    if (!kubectl_path) throw UserError(ExitCode::environment, kubectl_path.error());
    std::string kubeconfig = st.kubeconfig_flag;
    if (!kubeconfig.empty()) {
      std::error_code ec;
      if (!fs::exists(kubeconfig, ec))
        throw UserError(ExitCode::environment, "kubeconfig " + kubeconfig + " does not exist (--kubeconfig)",
                        "give the path of an existing kubeconfig, or leave --kubeconfig out for the provider's");
    }
    if (kubeconfig.empty()) kubeconfig = provider(st).kubeconfig();
    log::info("kubectl: " + *kubectl_path + (kubeconfig.empty() ? "" : " --kubeconfig " + kubeconfig));
    st.kubectl = std::make_unique<cluster::Kubectl>(runner(st), *kubectl_path, kubeconfig);
    attach_api(*st.kubectl);
  }
  return *st.kubectl;
}

std::vector<fs::path> resolve_episodes(State& st, const std::vector<std::string>& names) {
  std::vector<fs::path> out;
  auto all = scenario::episode_files(lab_dir(st));
  for (const auto& n : names) {
    if (n == "all") {
      out.insert(out.end(), all.begin(), all.end());
      continue;
    }
    if (n.find('/') != std::string::npos || (n.size() > 5 && n.substr(n.size() - 5) == ".yaml")) {
      std::error_code ec;
      if (!fs::is_regular_file(n, ec))
        throw UserError(ExitCode::usage, "no scenario file " + n + (fs::is_directory(n, ec) ? " (it is a directory)" : ""),
                        "name an episode (episode-5 or 5, see labctl list) or an existing scenario file");
      out.emplace_back(n);
      continue;
    }
    std::string id = n;
    if (!id.empty() && std::all_of(id.begin(), id.end(), ::isdigit)) id = "episode-" + id;
    auto f = lab_dir(st) / "scenarios" / (id + ".yaml");
    if (!fs::exists(f)) {
      std::string known;
      for (const auto& a : all) known += (known.empty() ? "" : ", ") + a.stem().string();
      throw UserError(ExitCode::usage, "unknown episode '" + n + "'", "known: " + known + " (or all)");
    }
    out.push_back(f);
  }
  return out;
}

std::unique_ptr<scenario::Scenario> load_episode(State& st, const std::string& id_or_file) {
  auto files = resolve_episodes(st, {id_or_file});
  auto r = scenario::load_file(files.at(0), steps::registry());
  if (!r.ok()) {
    std::string text;
    for (const auto& p : r.problems) text += "\n" + scenario::render(p);
    throw UserError(ExitCode::invalid, "invalid scenario" + text, "labctl validate " + files.at(0).string());
  }
  return std::move(r.scenario);
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, CommandRunner* injected) {
  State st;
  st.argv0 = argc > 0 ? argv[0] : "labctl";
  st.out = &out;
  st.err = &err;
  st.runner = injected;
  CLI::App app{"labctl: runs the cryptojacking-in-Kubernetes lab, episode by episode, and checks what a person would observe.",
               "labctl"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(LABCTL_VERSION));
  app.footer(
      "Exit codes: 0 every expectation held; 1 an expectation or cleanup failed; 2 usage error;\n"
      "3 environment problem (kubectl, cluster, provider); 4 invalid scenario file; 130 interrupted.");
  app.add_option("--lab-dir", st.lab_dir_flag, "Lab directory (scenarios/, manifests/, host/) [env: LABCTL_DIR]");
  app.add_option("--provider", st.provider_flag, "Cluster provider [env: LABCTL_PROVIDER]")
      ->check(CLI::IsMember({"kind", "host", "existing"}));
  app.add_option("--kubectl", st.kubectl_flag, "kubectl binary [env: KUBECTL]");
  app.add_option("--kubeconfig", st.kubeconfig_flag, "kubeconfig (default: the provider's)");
  app.add_flag("-v,--verbose", st.verbosity, "More logs: -v info, -vv every command");
  add_up(app, st);
  add_down(app, st);
  add_status(app, st);
  add_doctor(app, st);
  add_list(app, st);
  add_describe(app, st);
  add_run(app, st);
  add_validate(app, st);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    return static_cast<int>(ExitCode::usage);
  }
  log::set_verbosity(st.verbosity);
  try {
    return static_cast<int>(st.action(st));
  } catch (const UserError& e) {
    log::error(e.what());
    if (!e.hint().empty()) log::hint(e.hint());
    return static_cast<int>(e.code());
  }
}

}  // namespace labctl::app
