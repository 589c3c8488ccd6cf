// Small helpers shared by the stratum benchmarks: spawn a program with output to a file,
// read a process's CPU time and RSS from /proc, loopback sockets.
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "procfs.hpp"

namespace bench {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline std::string read_file(const std::string& p) { return stratum::procfs::read(p); }

inline pid_t spawn(std::vector<std::string> argv, const std::string& out, std::function<void()> pre = {}) {
  unlink(out.c_str());  // so nobody reads a previous run's output while the child starts
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    if (pre) pre();
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  return pid;
}

inline void stop(pid_t pid) {
  kill(pid, SIGTERM);
  int st;
  waitpid(pid, &st, 0);
}

inline bool wait_for(const std::function<bool()>& fn, std::chrono::milliseconds timeout) {
  const auto end = Clock::now() + timeout;
  while (Clock::now() < end) {
    if (fn()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return fn();
}

using stratum::procfs::cpu_seconds;
using stratum::procfs::rss_kib;

inline int connect_loopback(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

inline void pin_to_cpu0() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof set, &set);
}

}  // namespace bench
