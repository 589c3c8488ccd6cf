// Timestamps in the two formats the lab's evidence uses.
#pragma once
#include <chrono>
#include <string>

namespace stratum {
using SystemTime = std::chrono::system_clock::time_point;
// "2026-06-02T10:00:00.123Z" (pool JSON events, /stats).
std::string iso8601_utc_ms(SystemTime t = std::chrono::system_clock::now());
// "2026-06-02 10:00:00.123" in local time, like xmrig's log prefix (UTC in containers).
std::string xmrig_timestamp(SystemTime t = std::chrono::system_clock::now());
}  // namespace stratum
