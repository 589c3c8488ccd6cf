// Providers without a cluster: the argv the kind provider issues (we cannot run Docker here),
// provider choice, kind's version gate (CASES 9), the CoreDNS rewrite, the kubectl lookup order.
#include <gtest/gtest.h>

#include <fstream>

#include "cluster/classify.h"
#include "cluster/environment.h"
#include "cluster/provider.h"

using namespace labctl;
using namespace labctl::cluster;
namespace fs = std::filesystem;
using R = RecordingRunner;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("labctl-test-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

TEST(Kind, VersionGate) {
  std::string v;
  EXPECT_TRUE(kind_version_ok("kind v0.24.0 go1.22.6 linux/amd64", v));
  EXPECT_EQ(v, "v0.24.0");
  EXPECT_TRUE(kind_version_ok("kind v0.30.0 go1.24 linux/amd64", v));
  EXPECT_FALSE(kind_version_ok("kind v0.23.0 go1.22.2 linux/amd64", v));
  EXPECT_FALSE(kind_version_ok("garbage", v));
}

TEST(Kind, CorefileRewrite) {
  const std::string corefile = ".:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n    }\n    forward . /etc/resolv.conf\n}\n";
  auto patched = patch_corefile(corefile);
  EXPECT_EQ(patched.find(".:53 {\n    rewrite name exact pool.supportxmr.test supportxmr-pool.pool-external.svc.cluster.local\n    errors"), 0u)
      << patched;
  EXPECT_EQ(patch_corefile(patched), patched) << "idempotent";
}

TEST(Kind, UpIssuesTheDocumentedCommands) {
  TempDir lab, state, cache;
  fs::create_directories(lab.path / "manifests" / "addons");
  std::ofstream(lab.path / "manifests" / "addons" / "metrics-server.yaml") << "image: registry.k8s.io/metrics-server/metrics-server:@METRICS_SERVER_VERSION@\n";
  std::ofstream(lab.path / "manifests" / "addons" / "pool.yaml") << "x";
  fs::create_directories(cache.path / "images");
  std::ofstream(cache.path / "images" / "toolbox.tar") << "x";
  std::ofstream(cache.path / "images" / "fake-miner.tar") << "x";
  R rec;
  rec.on("kind version", R::ok("kind v0.27.0 go1.23.4 linux/amd64\n"));
  rec.on("kind get clusters", R::ok("other\n"));
  rec.on("jsonpath={.data.Corefile}", R::ok(".:53 {\n    errors\n}\n"));
  ProviderEnv env{rec, lab.path, state.path, cache.path, {{"KIND_NODE_IMAGE", "kindest/node:v1.34.0"}, {"METRICS_SERVER_VERSION", "v0.8.0"}}, {}};
  auto p = make_provider("kind", env);
  Kubectl kube(rec, "kubectl", p->kubeconfig());
  auto st = p->up(kube);
  ASSERT_TRUE(st) << st.error().message;
  auto lines = rec.lines();
  const std::string kc = (state.path / "kind" / "kubeconfig").string();
  std::vector<std::string> want = {
      "kind version",
      "kind get clusters",
      "kind create cluster --name cryptojacking-net-lab --config " + (lab.path / "manifests/kind/cluster.yaml").string() +
          " --image kindest/node:v1.34.0 --kubeconfig " + kc + " --wait 120s",
      (lab.path / "images/build.sh").string() + " --docker",
      "kind load image-archive " + (cache.path / "images/fake-miner.tar").string() + " --name cryptojacking-net-lab",
      "kind load image-archive " + (cache.path / "images/toolbox.tar").string() + " --name cryptojacking-net-lab",
      "kubectl --kubeconfig " + kc + " apply --server-side --force-conflicts -f -",
      "kubectl --kubeconfig " + kc + " apply --server-side --force-conflicts -f -",
      "kubectl --kubeconfig " + kc + " get configmap coredns -n kube-system -o 'jsonpath={.data.Corefile}'",
  };
  ASSERT_GE(lines.size(), want.size() + 2);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(lines[i], want[i]) << i;
  EXPECT_NE(lines[want.size()].find("patch configmap coredns -n kube-system --type merge -p"), std::string::npos);
  EXPECT_NE(lines[want.size()].find("rewrite name exact pool.supportxmr.test supportxmr-pool.pool-external.svc.cluster.local"), std::string::npos);
  EXPECT_NE(lines[want.size() + 1].find("rollout restart deployment/coredns -n kube-system"), std::string::npos);
  // Addons go in on stdin with the versions filled in, in file order.
  auto cmds = rec.commands();
  EXPECT_EQ(cmds[6].stdin_data, "image: registry.k8s.io/metrics-server/metrics-server:v0.8.0\n");
  EXPECT_EQ(cmds[7].stdin_data, "x");
}

TEST(Kind, RefusesOldKind) {
  TempDir lab, state, cache;
  R rec;
  rec.on("kind version", R::ok("kind v0.23.0 go1.22.2 linux/amd64\n"));
  ProviderEnv env{rec, lab.path, state.path, cache.path, {}, {}};
  auto p = make_provider("kind", env);
  Kubectl kube(rec, "kubectl", "");
  auto st = p->up(kube);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().hint.find("do not enforce"), std::string::npos);
  EXPECT_EQ(rec.lines().size(), 1u) << "nothing created with an old kind";
}

