// Reading a kubeconfig for the API client (cluster/api.h): current-context -> cluster + user,
// with kubectl's rules for relative paths. Anything kubectl would do differently from a plain
// TLS request (plugins, proxies, impersonation, conflicting settings it rejects) becomes
// ApiConfig::unsupported, so the caller leaves those calls to kubectl.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cluster/api.h"
#include "cluster/environment.h"

namespace labctl::cluster {
namespace fs = std::filesystem;
namespace {

std::string where(const std::string& file, const YAML::Node& n) {
  const auto m = n.Mark();
  if (m.is_null()) return file;
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

Error error_at(const std::string& file, const YAML::Node& n, const std::string& msg) {
  return Error{where(file, n) + ": " + msg, "check the kubeconfig with: kubectl --kubeconfig " + file + " config view"};
}

// Standard base64 with optional padding and line breaks, as kubeconfig *-data fields use.
std::optional<std::string> base64_decode(const std::string& in) {
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char ch : in) {
    unsigned v;
    if (ch >= 'A' && ch <= 'Z') v = static_cast<unsigned>(ch - 'A');
    else if (ch >= 'a' && ch <= 'z') v = static_cast<unsigned>(ch - 'a' + 26);
    else if (ch >= '0' && ch <= '9') v = static_cast<unsigned>(ch - '0' + 52);
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else if (ch == '=' || std::isspace(static_cast<unsigned char>(ch))) continue;
    else return std::nullopt;
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The entry of a named list (`clusters`, `users`, `contexts`) called `name`, or an undefined node.
YAML::Node find_named(const YAML::Node& root, const char* list, const std::string& name) {
  // A missing key gives an invalid node that throws on most calls; `!` is safe on it.
  const YAML::Node items = root[list];
  if (items && items.IsSequence())
    for (const auto& item : items)
      if (item.IsMap() && item["name"] && item["name"].as<std::string>("") == name) return item;
  return YAML::Node(YAML::NodeType::Undefined);
}

struct Loader {
  std::string file;
  fs::path dir;
  ApiConfig& cfg;

  void unsupported(const std::string& why) {
    if (cfg.unsupported.empty()) cfg.unsupported = why;
  }

  // `key` (a file, relative to the kubeconfig) or `key-data` (base64) into pem; file_out keeps the name.
  Result<Unit> pem(const YAML::Node& m, const std::string& key, std::string& pem_out, std::string& file_out) {
    const YAML::Node f = m[key], d = m[key + "-data"];
    if (f && d) {
      unsupported("both " + key + " and " + key + "-data are set (kubectl rejects or overrides that)");
      return Unit{};
    }
    if (d) {
      auto bytes = base64_decode(d.as<std::string>(""));
      if (!bytes || bytes->empty()) return error_at(file, d, key + "-data is not base64");
      pem_out = *bytes;
    } else if (f) {
      fs::path p = f.as<std::string>("");
      if (p.is_relative()) p = dir / p;
      // Read once, here: a missing file shows up when the client is built, not at every poll.
      auto bytes = read_file(p);
      if (!bytes) return error_at(file, f, key + " " + p.string() + " cannot be read");
      pem_out = *bytes;
      file_out = p.string();
    }
    return Unit{};
  }

  Result<Unit> cluster(const YAML::Node& c) {
    static const std::set<std::string> known = {"server", "certificate-authority", "certificate-authority-data",
                                                "insecure-skip-tls-verify", "disable-compression", "extensions"};
    for (const auto& kv : c) {
      auto k = kv.first.as<std::string>("");
      if (k == "proxy-url") unsupported("cluster proxy-url is set (kubectl goes through that proxy)");
      else if (k == "tls-server-name") unsupported("cluster tls-server-name is set");
      else if (!known.count(k)) unsupported("cluster key '" + k + "' is not understood by labctl's API client");
    }
    if (!c["server"] || c["server"].as<std::string>("").empty()) return error_at(file, c, "the cluster has no server");
    cfg.server = c["server"].as<std::string>();
    while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
    if (cfg.server.rfind("https://", 0) != 0 && cfg.server.rfind("http://", 0) != 0)
      unsupported("server '" + cfg.server + "' is not an http(s) URL");
    if (auto r = pem(c, "certificate-authority", cfg.ca_pem, cfg.ca_file); !r) return r.error();
    cfg.insecure = c["insecure-skip-tls-verify"] && c["insecure-skip-tls-verify"].as<bool>(false);
    if (cfg.insecure && !cfg.ca_pem.empty())
      unsupported("insecure-skip-tls-verify together with a certificate-authority (kubectl rejects that)");
    return Unit{};
  }

  Result<Unit> user(const YAML::Node& u) {
    static const std::set<std::string> known = {"client-certificate", "client-certificate-data", "client-key",
                                                "client-key-data", "token", "tokenFile", "extensions"};
    for (const auto& kv : u) {
      auto k = kv.first.as<std::string>("");
      if (k == "exec") unsupported("the user authenticates with an exec plugin (" + u["exec"]["command"].as<std::string>("?") + ")");
      else if (k == "auth-provider") unsupported("the user authenticates with an auth-provider plugin");
      else if (k == "username" || k == "password") unsupported("the user authenticates with basic auth");
      else if (k == "as" || k.rfind("as-", 0) == 0) unsupported("the user impersonates (" + k + ")");
      else if (!known.count(k)) unsupported("user key '" + k + "' is not understood by labctl's API client");
    }
    if (auto r = pem(u, "client-certificate", cfg.cert_pem, cfg.cert_file); !r) return r.error();
    if (auto r = pem(u, "client-key", cfg.key_pem, cfg.key_file); !r) return r.error();
    if (cfg.cert_pem.empty() != cfg.key_pem.empty()) unsupported("a client certificate without its key (or a key without its certificate)");
    cfg.token = u["token"].as<std::string>("");
    if (u["tokenFile"]) {
      fs::path p = u["tokenFile"].as<std::string>("");
      if (p.is_relative()) p = dir / p;
      cfg.token_file = p.string();
      if (!cfg.token.empty()) unsupported("both token and tokenFile are set (which wins depends on client-go's refresh)");
      if (!read_file(p)) return error_at(file, u["tokenFile"], "tokenFile " + p.string() + " cannot be read");
    }
    return Unit{};
  }
};

std::string default_kubeconfig(const EnvLookup& env) {
  auto list = env("KUBECONFIG");
  if (!list.empty()) return list;
  auto home = env("HOME");
  return home.empty() ? std::string() : home + "/.kube/config";
}

}  // namespace

Result<ApiConfig> load_kubeconfig(const std::string& path, const EnvLookup& env_in) {
  EnvLookup env = env_in ? env_in : EnvLookup([](const char* n) { return getenv_or(n); });
  ApiConfig cfg;
  cfg.source = path.empty() ? default_kubeconfig(env) : path;
  if (cfg.source.empty()) return Error{"no kubeconfig: neither $KUBECONFIG nor $HOME is set", ""};
  if (cfg.source.find(':') != std::string::npos) {
    // kubectl merges a $KUBECONFIG list with rules of its own; not worth reproducing.
    cfg.unsupported = "$KUBECONFIG lists several files (" + cfg.source + ")";
    return cfg;
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(cfg.source);
  } catch (const YAML::BadFile&) {
    return Error{"cannot read kubeconfig " + cfg.source, "pass --kubeconfig FILE"};
  } catch (const YAML::Exception& e) {
    return Error{cfg.source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg, ""};
  }
  Loader l{cfg.source, fs::absolute(cfg.source).parent_path(), cfg};
  try {
    if (!root.IsMap()) return error_at(cfg.source, root, "not a kubeconfig (expected a mapping)");
    const YAML::Node current = root["current-context"];
    const auto name = current ? current.as<std::string>("") : "";
    if (name.empty()) return error_at(cfg.source, root, "no current-context");
    const YAML::Node ctx = find_named(root, "contexts", name);
    if (!ctx) return error_at(cfg.source, current, "current-context '" + name + "' names no entry in contexts");
    const YAML::Node body = ctx["context"];
    if (!body || !body.IsMap()) return error_at(cfg.source, ctx, "context '" + name + "' has no context: mapping");
    const auto cluster_name = body["cluster"].as<std::string>("");
    const YAML::Node cluster = find_named(root, "clusters", cluster_name);
    if (!cluster || !cluster["cluster"] || !cluster["cluster"].IsMap())
      return error_at(cfg.source, body, "context '" + name + "' names cluster '" + cluster_name + "', which is not in clusters");
    if (auto r = l.cluster(cluster["cluster"]); !r) return r.error();
    const auto user_name = body["user"].as<std::string>("");
    if (!user_name.empty()) {
      const YAML::Node user = find_named(root, "users", user_name);
      if (!user) return error_at(cfg.source, body["user"], "context '" + name + "' names user '" + user_name + "', which is not in users");
      if (user["user"] && user["user"].IsMap())
        if (auto r = l.user(user["user"]); !r) return r.error();
    }
  } catch (const YAML::Exception& e) {
    // A shape yaml-cpp could not walk (e.g. a scalar where a mapping belongs); no position then.
    return Error{cfg.source + (e.mark.is_null() ? "" : ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1)) +
                     ": " + e.msg, "check the kubeconfig with: kubectl --kubeconfig " + cfg.source + " config view"};
  }
  if (cfg.unsupported.empty()) cfg.unsupported = proxy_reason(cfg.server, env);
  return cfg;
}

std::string proxy_reason(const std::string& server, const EnvLookup& env) {
  const bool https = server.rfind("https://", 0) == 0;
  const char* upper = https ? "HTTPS_PROXY" : "HTTP_PROXY";
  std::string proxy = env(upper);
  if (proxy.empty()) proxy = env(https ? "https_proxy" : "http_proxy");
  if (proxy.empty()) return {};
  // Host part of scheme://host[:port][/...], lowercased; [v6] keeps its brackets off.
  std::string host = server.substr(server.find("://") + 3);
  host = host.substr(0, host.find('/'));
  if (!host.empty() && host[0] == '[') host = host.substr(1, host.find(']') - 1);
  else host = host.substr(0, host.find(':'));
  for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // Go never proxies loopback.
  if (host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0) return {};
  std::string no_proxy = env("NO_PROXY");
  if (no_proxy.empty()) no_proxy = env("no_proxy");
  std::istringstream in(no_proxy);
  std::string entry;
  while (std::getline(in, entry, ',')) {
    entry.erase(0, entry.find_first_not_of(' '));
    entry.erase(entry.find_last_not_of(' ') + 1);
    for (auto& ch : entry) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (entry == "*") return {};
    if (!entry.empty() && entry[0] == '.') entry.erase(0, 1);
    if (entry.empty()) continue;
    if (host == entry) return {};
    if (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.')
      return {};
  }
  return std::string(upper) + " is set and NO_PROXY does not name " + host + " (kubectl would use the proxy)";
}

}  // namespace labctl::cluster
