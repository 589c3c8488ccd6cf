// fake-pool's program flow: parse the CLI, raise the fd limit, run the server until a signal.
#include <utility>  // before Boost.Asio (see server.cpp)

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <csignal>
#include <iostream>

#include "pool.hpp"

namespace fakepool {

namespace {
// --max-connections 1024 plus listeners and HTTP clients exceeds the usual soft limit of 1024;
// the hard limit is what the container runtime grants us, so take all of it.
void raise_nofile_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}
}  // namespace

int run(int argc, char** argv) {
  Options o;
  CLI::App app{"fake-pool: a mock Monero stratum pool for the labctl cryptojacking lab (never a real pool)"};
  app.set_version_flag("--version", std::string("fake-pool ") + LABCTL_VERSION);
  app.add_option("--listen", o.listen, "Address to listen on")->capture_default_str();
  app.add_option("--port", o.port, "Stratum TCP port (0 = any free port)")->capture_default_str();
  app.add_option("--http-port", o.http_port, "HTTP port for /healthz, /stats, /metrics (0 = any)")->capture_default_str();
  app.add_option("--difficulty", o.difficulty, "Share difficulty of every job")->check(CLI::Range(1, 1 << 30))->capture_default_str();
  app.add_option("--job-interval", o.job_interval, "Seconds between pushed jobs")->check(CLI::Range(1, 86400))->capture_default_str();
  app.add_option("--max-connections", o.max_connections, "Concurrent stratum connections")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--max-line", o.max_line, "Longest accepted JSON-RPC line in bytes")->check(CLI::Range(256, 1 << 24))->capture_default_str();
  app.add_option("--idle-timeout", o.idle_timeout, "Seconds a logged-in miner may stay silent")->check(CLI::Range(1, 86400))->capture_default_str();
  app.add_option("--login-timeout", o.login_timeout, "Seconds from connect to successful login")->check(CLI::Range(1, 3600))->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout pipe must not kill the pool mid-write
  setvbuf(stdout, nullptr, _IOLBF, 0);
  raise_nofile_limit();

  boost::asio::io_context io(1);
  EventLog log(stdout);
  Server server(io, o, log);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "fake-pool: " << e.what() << "\n";
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    log.emit("shutdown", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    server.stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace fakepool