TEST(Host, RunsHostctlWithArgv) {
  TempDir lab, state, cache;
  R rec;
  ProviderEnv env{rec, lab.path, state.path, cache.path, {}, {}};
  auto p = make_provider("host", env);
  EXPECT_EQ(p->kubeconfig(), (state.path / "host" / "kubeconfig").string());
  Kubectl kube(rec, "kubectl", p->kubeconfig());
  ASSERT_TRUE(p->up(kube));
  ASSERT_TRUE(p->down());
  auto cmds = rec.commands();
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0].argv, (std::vector<std::string>{(lab.path / "host" / "hostctl.sh").string(), "up"}));
  EXPECT_TRUE(cmds[0].passthrough) << "hostctl.sh prints its progress on stderr for the user";
  EXPECT_EQ(cmds[1].argv[1], "down");
}

TEST(Provider, Choice) {
  TempDir lab, state, cache;
  R rec;
  ProviderEnv env{rec, lab.path, state.path, cache.path, {}, {}};
  ::unsetenv("LABCTL_PROVIDER");
  EXPECT_EQ(*choose_provider("existing", env, true), "existing");
  rec.on("docker info", R::ok());
  EXPECT_EQ(*choose_provider("", env, false), "kind");
  R nodocker;
  nodocker.on("docker info", R::fail(1, "Cannot connect to the Docker daemon"));
  ProviderEnv env2{nodocker, lab.path, state.path, cache.path, {}, {}};
  EXPECT_EQ(*choose_provider("", env2, true), "host");
  auto none = choose_provider("", env2, false);
  ASSERT_FALSE(none);
  EXPECT_FALSE(none.error().hint.empty());
  std::ofstream(state.path / "provider") << "existing\n";
  EXPECT_EQ(*choose_provider("", env2, false), "existing") << "what labctl up last used";
}

