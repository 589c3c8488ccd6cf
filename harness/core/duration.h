// Durations as written in scenarios ("500ms", "3s", "2m", "1m30s") and printed back.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace labctl {

using Millis = std::chrono::milliseconds;

std::optional<Millis> parse_duration(std::string_view text);
std::string format_duration(Millis d);  // "1.2s", "350ms", "2m05s"
std::string format_seconds(Millis d);   // "1.23" (for JUnit/JSON)

}  // namespace labctl
