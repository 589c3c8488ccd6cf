#include "cluster/provider.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "cluster/classify.h"
#include "cluster/environment.h"

namespace labctl::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string first_line_of(const std::string& s) {
  auto l = s.substr(0, s.find('\n'));
  return l;
}

Status command_status(const Command& c, const CommandResult& r, const std::string& what, const std::string& hint = {}) {
  if (r.ok()) return ok_status();
  return Error{what + " failed\n" + describe_failure(c, r), hint};
}

// `status` when kubectl gets no answer: an error (exit 3), saying why in kubectl's words
// without klog's lines, with the command to try by hand.
Error not_answering(const std::string& what, Kubectl& kube, const CommandResult& r, const std::string& hint) {
  std::string why = kubectl_error(r.err);
  if (why.empty()) why = r.timed_out ? "no answer" : "exit " + std::to_string(r.exit_code);
  return Error{what + " the cluster does not answer: " + why + "\n$ " + quote_line(kube.command({"get", "nodes"}).argv), hint};
}

class HostProvider final : public Provider {
 public:
  explicit HostProvider(ProviderEnv& env) : env_(env) {}
  std::string name() const override { return "host"; }
  std::string kubeconfig() const override { return (env_.state / "host" / "kubeconfig").string(); }
  Status up(Kubectl&) override { return hostctl("up", 90min); }
  Status down() override { return hostctl("down", 10min); }
  Result<std::string> status(Kubectl& kube) override {
    Command c{{script(), "status"}, {}, 60s, {}, false};
    auto r = env_.runner.run(c);
    if (!r.ok()) return Error{"host cluster is not running: " + first_line_of(r.err.empty() ? r.out : r.err), "labctl up --provider host"};
    auto nodes = kube.run({"get", "nodes", "--no-headers"});
    if (!nodes.ok()) return not_answering("host cluster is running but", kube, nodes, "labctl doctor; labctl up --provider host");
    return "host cluster up; " + first_line_of(nodes.out);
  }

 private:
  std::string script() const { return (env_.lab_dir / "host" / "hostctl.sh").string(); }
  Status hostctl(const std::string& verb, Millis timeout) {
    Command c{{script(), verb}, {}, timeout, {}, true};
    auto r = env_.runner.run(c);
    if (env_.progress) env_.progress(r.ok(), "host/hostctl.sh " + verb);
    return command_status(c, r, "host/hostctl.sh " + verb, "its progress is above; re-run with -vv for every command");
  }
  ProviderEnv& env_;
};

class ExistingProvider final : public Provider {
 public:
  explicit ExistingProvider(ProviderEnv& env) : env_(env) {}
  std::string name() const override { return "existing"; }
  std::string kubeconfig() const override { return {}; }
  Status up(Kubectl& kube) override {
    auto r = kube.run({"get", "nodes", "--no-headers"});
    if (env_.progress) env_.progress(r.ok(), "current kubeconfig context reachable");
    return command_status(kube.command({"get", "nodes"}), r, "reaching the current context",
                          "check `kubectl config current-context`; labctl does not create this cluster");
  }
  Status down() override {
    if (env_.progress) env_.progress(true, "existing cluster left running (labctl does not own it)");
    return ok_status();
  }
  Result<std::string> status(Kubectl& kube) override {
    auto r = kube.run({"config", "current-context"});
    auto n = kube.run({"get", "nodes", "--no-headers"});
    if (!n.ok()) return not_answering("current context:", kube, n, "kubectl cluster-info");
    return "context " + first_line_of(r.out) + "; " + first_line_of(n.out);
  }

 private:
  ProviderEnv& env_;
};

class KindProvider final : public Provider {
 public:
  explicit KindProvider(ProviderEnv& env) : env_(env) {}
  std::string name() const override { return "kind"; }
  std::string kubeconfig() const override { return (env_.state / "kind" / "kubeconfig").string(); }

