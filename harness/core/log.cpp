// Logs go to stderr, prefixed by level, so stdout stays clean for --output json.
#include "core/log.h"

#include <atomic>
#include <iostream>
#include <mutex>

namespace labctl::log {
namespace {
std::atomic<int> g_verbosity{0};
std::mutex g_mu;
}  // namespace

void set_verbosity(int v) { g_verbosity = v; }

bool enabled(Level l) {
  switch (l) {
    case Level::error:
    case Level::warn:
    case Level::hint: return true;
    case Level::info: return g_verbosity >= 1;
    case Level::debug: return g_verbosity >= 2;
  }
  return false;
}

void write(Level l, std::string_view msg) {
  if (!enabled(l)) return;
  static constexpr const char* prefix[] = {"error: ", "warning: ", "hint: ", "", "debug: "};
  std::lock_guard lock(g_mu);
  std::cerr << prefix[static_cast<int>(l)] << msg << '\n';
}

}  // namespace labctl::log
