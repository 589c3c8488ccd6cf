// fake-miner configuration: xmrig-style config.json (pools[], print-time, retries, retry-pause,
// donate-level), CLI overrides, and validation (URL forms, lab-only hosts). Every problem is a
// UserError whose text is what the user sees; main turns it into exit code 2.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "url.hpp"

namespace fakeminer {

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PoolConfig {
  std::string url;
  std::string user = "x";  // xmrig's kDefaultUser / kDefaultPassword (CASES 6)
  std::string pass = "x";
  std::string rig_id;
  std::optional<std::string> algo;  // null like xmrig: then the job must name its algorithm
  bool keepalive = false;
  bool enabled = true;
  bool tls = false;
  stratum::PoolUrl parsed;  // filled by validate()
};

struct MinerConfig {
  std::vector<PoolConfig> pools;
  int print_time = 60;
  int retries = 5;
  int retry_pause = 5;
  int donate_level = 1;  // read for fidelity; the mock never donates anywhere
  int cpu_millicores = 1000;
  int connect_timeout = 10;
  int keepalive_interval = 60;  // xmrig's Pool::kKeepAliveTimeout; shorter only for tests
  std::string process_name;
  bool talk_log = false;
  bool burn_without_pool = false;
  std::vector<std::string> allow_pool_hosts;
  std::string source;  // config file path actually loaded, empty if none
};

// Parses config.json text; `name` prefixes messages ("config.json:3:14: ...").
MinerConfig parse_config(const std::string& text, const std::string& name);
MinerConfig load_config_file(const std::string& path);
// xmrig's lookup when no --config is given: next to the executable, then the working directory.
std::optional<std::string> find_default_config(const std::string& exe_dir, const std::string& cwd);
// Line and column (1-based) of a byte offset, for nlohmann's parse_error::byte.
std::pair<std::size_t, std::size_t> line_col(const std::string& text, std::size_t byte);

// Checks URLs, TLS/daemon/socks5 (unsupported by the mock) and the lab-host rule; fills parsed.
// Throws UserError. Disabled pools are dropped; at least one pool must remain.
void validate(MinerConfig& cfg);

// The harmless-by-construction rule: loopback names/IPs, *.test, *.svc, *.cluster.local,
// *.local, *.lab, or an --allow-pool-host entry (exact, or a suffix when it starts with '.').
bool is_lab_host(const std::string& host, const std::vector<std::string>& allowed);

}  // namespace fakeminer
