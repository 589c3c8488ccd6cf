// Diagnostic logging. Levels, in meaning:
//   error: labctl could not do what was asked; always followed by a non-zero exit.
//   warn:  something looks wrong but the run continues (e.g. a kept namespace is reused).
//   hint:  follows an error or warning with the concrete fix; always shown with its parent.
//   info:  what labctl is doing at a coarse grain (shown with -v).
//   debug: every command, its output and timings (shown with -vv).
// User-facing status lines (narration, ✓/✗ per step, spinners) are not logs: see report/console.
#pragma once

#include <string_view>

namespace labctl::log {

enum class Level { error = 0, warn = 1, hint = 2, info = 3, debug = 4 };

void set_verbosity(int v);  // 0: error/warn/hint, 1: +info, 2: +debug
bool enabled(Level l);
void write(Level l, std::string_view msg);

inline void error(std::string_view m) { write(Level::error, m); }
inline void warn(std::string_view m) { write(Level::warn, m); }
inline void hint(std::string_view m) { write(Level::hint, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void debug(std::string_view m) { write(Level::debug, m); }

}  // namespace labctl::log
