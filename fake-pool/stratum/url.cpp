// Pool URL parsing: see url.hpp.
#include "url.hpp"

#include <algorithm>
#include <cctype>

namespace stratum {

std::string PoolUrl::endpoint() const {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {
bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}
bool fail(std::string* why, std::string msg) {
  if (why) *why = std::move(msg);
  return false;
}
bool parse_port(std::string_view s, std::uint16_t& port, std::string* why) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail(why, "invalid port \"" + std::string(s) + "\"");
  unsigned long v = std::stoul(std::string(s));
  if (v == 0 || v > 65535) return fail(why, "port out of range: " + std::string(s));
  port = static_cast<std::uint16_t>(v);
  return true;
}
}  // namespace

std::optional<PoolUrl> parse_url(std::string_view url, std::string* why) {
  PoolUrl u;
  std::string_view rest = url;
  struct Prefix {
    std::string_view text;
    PoolUrl::Scheme scheme;
    bool tls;
  };
  static constexpr Prefix kPrefixes[] = {
      {"stratum+tcp://", PoolUrl::Scheme::stratum, false},
      {"stratum+ssl://", PoolUrl::Scheme::stratum, true},
      {"daemon+http://", PoolUrl::Scheme::daemon, false},
      {"daemon+https://", PoolUrl::Scheme::daemon, true},
      {"socks5://", PoolUrl::Scheme::socks5, false},
  };
  bool matched = false;
  for (const auto& p : kPrefixes) {
    if (starts_with_nocase(rest, p.text)) {
      u.scheme = p.scheme;
      u.tls = p.tls;
      rest.remove_prefix(p.text.size());
      matched = true;
      break;
    }
  }
  if (!matched && rest.find("://") != std::string_view::npos) {
    fail(why, "unsupported URL scheme in \"" + std::string(url) +
                  "\" (accepted: stratum+tcp://, stratum+ssl://, daemon+http(s)://, socks5://)");
    return std::nullopt;
  }
  // Daemon URLs may carry a path; the endpoint ends at the first '/'.
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  if (rest.empty()) {
    fail(why, "empty host in \"" + std::string(url) + "\"");
    return std::nullopt;
  }
  if (rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close == 1) {
      fail(why, "bad IPv6 literal in \"" + std::string(url) + "\"");
      return std::nullopt;
    }
    u.host = std::string(rest.substr(1, close - 1));
    u.ipv6 = true;
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || !parse_port(rest.substr(1), u.port, why)) {
        if (rest.front() != ':') fail(why, "junk after IPv6 literal in \"" + std::string(url) + "\"");
        return std::nullopt;
      }
    }
    return u;
  }
  auto colon = rest.find(':');
  u.host = std::string(rest.substr(0, colon));
  if (u.host.empty()) {
    fail(why, "empty host in \"" + std::string(url) + "\"");
    return std::nullopt;
  }
  if (colon != std::string_view::npos && !parse_port(rest.substr(colon + 1), u.port, why)) return std::nullopt;
  return u;
}

}  // namespace stratum
