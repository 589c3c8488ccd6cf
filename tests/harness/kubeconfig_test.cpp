// Kubeconfig reading for the API client (cluster/api.h): what it takes from files and *-data,
// tokens, what makes it hand the calls back to kubectl (and why), the errors with file:line:col,
// the proxy environment, and kubectl's wording of API errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "cluster/api.h"

using namespace labctl;
using namespace labctl::cluster;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("labctl-kubeconfig-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// An environment with nothing set but what the test says: the tests must not see the host's.
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* n) {
    auto it = vars.find(n);
    return it == vars.end() ? std::string() : it->second;
  };
}

// A kubeconfig with one context, `cluster` and `user` spliced in as the bodies of its entries.
std::string kubeconfig(const std::string& cluster, const std::string& user) {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n" + cluster + "users:\n- name: u\n  user:\n" + user +
         "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\ncurrent-context: ctx\n";
}

const std::string kServer = "    server: https://10.245.0.1:6443\n";

}  // namespace

TEST(Kubeconfig, FilesAreReadRelativeToTheKubeconfig) {
  TempDir d;
  fs::create_directories(d.path / "pki");
  d.write("pki/ca.crt", "CA PEM");
  d.write("pki/admin.crt", "CERT PEM");
  d.write("pki/admin.key", "KEY PEM");
  auto file = d.write("config", kubeconfig(kServer + "    certificate-authority: pki/ca.crt\n",
                                           "    client-certificate: pki/admin.crt\n    client-key: " + (d.path / "pki/admin.key").string() + "\n"));
  auto cfg = load_kubeconfig(file, env_of({}));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->unsupported, "");
  EXPECT_EQ(cfg->server, "https://10.245.0.1:6443");
  EXPECT_EQ(cfg->ca_file, (d.path / "pki/ca.crt").string());
  EXPECT_EQ(cfg->ca_pem, "CA PEM");
  EXPECT_EQ(cfg->cert_pem, "CERT PEM");
  EXPECT_EQ(cfg->key_pem, "KEY PEM");
  EXPECT_FALSE(cfg->insecure);
}

TEST(Kubeconfig, DataFieldsAreBase64) {
  TempDir d;
  // "CA PEM", "CERT PEM", "KEY PEM"; the CA wrapped over two lines as some tools write it.
  auto file = d.write("config", kubeconfig(kServer + "    certificate-authority-data: |\n      Q0Eg\n      UEVN\n",
                                           "    client-certificate-data: Q0VSVCBQRU0=\n    client-key-data: S0VZIFBFTQ==\n"));
  auto cfg = load_kubeconfig(file, env_of({}));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->unsupported, "");
  EXPECT_EQ(cfg->ca_pem, "CA PEM");
  EXPECT_EQ(cfg->ca_file, "");
  EXPECT_EQ(cfg->cert_pem, "CERT PEM");
  EXPECT_EQ(cfg->key_pem, "KEY PEM");
}

TEST(Kubeconfig, TokenAndTokenFile) {
  TempDir d;
  d.write("token", "abc.def\n");
  auto a = load_kubeconfig(d.write("a", kubeconfig(kServer + "    insecure-skip-tls-verify: true\n", "    token: t0k3n\n")), env_of({}));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->token, "t0k3n");
  EXPECT_TRUE(a->insecure);
  EXPECT_EQ(a->unsupported, "");
  auto b = load_kubeconfig(d.write("b", kubeconfig(kServer, "    tokenFile: token\n")), env_of({}));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->token_file, (d.path / "token").string());
  EXPECT_EQ(b->unsupported, "");
}

