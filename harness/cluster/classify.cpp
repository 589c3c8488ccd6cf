#include "cluster/classify.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <sstream>

namespace labctl::cluster {

const char* to_string(Egress e) {
  switch (e) {
    case Egress::success: return "success";
    case Egress::timeout: return "timeout";
    case Egress::refused: return "refused";
    case Egress::dns_failure: return "dns-failure";
    case Egress::other: return "other";
  }
  return "other";
}

std::optional<Egress> egress_from_string(const std::string& s) {
  for (auto e : {Egress::success, Egress::timeout, Egress::refused, Egress::dns_failure})
    if (s == to_string(e)) return e;
  return std::nullopt;
}

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

Egress classify_egress(int exit_code, const std::string& out, const std::string& err, Millis elapsed, Millis probe_timeout) {
  if (exit_code == 0) return Egress::success;
  const std::string text = lower(err + "\n" + out);
  if (text.find("bad address") != std::string::npos || text.find("unknown host") != std::string::npos ||
      text.find("name or service not known") != std::string::npos || text.find("getaddrinfo") != std::string::npos ||
      text.find("could not resolve") != std::string::npos)
    return Egress::dns_failure;
  if (text.find("refused") != std::string::npos) return Egress::refused;
  if (text.find("timed out") != std::string::npos || text.find("timeout") != std::string::npos)
    return Egress::timeout;
  // Some probes die silently at their deadline; allow a little scheduling slack.
  if (probe_timeout.count() > 0 && elapsed + Millis(300) >= probe_timeout) return Egress::timeout;
  return Egress::other;
}

std::string kubectl_error(const std::string& err) {
  static const std::regex klog(R"(^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]]*\] ?(.*)$)");
  std::istringstream in(err);
  std::string line, last_klog;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, klog)) {
      last_klog = m[1].str();
      continue;
    }
    auto b = line.find_first_not_of(" \t");
    if (b != std::string::npos) return line.substr(b);
  }
  if (last_klog.empty()) return {};
  // ... err="couldn't get current server API group list: Get \"https://...\": dial tcp ...: connect: connection refused"
  for (const char* cause : {"dial tcp", "tls:", "x509:", "net/http:"}) {
    auto at = last_klog.find(cause);
    if (at == std::string::npos) continue;
    auto cut = last_klog.substr(at);
    auto end = cut.find('"');
    return end == std::string::npos ? cut : cut.substr(0, end);
  }
  return last_klog;
}

bool is_ipv4(const std::string& s) {
  static const std::regex re(R"(^[0-9]{1,3}(\.[0-9]{1,3}){3}$)");
  return std::regex_match(s, re);
}

std::optional<std::string> nslookup_address(const std::string& out) {
  static const std::regex addr(R"(^Address:\s*([0-9]{1,3}(\.[0-9]{1,3}){3})\s*$)");
  auto name = out.find("\nName:");
  if (name == std::string::npos) return std::nullopt;
  std::istringstream in(out.substr(name + 1));
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, addr)) return m[1].str();
  }
  return std::nullopt;
}

std::optional<int> http_status(const std::string& text) {
  static const std::regex status(R"(HTTP/[0-9.]+ ([0-9]{3}))");
  std::optional<int> last;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), status); it != std::sregex_iterator(); ++it)
    last = std::stoi((*it)[1]);
  return last;
}

namespace {
bool split_quantity(const std::string& q, double& number, std::string& suffix) {
  static const std::regex re(R"(^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$)");
  std::smatch m;
  if (!std::regex_match(q, m, re)) return false;
  number = std::stod(m[1]);
  suffix = m[2];
  return true;
}
}  // namespace

std::optional<double> cpu_millicores(const std::string& q) {
  double n = 0;
  std::string s;
  if (!split_quantity(q, n, s)) return std::nullopt;
  if (s.empty()) return n * 1000.0;
  if (s == "m") return n;
  if (s == "u") return n / 1000.0;
  if (s == "n") return n / 1'000'000.0;
  return std::nullopt;
}

std::optional<double> memory_bytes(const std::string& q) {
  double n = 0;
  std::string s;
  if (!split_quantity(q, n, s)) return std::nullopt;
  static const std::pair<const char*, double> units[] = {
      {"", 1},           {"k", 1e3},        {"M", 1e6},          {"G", 1e9},           {"T", 1e12},
      {"Ki", 1024.0},    {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}};
  for (const auto& [u, f] : units)
    if (s == u) return n * f;
  return std::nullopt;
}

std::string format_cpu(double m) { return std::to_string(static_cast<long long>(std::llround(m))) + "m"; }

std::string format_memory(double b) {
  // Below 1Mi, Ki: the mock miners use a few hundred KiB and "0Mi" would hide that.
  if (b < 1048576.0) return std::to_string(static_cast<long long>(std::llround(b / 1024.0))) + "Ki";
  return std::to_string(static_cast<long long>(std::llround(b / 1048576.0))) + "Mi";
}

}  // namespace labctl::cluster
