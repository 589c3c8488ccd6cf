// fake-miner's program flow: CLI + config.json -> validated config -> masquerade -> run until a
// signal. User errors (bad URL, non-lab host, bad JSON) print one line and exit 2.
#include <utility>  // before Boost.Asio (see miner.cpp)

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "config.hpp"
#include "masquerade.hpp"
#include "miner.hpp"

namespace fakeminer {

namespace {
std::string exe_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

void banner(Log& log, const MinerConfig& cfg) {
  auto row = [&](const std::string& k, const std::string& v) {
    std::string key = k;
    key.resize(13, ' ');
    log.raw(" * " + key + v);
  };
  row("ABOUT", std::string("XMRig/") + kXmrigVersion + " gcc/12.2.0");
  row("LIBS", "libuv/1.43.0 OpenSSL/3.0.11 hwloc/2.9.0");
  row("CPU", "threads " + std::to_string((cfg.cpu_millicores + 999) / 1000) + " (" +
                 std::to_string(cfg.cpu_millicores) + "m)");
  row("DONATE", std::to_string(cfg.donate_level) + "%");
  for (std::size_t i = 0; i < cfg.pools.size(); ++i)
    row("POOL #" + std::to_string(i + 1),
        cfg.pools[i].parsed.endpoint() + " algo " + (cfg.pools[i].algo ? *cfg.pools[i].algo : "auto"));
  row("COMMANDS", "hashrate, pause, resume, results, connection");
}
}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"fake-miner: a harmless mock of xmrig 6.22.2 for the labctl cryptojacking lab"};
  app.set_version_flag("--version", std::string("fake-miner ") + LABCTL_VERSION + " (mimics XMRig/" + kXmrigVersion + ")");
  std::string config_path, url, user, pass, rig_id, algo, process_name;
  int cpu = 1000, print_time = 60, retry_pause = 5, connect_timeout = 10, keepalive_interval = 60;
  bool keepalive = false, talk_log = false, burn = false;
  std::vector<std::string> allow;
  auto* o_config = app.add_option("-c,--config", config_path, "xmrig-style config.json (default: next to the binary, then ./config.json)");
  auto* o_url = app.add_option("-o,--url", url, "Pool URL, e.g. stratum+tcp://pool.supportxmr.test:3333");
  auto* o_user = app.add_option("-u,--user", user, "Wallet / login");
  auto* o_pass = app.add_option("-p,--pass", pass, "Pool password");
  auto* o_rig = app.add_option("--rig-id", rig_id, "Rig identifier sent as rigid");
  auto* o_algo = app.add_option("-a,--algo", algo, "Algorithm, e.g. rx/0");
  auto* o_keep = app.add_flag("-k,--keepalive", keepalive, "Send keepalived to the pool");
  auto* o_cpu = app.add_option("--cpu-millicores", cpu, "CPU to burn while mining, in millicores")->check(CLI::Range(1, 64000));
  app.add_option("--process-name", process_name, "Masquerade as this process name (comm and argv[0])");
  auto* o_print = app.add_option("--print-time", print_time, "Seconds between hashrate reports")->check(CLI::Range(0, 86400));
  auto* o_retry = app.add_option("--retry-pause", retry_pause, "Seconds between reconnect attempts")->check(CLI::Range(0, 3600));
  app.add_option("--connect-timeout", connect_timeout, "Seconds before a connect attempt is a timeout")->check(CLI::Range(1, 600));
  app.add_option("--keepalive-interval", keepalive_interval, "Seconds of silence before keepalived (xmrig: 60)")->check(CLI::Range(1, 3600));
  app.add_flag("--talk-log", talk_log, "Also print 'miner speed=<H> H/s shares=<a>/<t>' each print-time");
  app.add_option("--allow-pool-host", allow, "Extra allowed pool host (exact, or .suffix); repeatable");
  app.add_flag("--burn-without-pool", burn, "Burn CPU even with no pool connection");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  MinerConfig cfg;
  try {
    std::optional<std::string> path;
    if (o_config->count()) path = config_path;
    else path = find_default_config(exe_dir(), std::filesystem::current_path().string());
    if (path) cfg = load_config_file(*path);
    // CLI overrides config: -o replaces the pool list with one pool; the other pool options
    // then apply to every pool.
    if (o_url->count()) {
      PoolConfig p;
      p.url = url;
      cfg.pools = {p};
    }
    for (auto& p : cfg.pools) {
      if (o_user->count()) p.user = user;
      if (o_pass->count()) p.pass = pass;
      if (o_rig->count()) p.rig_id = rig_id;
      if (o_algo->count()) p.algo = algo;
      if (o_keep->count()) p.keepalive = keepalive;
    }
    if (o_print->count()) cfg.print_time = print_time;
    if (o_retry->count()) cfg.retry_pause = retry_pause;
    if (o_cpu->count() || !path) cfg.cpu_millicores = cpu;
    cfg.connect_timeout = connect_timeout;
    cfg.keepalive_interval = keepalive_interval;
    cfg.process_name = process_name;
    cfg.talk_log = talk_log;
    cfg.burn_without_pool = burn;
    cfg.allow_pool_hosts = allow;
    validate(cfg);
  } catch (const UserError& e) {
    std::cerr << "fake-miner: " << e.what() << "\n";
    return 2;
  }

  if (!cfg.process_name.empty()) masquerade(cfg.process_name, argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, nullptr, _IOLBF, 0);

  boost::asio::io_context io(1);
  Log log(stdout);
  banner(log, cfg);
  Miner miner(io, cfg, log);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    miner.stop();
    io.stop();
  });
  miner.start();
  io.run();
  miner.stop();
  return 0;
}

}  // namespace fakeminer
