// Hex helpers: see hex.hpp.
#include "hex.hpp"

namespace stratum {
namespace {
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr char kDigits[] = "0123456789abcdef";
}  // namespace

bool is_hex(std::string_view s) {
  if (s.empty() || s.size() % 2 != 0) return false;
  for (char c : s)
    if (nibble(c) < 0) return false;
  return true;
}

std::string to_hex(const std::uint8_t* data, std::size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xF]);
  }
  return out;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) { return to_hex(bytes.data(), bytes.size()); }

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string le_hex(std::uint64_t v, int bytes) {
  std::uint8_t b[8];
  for (int i = 0; i < bytes && i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return to_hex(b, static_cast<std::size_t>(bytes));
}

std::optional<std::uint64_t> parse_le_hex(std::string_view s) {
  if (s.size() > 16) return std::nullopt;
  auto bytes = from_hex(s);
  if (!bytes || bytes->empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes->size(); ++i) v |= std::uint64_t{(*bytes)[i]} << (8 * i);
  return v;
}

}  // namespace stratum