TEST(Kubectl, LookupOrder) {
  TempDir cache;
  auto bin = cache.path / "kubernetes-v1.34.4" / "bin";
  fs::create_directories(bin);
  std::ofstream(bin / "kubectl") << "#!/bin/sh\n";
  fs::permissions(bin / "kubectl", fs::perms::owner_all);
  auto nothing_on_path = [](const std::string&) { return std::string(); };
  auto on_path = [](const std::string& n) { return n == "kubectl" ? std::string("/usr/bin/kubectl") : std::string(); };
  EXPECT_EQ(*find_kubectl({"/bin/sh", "", on_path, cache.path, "v1.34.4"}), "/bin/sh") << "--kubectl first";
  EXPECT_EQ(*find_kubectl({"", "/bin/sh", on_path, cache.path, "v1.34.4"}), "/bin/sh") << "then $KUBECTL";
  EXPECT_EQ(*find_kubectl({"", "", on_path, cache.path, "v1.34.4"}), (bin / "kubectl").string()) << "then the version-matched cache";
  EXPECT_EQ(*find_kubectl({"", "", nothing_on_path, cache.path, "v1.34.4"}), (bin / "kubectl").string()) << "cache without PATH";
  EXPECT_EQ(*find_kubectl({"", "", on_path, cache.path, "v9.9.9"}), "/usr/bin/kubectl") << "then PATH when the cache has no such version";
  auto missing = find_kubectl({"", "", nothing_on_path, cache.path, "v9.9.9"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().hint.find("build-upstream.sh"), std::string::npos);
}

TEST(Versions, ReadsKeyValueLines) {
  TempDir d;
  std::ofstream(d.path / "versions.env") << "# comment\n\nKUBERNETES_VERSION=v1.34.4\nKIND_NODE_IMAGE=kindest/node:v1.34.0\n";
  auto v = read_versions(d.path / "versions.env");
  EXPECT_EQ(v["KUBERNETES_VERSION"], "v1.34.4");
  EXPECT_EQ(v["KIND_NODE_IMAGE"], "kindest/node:v1.34.0");
  EXPECT_EQ(v.size(), 2u);
}

namespace {
const std::string kRefused =
    "E1203 14:20:12.837063   24739 memcache.go:265] \"Unhandled Error\" err=\"couldn't get current server API group list: Get "
    "\\\"https://127.0.0.1:1/api?timeout=32s\\\": dial tcp 127.0.0.1:1: connect: connection refused\"\n"
    "E1203 14:20:12.838002   24739 memcache.go:265] \"Unhandled Error\" err=\"couldn't get current server API group list: Get "
    "\\\"https://127.0.0.1:1/api?timeout=32s\\\": dial tcp 127.0.0.1:1: connect: connection refused\"\n"
    "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n";
}  // namespace

TEST(Host, StatusFailsWhenTheClusterDoesNotAnswer) {
  // hostctl.sh says the services run, but kubectl gets no answer: not "up", an error (exit 3).
  TempDir lab, state, cache;
  R rec;
  rec.on("hostctl.sh status", R::ok("running\n"));
  rec.on("get nodes", R::fail(1, kRefused));
  ProviderEnv env{rec, lab.path, state.path, cache.path, {}, {}};
  auto p = make_provider("host", env);
  Kubectl kube(rec, "kubectl", "/k/config");
  auto r = p->status(kube);
  ASSERT_FALSE(r) << *r;
  EXPECT_NE(r.error().message.find("does not answer: The connection to the server 127.0.0.1:1 was refused"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().message.find("memcache.go"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("$ kubectl --kubeconfig /k/config get nodes"), std::string::npos) << r.error().message;
}

TEST(Existing, StatusFailsWhenTheClusterDoesNotAnswer) {
  TempDir lab, state, cache;
  R rec;
  rec.on("get nodes", R::fail(1, kRefused));
  ProviderEnv env{rec, lab.path, state.path, cache.path, {}, {}};
  auto p = make_provider("existing", env);
  Kubectl kube(rec, "kubectl", "/k/config");
  auto r = p->status(kube);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("memcache.go"), std::string::npos) << r.error().message;
}

TEST(KubectlError, KeepsKubectlsOwnWordsDropsKlog) {
  EXPECT_EQ(kubectl_error(kRefused), "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?");
  // Only klog lines: the cause at the end of the last one.
  EXPECT_EQ(kubectl_error(kRefused.substr(0, kRefused.find("The connection"))), "dial tcp 127.0.0.1:1: connect: connection refused");
  EXPECT_EQ(kubectl_error("Error from server (NotFound): nodes \"x\" not found\n"), "Error from server (NotFound): nodes \"x\" not found");
  EXPECT_EQ(kubectl_error(""), "");
}
