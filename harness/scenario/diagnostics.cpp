#include "scenario/diagnostics.h"

#include <algorithm>

namespace labctl::scenario {

void Diagnostics::add(const YAML::Mark& m, std::string message, std::string hint) {
  Position p{file_, m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1};
  problems_.push_back({p, std::move(message), std::move(hint)});
}

void Diagnostics::add(const YAML::Node& n, std::string message, std::string hint) {
  add(n.IsDefined() ? n.Mark() : YAML::Mark::null_mark(), std::move(message), std::move(hint));
}

Position Diagnostics::at(const YAML::Node& n) const {
  if (!n.IsDefined() || n.Mark().is_null()) return {file_, 0, 0};
  return {file_, n.Mark().line + 1, n.Mark().column + 1};
}

std::string render(const Problem& p) {
  std::string s = p.at.file;
  if (p.at.line > 0) s += ":" + std::to_string(p.at.line) + ":" + std::to_string(p.at.column);
  s += ": " + p.message;
  if (!p.hint.empty()) s += "\n  hint: " + p.hint;
  return s;
}

std::string Diagnostics::render() const {
  std::string s;
  for (const auto& p : problems_) s += scenario::render(p) + "\n";
  return s;
}

namespace {
size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace labctl::scenario
