// Cluster providers, kind-style: one interface, implementations for kind, host and an existing
// kubeconfig, chosen by flag or by detection. Creation is a list of small actions, each
// reported as one ✓/✗ line through `progress`.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "cluster/kubectl.h"
#include "core/result.h"

namespace labctl::cluster {

inline constexpr const char* kKindClusterName = "cryptojacking-net-lab";

struct ProviderEnv {
  CommandRunner& runner;
  std::filesystem::path lab_dir;
  std::filesystem::path state;  // ${LABCTL_STATE:-/var/lib/labctl}
  std::filesystem::path cache;  // ${LABCTL_CACHE:-/var/cache/labctl}
  std::map<std::string, std::string> versions;  // host/versions.env
  std::function<void(bool ok, const std::string& line)> progress = [](bool, const std::string&) {};
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string name() const = 0;
  // The kubeconfig kubectl should use for this provider; empty = kubectl's default.
  virtual std::string kubeconfig() const = 0;
  virtual Status up(Kubectl& kube) = 0;
  virtual Status down() = 0;
  // One line saying whether the cluster runs.
  virtual Result<std::string> status(Kubectl& kube) = 0;
};

std::unique_ptr<Provider> make_provider(const std::string& name, ProviderEnv& env);

// --provider, else $LABCTL_PROVIDER, else what `labctl up` last used (<state>/provider), else
// kind if `docker info` works, else host when root on Linux, else an error with a hint.
Result<std::string> choose_provider(const std::string& flag, ProviderEnv& env, bool is_root);

// kind >= 0.24 enforces NetworkPolicy (CASES 9). Parses "kind v0.24.0 go1.22.6 linux/amd64".
bool kind_version_ok(const std::string& version_output, std::string& parsed);

// "@METRICS_SERVER_VERSION@" -> "v0.8.0", for every key of host/versions.env.
std::string substitute_versions(std::string text, const std::map<std::string, std::string>& versions);

// The Corefile with `rewrite name exact pool.supportxmr.test supportxmr-pool...` added to the
// root server block; unchanged if the rewrite is already there.
std::string patch_corefile(const std::string& corefile);

}  // namespace labctl::cluster
