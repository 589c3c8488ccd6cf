// logs: a workload's log has (at least N) lines matching a regular expression.
#include <regex>
#include <sstream>

#include "steps/common.h"

namespace labctl::steps {
namespace {

class Logs final : public scenario::Operation {
 public:
  Target in;
  std::string pattern;
  std::regex re;
  long long at_least = 1;
  std::string kind() const override { return "logs"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return "logs of " + in.describe() + " match /" + pattern + "/"; }
  std::string expected() const override {
    return at_least == 1 ? "a line matching /" + pattern + "/" : std::to_string(at_least) + " lines matching /" + pattern + "/";
  }
  Millis default_timeout() const override { return std::chrono::seconds(30); }

  Observation attempt(Context& ctx) override {
    std::vector<std::string> args = {"logs", "-n", in.namespace_in(ctx), ctx.expand(in.ref), "--tail=500"};
    if (!in.container.empty()) args.insert(args.end(), {"-c", in.container});
    auto ran = kubectl(ctx, args);
    if (!ran.result.ok()) return pending_from(ran, "no logs yet");
    std::istringstream lines(ran.result.out);
    std::string line, first_match, last;
    long long count = 0;
    while (std::getline(lines, line)) {
      if (!trim(line).empty()) last = line;
      if (std::regex_search(line, re)) {
        if (count++ == 0) first_match = line;
      }
    }
    if (count >= at_least)
      return Observation::pass(std::to_string(count) + " matching, e.g. \"" + first_line(first_match) + "\"");
    return Observation::pending(std::to_string(count) + " matching" + (last.empty() ? ", log empty" : "; last line: \"" + first_line(last) + "\""));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_logs(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "logs", diag);
  auto op = std::make_unique<Logs>();
  op->in = read_target(f, "in");
  op->pattern = f.str("match", true).value_or("");
  try {
    op->re = std::regex(op->pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    diag.add(body["match"], "logs.match: not a valid regular expression: " + std::string(e.what()), "ECMAScript syntax; escape ( ) [ ] with \\\\");
  }
  op->at_least = f.integer("at-least", 1, 100000).value_or(1);
  f.finish();
  return op;
}

}  // namespace labctl::steps
