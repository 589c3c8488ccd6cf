// Pool URL parsing with xmrig's rules (CASES 6, Url.cpp): accepted schemes, default port 3333,
// "[v6]:port" literals, anything else with "://" is invalid.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratum {

struct PoolUrl {
  enum class Scheme { stratum, daemon, socks5 };
  Scheme scheme = Scheme::stratum;
  std::string host;
  std::uint16_t port = 3333;
  bool tls = false;
  bool ipv6 = false;
  // "host:port" as xmrig prints it in log lines (IPv6 hosts bracketed).
  std::string endpoint() const;
};

inline constexpr std::uint16_t kDefaultPort = 3333;

// Empty optional for an invalid URL; `why` (if given) says what was wrong.
std::optional<PoolUrl> parse_url(std::string_view url, std::string* why = nullptr);

}  // namespace stratum
