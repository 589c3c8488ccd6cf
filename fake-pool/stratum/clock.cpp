// Timestamps: see clock.hpp.
#include "clock.hpp"

#include <cstdio>
#include <ctime>

namespace stratum {
namespace {
struct Parts {
  std::tm tm{};
  int ms = 0;
};
Parts split(SystemTime t, bool utc) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  Parts p;
  if (utc) gmtime_r(&secs, &p.tm);
  else localtime_r(&secs, &p.tm);
  p.ms = static_cast<int>(ms % 1000);
  return p;
}
}  // namespace
std::string iso8601_utc_ms(SystemTime t) {
  auto p = split(t, true);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", p.tm.tm_year + 1900, p.tm.tm_mon + 1,
                p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, p.ms);
  return buf;
}
std::string xmrig_timestamp(SystemTime t) {
  auto p = split(t, false);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", p.tm.tm_year + 1900, p.tm.tm_mon + 1,
                p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, p.ms);
  return buf;
}
}  // namespace stratum
