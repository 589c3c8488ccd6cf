#include "cluster/environment.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>

namespace labctl::cluster {
namespace fs = std::filesystem;

std::string getenv_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::move(fallback);
}

namespace {
bool is_lab_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p / "scenarios", ec) && fs::exists(p / "host" / "versions.env", ec);
}
}  // namespace

Result<fs::path> find_lab_dir(const std::string& flag, const std::string& argv0) {
  if (!flag.empty()) {
    if (is_lab_dir(flag)) return fs::absolute(flag);
    return Error{"--lab-dir " + flag + " is not a lab directory (needs scenarios/ and host/versions.env)", "point it at the repository checkout"};
  }
  if (auto env = getenv_or("LABCTL_DIR"); !env.empty()) {
    if (is_lab_dir(env)) return fs::absolute(env);
    return Error{"$LABCTL_DIR=" + env + " is not a lab directory", "unset it or point it at the repository checkout"};
  }
#ifdef LABCTL_SOURCE_DIR
  if (is_lab_dir(LABCTL_SOURCE_DIR)) return fs::path(LABCTL_SOURCE_DIR);
#endif
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) self = fs::absolute(argv0);
  for (auto p = self.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    if (is_lab_dir(p)) return p;
    if (is_lab_dir(p / "share" / "labctl")) return p / "share" / "labctl";
  }
  return Error{"cannot find the lab directory (scenarios/, manifests/, host/)", "pass --lab-dir DIR or set LABCTL_DIR"};
}

fs::path state_dir() { return getenv_or("LABCTL_STATE", "/var/lib/labctl"); }
fs::path cache_dir() { return getenv_or("LABCTL_CACHE", "/var/cache/labctl"); }

std::map<std::string, std::string> read_versions(const fs::path& file) {
  std::map<std::string, std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    out[line.substr(start, eq - start)] = line.substr(eq + 1);
  }
  return out;
}

std::string search_path(const std::string& name) {
  std::string path = getenv_or("PATH", "/usr/local/bin:/usr/bin:/bin");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    fs::path candidate = fs::path(path.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate.string();
    start = end + 1;
  }
  return {};
}

Result<std::string> find_kubectl(const KubectlLookup& in) {
  auto executable = [](const std::string& p) { return ::access(p.c_str(), X_OK) == 0; };
  if (!in.flag.empty()) {
    if (executable(in.flag)) return in.flag;
    return Error{"--kubectl " + in.flag + " is not an executable", ""};
  }
  if (!in.env.empty()) {
    if (executable(in.env)) return in.env;
    if (auto p = in.path_lookup ? in.path_lookup(in.env) : ""; !p.empty()) return p;
    return Error{"$KUBECTL=" + in.env + " is not an executable", "unset KUBECTL or fix the path"};
  }
  // The kubectl built with the lab's Kubernetes version comes before PATH: it matches the
  // cluster's version exactly, where a PATH kubectl may be any version (on our CI machines it
  // is a cloud SDK's wrapper).
  if (!in.kubernetes_version.empty()) {
    auto cached = in.cache / ("kubernetes-" + in.kubernetes_version) / "bin" / "kubectl";
    if (executable(cached.string())) return cached.string();
  }
  if (auto p = in.path_lookup ? in.path_lookup("kubectl") : ""; !p.empty()) return p;
  return Error{"kubectl not found (--kubectl, $KUBECTL, " +
                   (in.cache / ("kubernetes-" + in.kubernetes_version) / "bin/kubectl").string() + ", PATH)",
               "install kubectl, or build it with host/build-upstream.sh kubernetes"};
}

}  // namespace labctl::cluster
