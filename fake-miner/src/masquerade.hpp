// Process-name masquerade (episode 2: a miner that shows up as "kworker/u8:2").
#pragma once
#include <string>

namespace fakeminer {
// Sets the calling thread's comm (threads created later inherit it) and rewrites argv in place so
// /proc/<pid>/cmdline starts with `name`. Call after the arguments have been copied/parsed.
void masquerade(const std::string& name, int argc, char** argv);
}  // namespace fakeminer
