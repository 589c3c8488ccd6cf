// Helpers for the stratum tests: spawning the real binaries with captured output, polling with a
// deadline (never sleeping as synchronisation), and small blocking loopback clients/servers.
// Every socket here talks to 127.0.0.1 only.
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "procfs.hpp"

namespace testutil {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline std::string lab_wallet() {
  return "44LabWa11etCryptojackingLabP1aceho1derNotARea1MoneroAddressUsedon1yByFakePoo1AndFakeMinerXXXXXX";
}

// Polls `fn` until it returns true or the timeout passes; returns fn's last answer.
inline bool poll_until(const std::function<bool()>& fn, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds step = 20ms) {
  const auto end = Clock::now() + timeout;
  for (;;) {
    if (fn()) return true;
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(step);
  }
}

inline std::string read_file(const std::string& path) { return stratum::procfs::read(path); }

inline std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/stratum-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A child process with stdout/stderr in files. The destructor kills it if still running.
class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& out_path, const std::string& err_path,
        std::function<void()> pre_exec = {})
      : out_(out_path), err_(err_path) {
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(o, 1);
      dup2(e, 2);
      if (pre_exec) pre_exec();
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !status_) {
      kill(pid_, SIGKILL);
      int st;
      waitpid(pid_, &st, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t pid() const { return pid_; }
  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }
  void signal(int sig) const { kill(pid_, sig); }
  // Exit status if it exited within the timeout (-signal when killed by a signal).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    poll_until([&] {
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
      return status_.has_value();
    }, timeout, 5ms);
    return status_;
  }
  bool running() { return !wait_exit(0ms).has_value(); }
  bool wait_output(const std::string& needle, std::chrono::milliseconds timeout) const {
    return poll_until([&] { return out().find(needle) != std::string::npos; }, timeout);
  }
  // Process CPU seconds (utime + stime) from /proc/<pid>/stat.
  double cpu_seconds() const { return stratum::procfs::cpu_seconds(pid_); }

 private:
  pid_t pid_ = -1;
  std::string out_, err_;
  std::optional<int> status_;
};

inline int connect_loopback(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

// Blocking line client with deadlines.
class LineClient {
 public:
  explicit LineClient(std::uint16_t port) : fd_(connect_loopback(port)) {}
  explicit LineClient(int fd) : fd_(fd) {}
  ~LineClient() {
    if (fd_ >= 0) close(fd_);
  }
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;
  LineClient(LineClient&& o) noexcept : fd_(o.fd_), buf_(std::move(o.buf_)) { o.fd_ = -1; }
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  bool send_raw(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool send_json(const nlohmann::json& j) { return send_raw(j.dump() + "\n"); }
  // Next line, or nullopt on timeout/EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 5000ms) {
    const auto end = Clock::now() + timeout;
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      if (!fill(end)) return std::nullopt;
    }
  }
  std::optional<nlohmann::json> read_json(std::chrono::milliseconds timeout = 5000ms) {
    auto l = read_line(timeout);
    if (!l) return std::nullopt;
    auto j = nlohmann::json::parse(*l, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  }
  // Reads a reply with the given id, skipping pushed notifications.
  std::optional<nlohmann::json> read_reply(int id, std::chrono::milliseconds timeout = 5000ms) {
    const auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
      auto j = read_json(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()));
      if (!j) return std::nullopt;
      if (j->contains("id") && (*j)["id"] == id) return j;
    }
    return std::nullopt;
  }
  // True when the peer closed the connection within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout) {
    const auto end = Clock::now() + timeout;
    for (;;) {
      buf_.clear();
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      if (left <= 0) return false;
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      char tmp[4096];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
    }
  }

 private:
  bool fill(Clock::time_point end) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char tmp[4096];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }
  int fd_;
  std::string buf_;
};

// A listening socket on 127.0.0.1 (ephemeral port) for scripted-pool tests.
class Listener {
 public:
  explicit Listener(int backlog = 16) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, backlog) != 0)
      throw std::runtime_error("listen failed");
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { close(fd_); }
  std::uint16_t port() const { return port_; }
  int fd() const { return fd_; }
  std::optional<LineClient> accept(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return std::nullopt;
    return LineClient(c);
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};
inline HttpResponse http_get(std::uint16_t port, const std::string& path) {
  HttpResponse r;
  int fd = connect_loopback(port);
  if (fd < 0) return r;
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string all;
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
    const auto end = Clock::now() + 5s;
    char tmp[4096];
    while (Clock::now() < end) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) break;
      all.append(tmp, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  if (all.size() > 12) r.status = std::atoi(all.substr(9, 3).c_str());
  if (auto p = all.find("\r\n\r\n"); p != std::string::npos) r.body = all.substr(p + 4);
  return r;
}

// The real fake-pool binary on ephemeral ports; ports come from its "listening" event.
class PoolProcess {
 public:
  explicit PoolProcess(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{FAKE_POOL_BIN, "--listen", "127.0.0.1", "--port", "0", "--http-port", "0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    child_ = std::make_unique<Child>(argv, dir_.file("pool.out"), dir_.file("pool.err"));
    if (!poll_until([&] { return child_->out().find("\"listening\"") != std::string::npos; }, 10s))
      throw std::runtime_error("fake-pool did not start: " + child_->err());
    auto first = child_->out();
    auto ev = nlohmann::json::parse(first.substr(0, first.find('\n')));
    stratum_port = ev["stratum"].get<std::uint16_t>();
    http_port = ev["http"].get<std::uint16_t>();
  }
  Child& child() { return *child_; }
  std::vector<nlohmann::json> events() const {
    std::vector<nlohmann::json> out;
    std::istringstream is(child_->out());
    for (std::string line; std::getline(is, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded()) out.push_back(j);
    }
    return out;
  }
  std::size_t count_events(const std::string& name, const std::string& key = {}, const std::string& value = {}) const {
    std::size_t n = 0;
    for (const auto& e : events())
      if (e.value("event", "") == name && (key.empty() || (e.contains(key) && e[key] == value))) ++n;
    return n;
  }
  nlohmann::json stats() const {
    auto r = http_get(http_port, "/stats");
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
  }
  std::uint16_t stratum_port = 0, http_port = 0;

 private:
  TempDir dir_;
  std::unique_ptr<Child> child_;
};

inline nlohmann::json login_request(int id, const std::string& wallet, const std::string& rigid = "") {
  nlohmann::json params{{"login", wallet},
                        {"pass", "x"},
                        {"agent", "XMRig/6.22.2 (Linux x86_64) libuv/1.43.0 gcc/11.4.0"},
                        {"algo", {"rx/0", "cn/2", "cn/r"}}};
  if (!rigid.empty()) params["rigid"] = rigid;
  return {{"id", id}, {"jsonrpc", "2.0"}, {"method", "login"}, {"params", params}};
}

}  // namespace testutil
