// Process accounting read from /proc/<pid>: CPU seconds and resident memory. Shared by the
// workload tests (tests/stratum) and benchmarks (bench/stratum), which both link labctl_stratum,
// so the /proc/<pid>/stat field arithmetic lives in one place.
#pragma once
#include <sys/types.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace stratum::procfs {

inline std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// utime + stime (fields 14 and 15 of /proc/<pid>/stat) in seconds; -1 if the process is gone.
// The command name (field 2) may hold spaces and ')', so fields are counted after the last ')'.
inline double cpu_seconds(pid_t pid) {
  std::string stat = read("/proc/" + std::to_string(pid) + "/stat");
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream is(stat.substr(close_paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && is >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmRSS in KiB; -1 if the process is gone.
inline long rss_kib(pid_t pid) {
  std::istringstream is(read("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(is, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace stratum::procfs
