// The API client against real servers on 127.0.0.1: `openssl s_server` with a throwaway PKI
// made at test time (client-certificate authentication, a server from another CA rejected,
// insecure-skip-tls-verify), and a small plain-HTTP server (bearer token, one kept-alive
// connection for many polls, Status errors, the timeout). Plus Kubectl::get_raw's choice
// between the client and kubectl, and what --explain prints for an API call.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <boost/process.hpp>
#include <fstream>
#include <thread>

#include "cluster/api.h"
#include "cluster/environment.h"
#include "cluster/kubectl.h"

using namespace labctl;
using namespace labctl::cluster;
namespace fs = std::filesystem;
namespace bp = boost::process;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("labctl-api-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A port that was free a moment ago on 127.0.0.1 (for s_server, which cannot report its own).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool connectable(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// CA, a server certificate for IP 127.0.0.1 and a client certificate, all signed by `ca`, and a
// second, unrelated CA. EC P-256 keys: generated in milliseconds.
struct Pki {
  TempDir dir;
  std::string openssl = search_path("openssl");
  fs::path at(const std::string& n) const { return dir.path / n; }
  void run(std::vector<std::string> args) {
    ProcessRunner r;
    args.insert(args.begin(), openssl);
    Command c{args, {}, std::chrono::seconds(30), {}, false};
    auto res = r.run(c);
    ASSERT_TRUE(res.ok()) << describe_failure(c, res);
  }
  void key_and_csr(const std::string& name, const std::string& cn) {
    run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", at(name + ".key"), "-out",
         at(name + ".csr"), "-subj", "/CN=" + cn});
  }
  void self_signed(const std::string& name) {
    run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", at(name + ".key"), "-out",
         at(name + ".crt"), "-subj", "/CN=labctl-test-" + name, "-days", "1"});
  }
  void sign(const std::string& name, const std::string& ext, const std::string& serial) {
    std::ofstream(at(name + ".ext")) << ext;
    run({"x509", "-req", "-in", at(name + ".csr"), "-CA", at("ca.crt"), "-CAkey", at("ca.key"), "-set_serial", serial, "-days", "1",
         "-out", at(name + ".crt"), "-extfile", at(name + ".ext")});
  }
  void make() {
    ASSERT_FALSE(openssl.empty()) << "openssl is needed for the TLS loopback tests";
    self_signed("ca");
    self_signed("otherca");
    key_and_csr("server", "127.0.0.1");
    sign("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n", "2");
    key_and_csr("client", "labctl-test-client");
    sign("client", "extendedKeyUsage=clientAuth\n", "3");
  }
};