// Each of these needs kubectl: the config loads, says why, and no client can be built from it.
TEST(Kubeconfig, UnsupportedFeaturesFallBackToKubectlWithAReason) {
  struct Case {
    std::string name, cluster, user, reason;
  };
  const std::vector<Case> cases = {
      {"exec plugin", kServer, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: gke-gcloud-auth-plugin\n",
       "exec plugin (gke-gcloud-auth-plugin)"},
      {"auth-provider", kServer, "    auth-provider: {name: oidc}\n", "auth-provider plugin"},
      {"basic auth", kServer, "    username: admin\n    password: secret\n", "basic auth"},
      {"impersonation", kServer, "    token: x\n    as: jane\n", "impersonates (as)"},
      {"impersonated groups", kServer, "    token: x\n    as-groups: [ops]\n", "impersonates (as-groups)"},
      {"proxy-url", kServer + "    proxy-url: http://proxy:3128\n", "    token: x\n", "proxy-url"},
      {"tls-server-name", kServer + "    tls-server-name: api.internal\n", "    token: x\n", "tls-server-name"},
      {"CA file and data", kServer + "    certificate-authority: ca.crt\n    certificate-authority-data: Q0E=\n", "    token: x\n",
       "both certificate-authority and certificate-authority-data"},
      {"insecure with a CA", kServer + "    insecure-skip-tls-verify: true\n    certificate-authority-data: Q0E=\n", "    token: x\n",
       "insecure-skip-tls-verify together with"},
      {"cert without key", kServer, "    client-certificate-data: Q0U=\n", "without its key"},
      {"unknown user key", kServer, "    token: x\n    shiny-new-auth: yes\n", "user key 'shiny-new-auth'"},
      {"not a URL", "    server: 10.0.0.1:6443\n", "    token: x\n", "is not an http(s) URL"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir d;
    auto cfg = load_kubeconfig(d.write("config", kubeconfig(c.cluster, c.user)), env_of({}));
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_NE(cfg->unsupported.find(c.reason), std::string::npos) << cfg->unsupported;
    auto client = ApiClient::create(*cfg);
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error().message, cfg->unsupported);
  }
}

TEST(Kubeconfig, KubeconfigListAndDefaultLocation) {
  auto list = load_kubeconfig("", env_of({{"KUBECONFIG", "/a/config:/b/config"}}));
  ASSERT_TRUE(list);
  EXPECT_NE(list->unsupported.find("several files"), std::string::npos);
  TempDir home;
  fs::create_directories(home.path / ".kube");
  home.write(".kube/config", kubeconfig(kServer, "    token: x\n"));
  auto def = load_kubeconfig("", env_of({{"HOME", home.path.string()}}));
  ASSERT_TRUE(def) << def.error().message;
  EXPECT_EQ(def->source, (home.path / ".kube/config").string());
  EXPECT_EQ(def->token, "x");
}

TEST(Kubeconfig, ErrorsPointAtTheLine) {
  TempDir d;
  struct Case {
    std::string name, text, where, words;
  };
  const std::vector<Case> cases = {
      {"dangling current-context",
       "apiVersion: v1\nclusters: []\ncontexts:\n- name: ctx\n  context: {cluster: c}\ncurrent-context: other\n", ":6:18: ",
       "current-context 'other' names no entry in contexts"},
      {"no current-context", "apiVersion: v1\nclusters: []\n", ":1:1: ", "no current-context"},
      {"dangling cluster", "contexts:\n- name: ctx\n  context: {cluster: gone, user: u}\ncurrent-context: ctx\n", ":3:12: ",
       "names cluster 'gone', which is not in clusters"},
      {"dangling user",
       "clusters:\n- name: c\n  cluster: {server: 'https://x:1'}\ncontexts:\n- name: ctx\n  context: {cluster: c, user: gone}\n"
       "current-context: ctx\n",
       ":6:31: ", "names user 'gone', which is not in users"},
      {"missing file", kubeconfig(kServer + "    certificate-authority: nope.crt\n", ""), ":7:28: ", "nope.crt cannot be read"},
      {"bad base64", kubeconfig(kServer, "    token: x\n    client-certificate-data: '***'\n    client-key-data: S0VZ\n"), ":11:30: ",
       "client-certificate-data is not base64"},
      {"malformed YAML", "clusters: [\n", ":2:1: ", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto file = d.write("config", c.text);
    auto cfg = load_kubeconfig(file, env_of({}));
    ASSERT_FALSE(cfg) << "loaded: " << c.text;
    EXPECT_EQ(cfg.error().message.rfind(file + c.where, 0), 0u) << cfg.error().message;
    EXPECT_NE(cfg.error().message.find(c.words), std::string::npos) << cfg.error().message;
  }
  auto absent = load_kubeconfig((d.path / "absent").string(), env_of({}));
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().message.find("cannot read kubeconfig"), std::string::npos);
}

