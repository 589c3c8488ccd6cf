#include "steps/context.h"

namespace labctl {

std::string Context::expand(const std::string& text) const {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "${") == 0) {
      auto end = text.find('}', i + 2);
      if (end != std::string::npos) {
        auto it = vars.find(text.substr(i + 2, end - i - 2));
        if (it != vars.end()) {
          out += it->second;
          i = end + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace labctl
