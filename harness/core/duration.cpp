#include "core/duration.h"

#include <cctype>
#include <cstdio>

namespace labctl {

std::optional<Millis> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  long long total = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    long long n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      n = n * 10 + (s[i] - '0');
      if (n > 1'000'000'000) return std::nullopt;
      ++i;
    }
    std::string_view unit;
    size_t j = i;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
    unit = s.substr(i, j - i);
    i = j;
    if (unit == "ms") total += n;
    else if (unit == "s") total += n * 1000;
    else if (unit == "m") total += n * 60'000;
    else if (unit == "h") total += n * 3'600'000;
    else return std::nullopt;
  }
  return Millis(total);
}

std::string format_duration(Millis d) {
  char buf[32];
  auto ms = d.count();
  if (ms < 1000) std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  else if (ms < 60'000) std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
  else std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                     static_cast<long long>((ms % 60'000) / 1000));
  return buf;
}

std::string format_seconds(Millis d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace labctl