  Status up(Kubectl& kube) override {
    // 1. kind new enough to enforce NetworkPolicy.
    auto v = run({"kind", "version"}, 30s);
    std::string parsed;
    if (!v.ok() || !kind_version_ok(v.out, parsed)) {
      if (env_.progress) env_.progress(false, "kind >= v0.24.0");
      return Error{v.not_found ? "kind not found" : "kind " + parsed + " is older than v0.24.0",
                   "install kind v0.24.0 or newer: older releases accept NetworkPolicy but do not enforce it"};
    }
    if (env_.progress) env_.progress(true, "kind " + parsed);
    // 2. The cluster, unless it exists.
    auto clusters = run({"kind", "get", "clusters"}, 30s);
    bool exists = false;
    std::istringstream in(clusters.out);
    for (std::string l; std::getline(in, l);) exists |= l == kKindClusterName;
    if (!exists) {
      std::error_code ec;
      fs::create_directories(env_.state / "kind", ec);
      auto image = env_.versions.count("KIND_NODE_IMAGE") ? env_.versions.at("KIND_NODE_IMAGE") : "";
      std::vector<std::string> argv = {"kind", "create", "cluster", "--name", kKindClusterName, "--config",
                                       (env_.lab_dir / "manifests" / "kind" / "cluster.yaml").string()};
      if (!image.empty()) argv.insert(argv.end(), {"--image", image});
      argv.insert(argv.end(), {"--kubeconfig", kubeconfig(), "--wait", "120s"});
      if (auto s = step(argv, 15min, "kind create cluster " + std::string(kKindClusterName)); !s) return s;
    } else {
      auto s = step({"kind", "export", "kubeconfig", "--name", kKindClusterName, "--kubeconfig", kubeconfig()}, 60s,
                    "cluster " + std::string(kKindClusterName) + " exists");
      if (!s) return s;
    }
    // 3. Lab images, built with docker and loaded from their archives.
    if (auto s = step({(env_.lab_dir / "images" / "build.sh").string(), "--docker"}, 30min, "images/build.sh --docker"); !s) return s;
    std::vector<fs::path> archives;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(env_.cache / "images", ec))
      if (e.path().extension() == ".tar") archives.push_back(e.path());
    std::sort(archives.begin(), archives.end());
    if (archives.empty()) {
      if (env_.progress) env_.progress(false, "image archives in " + (env_.cache / "images").string());
      return Error{"no image archives in " + (env_.cache / "images").string(), "images/build.sh --docker writes them there"};
    }
    for (const auto& a : archives)
      if (auto s = step({"kind", "load", "image-archive", a.string(), "--name", kKindClusterName}, 10min,
                        "kind load image-archive " + a.filename().string());
          !s)
        return s;
    // 4. Addons: the pool and metrics-server (with --kubelet-insecure-tls, CASES 15).
    std::vector<fs::path> addons;
    for (const auto& e : fs::directory_iterator(env_.lab_dir / "manifests" / "addons", ec))
      if (e.path().extension() == ".yaml") addons.push_back(e.path());
    std::sort(addons.begin(), addons.end());
    for (const auto& a : addons) {
      // Addons carry @KEY@ placeholders for host/versions.env (as hostctl.sh applies them).
      std::ifstream file(a);
      std::stringstream text;
      text << file.rdbuf();
      auto c = kube.command({"apply", "--server-side", "--force-conflicts", "-f", "-"}, 120s,
                            substitute_versions(text.str(), env_.versions));
      auto r = env_.runner.run(c);
      if (env_.progress) env_.progress(r.ok(), "kubectl apply -f manifests/addons/" + a.filename().string());
      if (!r.ok()) return command_status(c, r, "applying " + a.filename().string());
    }
    // 5. pool.supportxmr.test -> the pool Service, via a CoreDNS rewrite.
    auto get = kube.command({"get", "configmap", "coredns", "-n", "kube-system", "-o", "jsonpath={.data.Corefile}"});
    auto cf = env_.runner.run(get);
    if (!cf.ok()) return command_status(get, cf, "reading the CoreDNS Corefile");
    auto patched = patch_corefile(cf.out);
    if (patched != cf.out) {
      nlohmann::json patch = {{"data", {{"Corefile", patched}}}};
      auto p = kube.command({"patch", "configmap", "coredns", "-n", "kube-system", "--type", "merge", "-p", patch.dump()});
      auto pr = env_.runner.run(p);
      if (env_.progress) env_.progress(pr.ok(), "CoreDNS: rewrite pool.supportxmr.test -> supportxmr-pool.pool-external.svc.cluster.local");
      if (!pr.ok()) return command_status(p, pr, "patching CoreDNS");
      auto rr = kube.command({"rollout", "restart", "deployment/coredns", "-n", "kube-system"});
      if (auto r = env_.runner.run(rr); !r.ok()) return command_status(rr, r, "restarting CoreDNS");
    }
    for (const auto& [ns, ref] : std::vector<std::pair<std::string, std::string>>{
             {"kube-system", "deployment/coredns"}, {"pool-external", "deployment/supportxmr-pool"}, {"kube-system", "deployment/metrics-server"}}) {
      auto c = kube.command({"rollout", "status", "-n", ns, ref, "--timeout=180s"}, 200s);
      auto r = env_.runner.run(c);
      if (env_.progress) env_.progress(r.ok(), ref + " ready");
      if (!r.ok()) return command_status(c, r, ref + " rollout");
    }
    return ok_status();
  }

  Status down() override {
    return step({"kind", "delete", "cluster", "--name", kKindClusterName, "--kubeconfig", kubeconfig()}, 5min,
                "kind delete cluster " + std::string(kKindClusterName));
  }

  Result<std::string> status(Kubectl& kube) override {
    auto clusters = run({"kind", "get", "clusters"}, 30s);
    if (clusters.not_found) return Error{"kind not found", "install kind >= v0.24.0"};
    if (clusters.out.find(kKindClusterName) == std::string::npos)
      return Error{"kind cluster " + std::string(kKindClusterName) + " does not exist", "labctl up --provider kind"};
    auto nodes = kube.run({"get", "nodes", "--no-headers"});
    if (!nodes.ok()) return not_answering("kind cluster exists but", kube, nodes, "labctl doctor; labctl up --provider kind");
    return "kind cluster " + std::string(kKindClusterName) + "; " + first_line_of(nodes.out);
  }

 private:
  CommandResult run(std::vector<std::string> argv, Millis timeout) {
    return env_.runner.run(Command{std::move(argv), {}, timeout, {}, false});
  }
  Status step(std::vector<std::string> argv, Millis timeout, const std::string& what) {
    Command c{std::move(argv), {}, timeout, {}, false};
    auto r = env_.runner.run(c);
    if (env_.progress) env_.progress(r.ok(), what);
    return command_status(c, r, what);
  }
  ProviderEnv& env_;
};

}  // namespace

