// process: a process with this name (/proc/<pid>/comm, what ps and top show) runs inside the
// workload. The shell line is a constant; the name is compared here, never passed to a shell.
#include <set>
#include <sstream>

#include "steps/common.h"

namespace labctl::steps {
namespace {

class Process final : public scenario::Operation {
 public:
  Target in;
  std::string name;
  std::string kind() const override { return "process"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return "processes in " + in.describe(); }
  std::string expected() const override { return "a process named " + name; }
  Millis default_timeout() const override { return std::chrono::seconds(20); }

  Observation attempt(Context& ctx) override {
    auto ran = exec_in(ctx, in, {"sh", "-c", "cat /proc/[0-9]*/comm 2>/dev/null"}, std::chrono::seconds(20));
    if (kubectl_error(ran.result)) return pending_from(ran, "probe did not run");
    std::istringstream lines(ran.result.out);
    std::string line, seen;
    std::set<std::string> names;
    while (std::getline(lines, line)) {
      line = trim(line);
      if (line.empty() || line == "sh" || line == "cat") continue;  // the probe itself
      names.insert(line);
    }
    for (const auto& n : names) seen += (seen.empty() ? "" : ", ") + n;
    if (names.count(ctx.expand(name))) return Observation::pass("running: " + seen);
    return Observation::pending("running: " + (seen.empty() ? "nothing" : seen));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_process(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "process", diag);
  auto op = std::make_unique<Process>();
  op->in = read_target(f, "in");
  op->name = f.str("name", true).value_or("");
  if (op->name.size() > 15)
    diag.add(body["name"], "process.name: '" + op->name + "' is longer than 15 characters", "the kernel keeps at most 15 in /proc/<pid>/comm");
  f.finish();
  return op;
}

}  // namespace labctl::steps
