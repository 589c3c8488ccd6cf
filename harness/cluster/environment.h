// Where things are: the lab directory (scenarios, manifests, host/), state and cache
// directories, versions.env, and which kubectl/kubeconfig to use.
#pragma once

#include <filesystem>
#include <map>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"

namespace labctl::cluster {

// Lookup order: --lab-dir, $LABCTL_DIR, the source dir compiled in (LABCTL_SOURCE_DIR), the
// directory above the binary's. A lab dir is one that has scenarios/ and host/versions.env.
Result<std::filesystem::path> find_lab_dir(const std::string& flag, const std::string& argv0);

std::filesystem::path state_dir();  // ${LABCTL_STATE:-/var/lib/labctl}
std::filesystem::path cache_dir();  // ${LABCTL_CACHE:-/var/cache/labctl}

// KEY=VALUE lines; '#' comments and blank lines skipped.
std::map<std::string, std::string> read_versions(const std::filesystem::path& versions_env);

// --kubectl, $KUBECTL, <cache>/kubernetes-<KUBERNETES_VERSION>/bin/kubectl (version-matched), then PATH.
// `path_lookup` finds a name on PATH (empty if absent); injectable for tests.
struct KubectlLookup {
  std::string flag;
  std::string env;  // value of $KUBECTL
  std::function<std::string(const std::string&)> path_lookup;
  std::filesystem::path cache;
  std::string kubernetes_version;
};
Result<std::string> find_kubectl(const KubectlLookup& in);
std::string search_path(const std::string& name);

std::string getenv_or(const char* name, std::string fallback = {});

}  // namespace labctl::cluster
