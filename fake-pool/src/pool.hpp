// fake-pool's library: options, the JSON-lines evidence log, share statistics and the server
// (stratum on one port, HTTP /healthz /stats /metrics on another), all on one io_context thread.
#pragma once
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace fakepool {

struct Options {
  std::string listen = "0.0.0.0";
  std::uint16_t port = 3333;       // 0 picks a free port (reported in the "listening" event)
  std::uint16_t http_port = 8080;  // 0 picks a free port
  std::uint64_t difficulty = 5000;
  unsigned job_interval = 30;      // seconds between pushed jobs
  std::size_t max_connections = 1024;
  std::size_t max_line = 16384;    // bytes per JSON-RPC line
  unsigned idle_timeout = 600;     // seconds without a line from a logged-in miner
  unsigned login_timeout = 10;     // seconds from connect until a successful login
};

// One JSON object per line, flushed per line, so `kubectl logs` and tests see events at once.
class EventLog {
 public:
  explicit EventLog(std::FILE* out) : out_(out) {}
  void emit(std::string_view event, const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());

 private:
  std::FILE* out_;
  std::mutex mu_;  // the server is single-threaded; the mutex only guards embedding in tests
};

struct ShareCount {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
};

class Stats {
 public:
  void record_share(const std::string& worker, const std::string& remote_ip, bool accepted);
  void set_miners_online(std::size_t n) { miners_online_ = n; }
  nlohmann::json to_json() const;
  std::string to_prometheus() const;

 private:
  struct Worker {
    ShareCount count;
    std::string last_share;
    std::string remote;
  };
  std::size_t miners_online_ = 0;
  ShareCount total_;
  std::map<std::string, Worker> workers_;
  std::map<std::string, ShareCount> remotes_;
  std::optional<std::string> last_share_;
  double last_share_unix_ = 0;
};

class Server {
 public:
  Server(boost::asio::io_context& io, Options opts, EventLog& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Binds both ports and starts accepting; throws std::runtime_error when a bind fails.
  void start();
  // Closes listeners and every connection; io_context.run() then returns.
  void stop();
  std::uint16_t stratum_port() const;
  std::uint16_t http_port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The whole program behind main(): parse CLI, run until SIGTERM/SIGINT. Returns the exit code.
int run(int argc, char** argv);

}  // namespace fakepool
