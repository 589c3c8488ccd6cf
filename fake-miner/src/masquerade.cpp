// Masquerade: see masquerade.hpp.
#include "masquerade.hpp"

#include <sys/prctl.h>

#include <cstring>

namespace fakeminer {

void masquerade(const std::string& name, int argc, char** argv) {
  // comm holds 15 characters plus NUL; the kernel truncates longer names itself.
  prctl(PR_SET_NAME, name.c_str(), 0, 0, 0);
  if (argc < 1 || !argv || !argv[0]) return;
  // The argument strings are contiguous; overwrite all of them so nothing of the real command
  // line remains, and keep the area's size (we cannot grow it without CAP_SYS_RESOURCE).
  char* begin = argv[0];
  char* end = argv[argc - 1] + std::strlen(argv[argc - 1]);
  const std::size_t room = static_cast<std::size_t>(end - begin);
  std::memset(begin, 0, room);
  std::memcpy(begin, name.data(), std::min(room, name.size()));
  for (int i = 1; i < argc; ++i) argv[i] = end;  // empty strings; nobody should read them now
}

}  // namespace fakeminer