// `openssl s_server -www` demanding a client certificate from `ca`: answers GET with a status
// page that names the client certificate's subject.
struct TlsServer {
  int port = free_port();
  bp::child child;
  static std::vector<std::string> argv(const Pki& pki, int port) {
    return {"s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert", pki.at("server.crt").string(),
            "-key", pki.at("server.key").string(), "-CAfile", pki.at("ca.crt").string(), "-Verify", "1", "-www"};
  }
  explicit TlsServer(const Pki& pki)
      : child(pki.openssl, bp::args(argv(pki, port)), bp::std_out > bp::null, bp::std_err > bp::null, bp::std_in < bp::null) {
    for (int i = 0; i < 100 && !connectable(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ~TlsServer() {
    std::error_code ec;
    child.terminate(ec);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port); }
};

// Plain HTTP/1.1 with keep-alive, one connection at a time: records each request head and
// answers `status`/`body`, or never answers when `silent` (all three guarded by mu).
struct HttpServer {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  std::atomic<bool> stop{false};
  std::atomic<int> connections{0};
  std::mutex mu;
  std::vector<std::string> requests;
  int status = 200;
  std::string body = "{}";
  bool silent = false;
  std::thread thread;

  HttpServer() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::listen(fd, 4);
  }
  void start() { thread = std::thread([this] { serve(); }); }
  ~HttpServer() {
    stop = true;
    if (thread.joinable()) thread.join();
    ::close(fd);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  static bool readable(int s) {
    pollfd p{s, POLLIN, 0};
    return ::poll(&p, 1, 50) > 0;
  }
  void serve() {
    while (!stop) {
      if (!readable(fd)) continue;
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) continue;
      ++connections;
      std::string buf;
      while (!stop) {
        if (!readable(c)) continue;
        char chunk[4096];
        auto n = ::recv(c, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
        auto end = buf.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        std::string reply;
        {
          std::lock_guard lock(mu);
          requests.push_back(buf.substr(0, end));
          if (!silent)
            reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
        }
        buf.erase(0, end + 4);
        if (reply.empty()) continue;
        ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }
};

std::unique_ptr<ApiClient> client(ApiConfig cfg) {
  auto c = ApiClient::create(std::move(cfg));
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? std::move(*c) : nullptr;
}

}  // namespace

TEST(ApiTls, ClientCertificateAuthenticatesAndAForeignCaIsRejected) {
  Pki pki;
  ASSERT_NO_FATAL_FAILURE(pki.make());
  TlsServer server(pki);
  ASSERT_TRUE(connectable(server.port)) << "openssl s_server did not start";

  ApiConfig good;
  good.server = server.url();
  good.ca_pem = slurp(pki.at("ca.crt"));
  good.cert_pem = slurp(pki.at("client.crt"));
  good.key_pem = slurp(pki.at("client.key"));
  auto c = client(good);
  ASSERT_TRUE(c);
  auto r = c->get("/", std::chrono::seconds(10));
  EXPECT_TRUE(r.ok()) << r.error << " HTTP " << r.status;
  EXPECT_NE(r.body.find("CN=labctl-test-client"), std::string::npos) << "the server saw our client certificate:\n" << r.body;

  ApiConfig anonymous = good;  // same trust, no client certificate: s_server -Verify 1 refuses
  anonymous.cert_pem.clear();
  anonymous.key_pem.clear();
  auto a = client(anonymous)->get("/", std::chrono::seconds(10));
  EXPECT_FALSE(a.ok());
  EXPECT_NE(a.error, "") << "HTTP " << a.status << ": " << a.body;

  ApiConfig foreign = good;  // the server's certificate does not chain to this CA
  foreign.ca_pem = slurp(pki.at("otherca.crt"));
  auto f = client(foreign)->get("/", std::chrono::seconds(10));
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.status, 0);
  EXPECT_NE(f.error.find("certificate"), std::string::npos) << f.error;

  ApiConfig insecure = foreign;  // insecure-skip-tls-verify: the same server is accepted
  insecure.ca_pem.clear();
  insecure.insecure = true;
  auto i = client(insecure)->get("/", std::chrono::seconds(10));
  EXPECT_TRUE(i.ok()) << i.error;
}

TEST(ApiTls, FromAKubeconfigWithFilesAndWithData) {
  Pki pki;
  ASSERT_NO_FATAL_FAILURE(pki.make());
  TlsServer server(pki);
  ASSERT_TRUE(connectable(server.port)) << "openssl s_server did not start";
  auto b64 = [&](const std::string& name) {
    ProcessRunner r;
    auto res = r.run(Command{{pki.openssl, "base64", "-A", "-in", pki.at(name).string()}, {}, std::chrono::seconds(10), {}, false});
    return res.out;
  };
  const std::string head = "apiVersion: v1\nkind: Config\ncurrent-context: t\ncontexts:\n- name: t\n  context: {cluster: c, user: u}\n";
  const std::string files = head + "clusters:\n- name: c\n  cluster: {server: '" + server.url() +
                            "', certificate-authority: ca.crt}\nusers:\n- name: u\n  user: {client-certificate: client.crt, client-key: client.key}\n";
  const std::string data = head + "clusters:\n- name: c\n  cluster: {server: '" + server.url() + "', certificate-authority-data: " +
                           b64("ca.crt") + "}\nusers:\n- name: u\n  user: {client-certificate-data: " + b64("client.crt") +
                           ", client-key-data: " + b64("client.key") + "}\n";
  for (const auto& [name, text] : {std::pair{"files", files}, std::pair{"data", data}}) {
    SCOPED_TRACE(name);
    std::ofstream(pki.at("kubeconfig")) << text;
    auto cfg = load_kubeconfig(pki.at("kubeconfig").string(), [](const char*) { return std::string(); });
    ASSERT_TRUE(cfg) << cfg.error().message;
    auto c = client(*cfg);
    ASSERT_TRUE(c);
    auto r = c->get("/", std::chrono::seconds(10));
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_NE(r.body.find("CN=labctl-test-client"), std::string::npos);
  }
}

TEST(ApiHttp, BearerTokenAndOneConnectionForManyPolls) {
  HttpServer s;
  s.body = R"({"items":[]})";
  s.start();
  TempDir d;
  std::ofstream(d.path / "token") << "from-file\n";
  ApiConfig cfg;
  cfg.server = s.url();
  cfg.token_file = (d.path / "token").string();
  auto c = client(cfg);
  ASSERT_TRUE(c);
  for (int i = 0; i < 3; ++i) {
    auto r = c->get("/apis/metrics.k8s.io/v1beta1/namespaces/net-demo/pods?labelSelector=app=x", std::chrono::seconds(5));
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.body, R"({"items":[]})");
  }
  std::ofstream(d.path / "token") << "rotated\n";
  EXPECT_TRUE(c->get("/readyz", std::chrono::seconds(5)).ok());
  EXPECT_EQ(s.connections.load(), 1) << "every poll reuses the kept-alive connection";
  EXPECT_EQ(c->requests(), 4);
  std::lock_guard lock(s.mu);
  ASSERT_EQ(s.requests.size(), 4u);
  EXPECT_EQ(s.requests[0].rfind("GET /apis/metrics.k8s.io/v1beta1/namespaces/net-demo/pods?labelSelector=app=x HTTP/1.1", 0), 0u);
  EXPECT_NE(s.requests[0].find("Authorization: Bearer from-file"), std::string::npos) << s.requests[0];
  EXPECT_NE(s.requests[3].find("Authorization: Bearer rotated"), std::string::npos) << "tokenFile is re-read";
}

TEST(ApiHttp, ErrorsAndTimeoutsReadLikeKubectl) {
  HttpServer s;
  s.status = 503;
  s.body = R"({"kind":"Status","status":"Failure","message":"no endpoints available for service \"supportxmr-pool:8080\"","reason":"ServiceUnavailable","code":503})";
  s.start();
  ApiConfig cfg;
  cfg.server = s.url();
  cfg.token = "t";
  auto c = client(cfg);
  ASSERT_TRUE(c);
  auto r = c->get("/api/v1/namespaces/pool-external/services/supportxmr-pool:8080/proxy/stats", std::chrono::seconds(5));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(kubectl_style_error(r), R"(Error from server (ServiceUnavailable): no endpoints available for service "supportxmr-pool:8080")");

  {
    std::lock_guard lock(s.mu);
    s.silent = true;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto slow = c->get("/readyz", std::chrono::milliseconds(300));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(slow.timed_out) << slow.error;
  EXPECT_LT(took, std::chrono::seconds(3)) << "the timeout bounds the request";
  EXPECT_EQ(kubectl_style_error(slow).rfind("Unable to connect to the server: ", 0), 0u);
}