TEST(Kubeconfig, ProxyEnvironmentLikeKubectl) {
  const std::string server = "https://10.245.0.1:6443";
  EXPECT_EQ(proxy_reason(server, env_of({})), "");
  EXPECT_EQ(proxy_reason(server, env_of({{"HTTP_PROXY", "http://p:3128"}})), "") << "http_proxy is for http:// servers";
  EXPECT_NE(proxy_reason(server, env_of({{"HTTPS_PROXY", "http://p:3128"}})), "");
  EXPECT_NE(proxy_reason(server, env_of({{"https_proxy", "http://p:3128"}})), "");
  EXPECT_EQ(proxy_reason(server, env_of({{"HTTPS_PROXY", "http://p:3128"}, {"NO_PROXY", "localhost, 10.245.0.1"}})), "");
  EXPECT_EQ(proxy_reason(server, env_of({{"HTTPS_PROXY", "http://p:3128"}, {"no_proxy", "*"}})), "");
  EXPECT_NE(proxy_reason(server, env_of({{"HTTPS_PROXY", "http://p:3128"}, {"NO_PROXY", "10.0.0.0/8"}})), "")
      << "CIDR forms are left to kubectl";
  EXPECT_EQ(proxy_reason("https://api.lab.example:6443", env_of({{"HTTPS_PROXY", "p"}, {"NO_PROXY", ".example"}})), "");
  EXPECT_EQ(proxy_reason("https://api.lab.example:6443", env_of({{"HTTPS_PROXY", "p"}, {"NO_PROXY", "lab.example"}})), "");
  EXPECT_NE(proxy_reason("https://api.lab.example:6443", env_of({{"HTTPS_PROXY", "p"}, {"NO_PROXY", "b.example"}})), "");
  EXPECT_EQ(proxy_reason("https://127.0.0.1:6443", env_of({{"HTTPS_PROXY", "p"}})), "") << "Go never proxies loopback";
  TempDir d;
  auto cfg = load_kubeconfig(d.write("config", kubeconfig(kServer, "    token: x\n")), env_of({{"HTTPS_PROXY", "http://p:3128"}}));
  ASSERT_TRUE(cfg);
  EXPECT_NE(cfg->unsupported.find("HTTPS_PROXY"), std::string::npos);
}

TEST(ApiText, QueryEscapeAndKubectlWording) {
  EXPECT_EQ(query_escape("app=proxy-api"), "app=proxy-api");
  EXPECT_EQ(query_escape("app in (a b)&x"), "app%20in%20%28a%20b%29%26x");
  ApiResponse nf{404, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404})", "", false, "", Millis(1)};
  EXPECT_EQ(kubectl_style_error(nf), "Error from server (NotFound): the server could not find the requested resource");
  ApiResponse text{502, "upstream broke\nmore", "", false, "", Millis(1)};
  EXPECT_EQ(kubectl_style_error(text), "Error from server (HTTP 502): upstream broke");
  ApiResponse down{0, "", "Failed to connect to 10.245.0.1 port 6443: Connection refused", false, "", Millis(1)};
  EXPECT_EQ(kubectl_style_error(down), "Unable to connect to the server: Failed to connect to 10.245.0.1 port 6443: Connection refused");
}