std::unique_ptr<Provider> make_provider(const std::string& name, ProviderEnv& env) {
  if (name == "host") return std::make_unique<HostProvider>(env);
  if (name == "kind") return std::make_unique<KindProvider>(env);
  if (name == "existing") return std::make_unique<ExistingProvider>(env);
  return nullptr;
}

Result<std::string> choose_provider(const std::string& flag, ProviderEnv& env, bool is_root) {
  auto valid = [](const std::string& p) { return p == "kind" || p == "host" || p == "existing"; };
  if (!flag.empty()) return flag;
  if (auto e = getenv_or("LABCTL_PROVIDER"); !e.empty()) {
    if (valid(e)) return e;
    return Error{"$LABCTL_PROVIDER=" + e + " is not kind, host or existing", ""};
  }
  std::ifstream remembered(env.state / "provider");
  std::string last;
  if (remembered >> last && valid(last)) return last;
  auto docker = env.runner.run(Command{{"docker", "info"}, {}, 20s, {}, false});
  if (docker.ok()) return std::string("kind");
#ifdef __linux__
  if (is_root) return std::string("host");
#endif
  (void)is_root;
  return Error{"no provider available: `docker info` failed and labctl is not root on Linux",
               "start Docker (kind provider), run as root on Linux (host provider), or pass --provider existing"};
}

bool kind_version_ok(const std::string& out, std::string& parsed) {
  static const std::regex re(R"(v([0-9]+)\.([0-9]+)\.([0-9]+))");
  std::smatch m;
  if (!std::regex_search(out, m, re)) {
    parsed = "(unknown version)";
    return false;
  }
  parsed = m.str(0);
  int major = std::stoi(m[1]), minor = std::stoi(m[2]);
  return major > 0 || minor >= 24;
}

std::string substitute_versions(std::string text, const std::map<std::string, std::string>& versions) {
  for (const auto& [k, v] : versions) {
    const std::string key = "@" + k + "@";
    for (size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + v.size())) text.replace(pos, key.size(), v);
  }
  return text;
}

std::string patch_corefile(const std::string& corefile) {
  static const std::string rewrite = "rewrite name exact pool.supportxmr.test supportxmr-pool.pool-external.svc.cluster.local";
  if (corefile.find("pool.supportxmr.test") != std::string::npos) return corefile;
  auto pos = corefile.find(".:53 {");
  if (pos == std::string::npos) return corefile;
  auto eol = corefile.find('\n', pos);
  if (eol == std::string::npos) return corefile;
  return corefile.substr(0, eol + 1) + "    " + rewrite + "\n" + corefile.substr(eol + 1);
}

}  // namespace labctl::cluster
