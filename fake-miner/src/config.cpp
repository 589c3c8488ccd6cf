// Config loading and validation: see config.hpp.
#include "config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fakeminer {

using json = nlohmann::json;

std::pair<std::size_t, std::size_t> line_col(const std::string& text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

namespace {
// Typed field readers: a wrong type is an error naming the field; null means "default".
template <typename T>
void read(const json& obj, const char* key, T& out, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    throw UserError(where + ": \"" + key + "\" has the wrong type (" + it->type_name() + ")");
  }
}
}  // namespace

MinerConfig parse_config(const std::string& text, const std::string& name) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, col] = line_col(text, e.byte);
    throw UserError(name + ":" + std::to_string(line) + ":" + std::to_string(col) + ": JSON parse error at byte " +
                    std::to_string(e.byte) + ": " + e.what());
  }
  if (!j.is_object()) throw UserError(name + ": top level must be a JSON object");
  MinerConfig cfg;
  cfg.source = name;
  read(j, "print-time", cfg.print_time, name);
  read(j, "retries", cfg.retries, name);
  read(j, "retry-pause", cfg.retry_pause, name);
  read(j, "donate-level", cfg.donate_level, name);
  if (auto it = j.find("pools"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw UserError(name + ": \"pools\" must be an array");
    std::size_t i = 0;
    for (const auto& p : *it) {
      const std::string where = name + ": pools[" + std::to_string(i++) + "]";
      if (!p.is_object()) throw UserError(where + " must be an object");
      PoolConfig pc;
      read(p, "url", pc.url, where);
      read(p, "user", pc.user, where);
      read(p, "pass", pc.pass, where);
      read(p, "rig-id", pc.rig_id, where);
      read(p, "keepalive", pc.keepalive, where);
      read(p, "enabled", pc.enabled, where);
      read(p, "tls", pc.tls, where);
      if (auto a = p.find("algo"); a != p.end() && !a->is_null()) {
        if (!a->is_string()) throw UserError(where + ": \"algo\" must be a string or null");
        pc.algo = a->get<std::string>();
      }
      cfg.pools.push_back(std::move(pc));
    }
  }
  if (cfg.print_time < 0 || cfg.retries < 0 || cfg.retry_pause < 0)
    throw UserError(name + ": print-time, retries and retry-pause must not be negative");
  return cfg;
}

MinerConfig load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

std::optional<std::string> find_default_config(const std::string& exe_dir, const std::string& cwd) {
  for (const auto& dir : {exe_dir, cwd}) {
    if (dir.empty()) continue;
    std::string p = dir + "/config.json";
    if (std::ifstream(p)) return p;
  }
  return std::nullopt;
}

bool is_lab_host(const std::string& host_in, const std::vector<std::string>& allowed) {
  std::string host = host_in;
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return false;
  auto ends_with = [&](const std::string& suffix) {
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (std::string a : allowed) {
    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
    if (host == a || (a.size() > 1 && a.front() == '.' && ends_with(a))) return true;
  }
  if (host == "localhost" || ends_with(".localhost")) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  for (const char* s : {".test", ".svc", ".cluster.local", ".local", ".lab"})
    if (ends_with(s)) return true;
  return false;
}

void validate(MinerConfig& cfg) {
  std::vector<PoolConfig> enabled;
  for (auto& p : cfg.pools) {
    if (!p.enabled) continue;
    std::string why;
    auto u = stratum::parse_url(p.url, &why);
    if (!u) throw UserError("invalid pool URL \"" + p.url + "\": " + why);
    if (u->scheme != stratum::PoolUrl::Scheme::stratum)
      throw UserError("pool URL \"" + p.url + "\": daemon and socks5 modes are not supported by fake-miner");
    if (u->tls || p.tls)
      throw UserError("pool URL \"" + p.url + "\": TLS is not supported by fake-miner (use stratum+tcp://)");
    if (!is_lab_host(u->host, cfg.allow_pool_hosts))
      throw UserError("refusing pool host \"" + u->host +
                      "\": not a lab name. fake-miner only connects to loopback, *.test, *.svc, "
                      "*.cluster.local, *.local and *.lab hosts (or hosts passed with --allow-pool-host), "
                      "so it can never mine against a real pool");
    p.parsed = *u;
    enabled.push_back(p);
  }
  if (enabled.empty()) throw UserError("no enabled pool configured: pass -o URL or provide config.json with pools[]");
  cfg.pools = std::move(enabled);
  if (cfg.cpu_millicores < 1 || cfg.cpu_millicores > 64000) throw UserError("--cpu-millicores must be within 1..64000");
}

}  // namespace fakeminer