TEST(ApiHttp, RefusedConnectionIsAnErrorNotAnAnswer) {
  ApiConfig cfg;
  cfg.server = "http://127.0.0.1:" + std::to_string(free_port());
  auto r = client(cfg)->get("/readyz", std::chrono::seconds(5));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error, "");
}

TEST(KubectlRawGet, ApiClientWhenAttachedAndExplainShowsTheKubectlLine) {
  HttpServer s;
  s.body = R"({"workers":{}})";
  s.start();
  RecordingRunner rec;
  rec.on("get --raw", RecordingRunner::ok("from kubectl"));
  Kubectl kube(rec, "kubectl", "/k/config");

  auto by_kubectl = kube.get_raw("/api/v1/x");
  EXPECT_FALSE(by_kubectl.api);
  EXPECT_EQ(by_kubectl.result.out, "from kubectl");
  ASSERT_EQ(rec.lines().size(), 1u);
  EXPECT_EQ(rec.lines()[0], "kubectl --kubeconfig /k/config get --raw /api/v1/x");

  ApiConfig cfg;
  cfg.server = s.url();
  kube.use_api(std::shared_ptr<ApiClient>(client(cfg)));
  std::vector<std::string> explained;
  ExplainingRunner explaining(rec, [&](const std::string& l) { explained.push_back(l); });
  Kubectl twin(explaining, "kubectl", "/k/config");
  twin.use_api(kube.api());
  auto by_api = twin.get_raw("/api/v1/x");
  ASSERT_TRUE(by_api.api);
  EXPECT_TRUE(by_api.result.ok());
  EXPECT_EQ(by_api.result.out, R"({"workers":{}})");
  EXPECT_EQ(rec.lines().size(), 1u) << "no process for an API call";
  EXPECT_EQ(rec.spawned(), 1);
  ASSERT_EQ(explained.size(), 1u);
  EXPECT_EQ(explained[0], "$ kubectl --kubeconfig /k/config get --raw /api/v1/x");
  EXPECT_EQ(rec.announced(), std::vector<std::string>{"kubectl --kubeconfig /k/config get --raw /api/v1/x"});

  {
    std::lock_guard lock(s.mu);
    s.status = 404;
    s.body = R"({"kind":"Status","message":"the server could not find the requested resource","reason":"NotFound"})";
  }
  auto missing = kube.get_raw("/api/v1/y");
  EXPECT_EQ(missing.result.exit_code, 1);
  EXPECT_EQ(missing.result.err, "Error from server (NotFound): the server could not find the requested resource");
}
