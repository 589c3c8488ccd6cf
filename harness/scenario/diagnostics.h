// Load problems with their YAML position: every problem is collected, then reported together
// as "file:line:col: message" followed by an optional "hint: ..." line.
#pragma once

#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace labctl::scenario {

struct Position {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

struct Problem {
  Position at;
  std::string message;
  std::string hint;
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void add(const YAML::Mark& m, std::string message, std::string hint = {});
  void add(const YAML::Node& n, std::string message, std::string hint = {});
  void add(Problem p) { problems_.push_back(std::move(p)); }
  Position at(const YAML::Node& n) const;
  bool empty() const { return problems_.empty(); }
  const std::vector<Problem>& problems() const { return problems_; }
  const std::string& file() const { return file_; }
  std::string render() const;

 private:
  std::string file_;
  std::vector<Problem> problems_;
};

std::string render(const Problem& p);
// Nearest candidate by edit distance, if close enough to be a likely typo.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace labctl::scenario
