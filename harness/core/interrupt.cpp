#include "core/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

namespace labctl::interrupt {
namespace {
std::atomic<bool> g_requested{false};
std::atomic<bool> g_cleaning{false};

void on_signal(int) {
  if (g_requested.exchange(true) && g_cleaning.load()) {
    static const char msg[] = "\nlabctl: second interrupt during cleanup, leaving objects behind (labctl.dev/run label)\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(130);
  }
}
}  // namespace

void install() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool requested() { return g_requested.load(); }
void request() { g_requested = true; }
void reset() { g_requested = false; }
void set_cleaning(bool on) { g_cleaning = on; }

bool sleep_for(Millis d) {
  auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (requested()) return false;
    std::this_thread::sleep_for(std::min<Millis>(Millis(100), std::chrono::duration_cast<Millis>(end - std::chrono::steady_clock::now()) + Millis(1)));
  }
  return !requested();
}

}  // namespace labctl::interrupt
